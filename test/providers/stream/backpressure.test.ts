/**
 * Flow control: with the pull form, a consumer that stops pulling stops the socket being read, so
 * the server can only write what fits in the TCP window and buffers — the bytes it manages to
 * write stay bounded while the consumer sleeps. Cancelling closes the upstream request at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { closePools } from '../../../providers/http.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import { pullEvents } from '../../../providers/layer/stream/pull-events.js';
import type { LlmEvent, ProviderAdapter } from '../../../providers/types.js';
import { startFloodFake, type FloodFake } from '../../fakes/flood-fake.js';
import { until } from '../layer/manual-clock.js';

let flood: FloodFake;
let adapter: ProviderAdapter;
beforeAll(async () => {
  flood = await startFloodFake();
  adapter = createOpenAIAdapter({ apiKey: 'sk-flow-0123456789', baseUrl: `${flood.url}/v1` });
});
afterAll(async () => {
  await closePools();
  await flood.close();
});

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'Hi' }] };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** 30,000 deltas of ~1 KB: ~36 MB, far more than socket buffers hold. */
const deltaCount = 30_000;
const streamBytes = deltaCount * 1100;
/** The whole stream is one 30-million-character answer: above the default bound, so raised. */
const limits = { maxResponseChars: 40_000_000 };

async function pauseThenDrain(events: AsyncIterable<LlmEvent>): Promise<{ duringPause: number[]; texts: number; last: LlmEvent | undefined }> {
  const start = flood.bytesWritten;
  let texts = 0;
  let last: LlmEvent | undefined;
  const duringPause: number[] = [];
  let paused = false;
  for await (const event of events) {
    last = event;
    if (event.type === 'text-delta') texts++;
    if (texts === 20 && !paused) {
      paused = true;
      // The consumer is busy: nothing is pulled for a while.
      await sleep(400);
      duringPause.push(flood.bytesWritten - start);
      await sleep(400);
      duringPause.push(flood.bytesWritten - start);
    }
  }
  return { duringPause, texts, last };
}

describe('backpressure', () => {
  it('the adapter stops reading while the pull consumer sleeps, then delivers everything', async () => {
    flood.setMode({ type: 'deltas', count: deltaCount, text: 'x'.repeat(1000) });
    const { duringPause, texts, last } = await pauseThenDrain(pullEvents((options) => adapter.stream(request, { ...options, limits }), { highWaterMark: 8 }));
    // The server got stuck on a full TCP window: a bounded share of the stream, and no progress.
    expect(duringPause[1]).toBeLessThan(streamBytes / 2);
    expect(duringPause[1] - duringPause[0]).toBeLessThan(1024 * 1024);
    expect(texts).toBe(deltaCount);
    expect(last).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('llm.events() is the pull form: the consumer pace reaches the socket through the layer', async () => {
    flood.setMode({ type: 'deltas', count: deltaCount, text: 'x'.repeat(1000) });
    const llm = createLlm({ providers: { openai: adapter }, config: { stream_limits: { max_response_chars: limits.maxResponseChars } } });
    const { duringPause, texts, last } = await pauseThenDrain(llm.events({ provider: 'openai', model: 'm', messages: request.messages }));
    expect(duringPause[1]).toBeLessThan(streamBytes / 2);
    expect(duringPause[1] - duringPause[0]).toBeLessThan(1024 * 1024);
    expect(texts).toBe(deltaCount);
    expect(last).toMatchObject({ type: 'finish' });
    llm.close();
  });

  it('leaving the loop closes the upstream request at once', async () => {
    flood.setMode({ type: 'deltas', text: 'endless ' });
    const llm = createLlm({ providers: { openai: adapter } });
    let seen = 0;
    for await (const event of llm.events({ provider: 'openai', model: 'm', messages: request.messages })) {
      if (event.type === 'text-delta' && ++seen === 5) break;
    }
    await until(() => flood.active === 0);
    const after = flood.bytesWritten;
    await sleep(100);
    expect(flood.bytesWritten).toBe(after);
    llm.close();
  });

  it('an AbortSignal cancels a pull while it waits, with LLM_ERR_ABORTED', async () => {
    flood.setMode({ type: 'keep-alive', intervalMs: 20 });
    const controller = new AbortController();
    const iterator = pullEvents((options) => adapter.stream(request, options), { signal: controller.signal });
    expect((await iterator.next()).value).toMatchObject({ type: 'start' });
    const pending = iterator.next();
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'LLM_ERR_ABORTED' });
    await until(() => flood.active === 0);
  });
});
