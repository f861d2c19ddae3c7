/**
 * Hostile upstreams end in typed errors with memory bounded, with no configuration at all:
 * an endless SSE or NDJSON line, an endless run of deltas, a huge delta, a huge error body,
 * and (with a short idle limit, the default being under a minute) nothing but keep-alives.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../../providers/adapters/anthropic.js';
import { createOllamaAdapter } from '../../../providers/adapters/ollama.js';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import { defaultStreamLimits, resolveStreamLimits } from '../../../providers/stream-limits.js';
import type { CallOptions, LlmEvent, ProviderAdapter } from '../../../providers/types.js';
import { startFloodFake, type FloodFake } from '../../fakes/flood-fake.js';

let flood: FloodFake;
let openai: ProviderAdapter;
let ollama: ProviderAdapter;
beforeAll(async () => {
  flood = await startFloodFake();
  openai = createOpenAIAdapter({ apiKey: 'sk-bounds-0123456789', baseUrl: `${flood.url}/v1` });
  ollama = createOllamaAdapter({ baseUrl: flood.url });
});
afterAll(async () => {
  await closePools();
  await flood.close();
});

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'Hi' }] };

async function outcome(adapter: ProviderAdapter, options?: CallOptions): Promise<{ events: LlmEvent[]; error: LlmError }> {
  const events: LlmEvent[] = [];
  try {
    await lastValueFrom(adapter.stream(request, options).pipe(toArray()));
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return { events, error: error as LlmError };
  }
  throw new Error('the stream was expected to fail');
}

describe('input bounds, defaults', () => {
  it('keeps every default under the documented ceilings (idle under a minute)', () => {
    const limits = resolveStreamLimits(undefined);
    expect(limits.idleMs).toBeLessThanOrEqual(60_000);
    expect(limits.maxLineBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(limits.maxErrorMessageChars).toBe(2048);
    expect(resolveStreamLimits({ maxLineBytes: -1, idleMs: Number.NaN }).maxLineBytes).toBe(defaultStreamLimits.maxLineBytes);
  });

  it.each(['openai', 'ollama'] as const)('an endless line (%s) ends in LLM_ERR_RESPONSE_TOO_LARGE with memory bounded', async (which) => {
    flood.setMode({ type: 'endless-line' });
    const before = process.memoryUsage().rss;
    const { error } = await outcome(which === 'openai' ? openai : ollama);
    expect(error.code).toBe(LlmErrorCode.responseTooLarge);
    expect(error.isRetryable).toBe(false);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('an endless run of deltas ends in LLM_ERR_RESPONSE_TOO_LARGE at the answer limit', async () => {
    flood.setMode({ type: 'deltas', text: 'x'.repeat(4000) });
    const { error } = await outcome(openai);
    expect(error.code).toBe(LlmErrorCode.responseTooLarge);
    expect(error.message).toContain(`${defaultStreamLimits.maxResponseChars} characters`);
  });

  it('a 50 MB delta is refused at the line limit, long before it has all arrived', async () => {
    flood.setMode({ type: 'huge-delta', bytes: 50 * 1024 * 1024 });
    const before = flood.bytesWritten;
    const { error } = await outcome(openai);
    expect(error.code).toBe(LlmErrorCode.responseTooLarge);
    expect(flood.bytesWritten - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('a 20 MB error body is read only in part and quoted in at most ~2 KB', async () => {
    flood.setMode({ type: 'error-body', status: 500, bytes: 20 * 1024 * 1024 });
    const { error } = await outcome(openai);
    expect(error.code).toBe(LlmErrorCode.server);
    expect(error.status).toBe(500);
    expect(error.message.length).toBeLessThan(2300);
  });

  it('an error body within the read limit keeps its message, cut to maxErrorMessageChars', async () => {
    flood.setMode({ type: 'error-body', status: 400, bytes: 10_000 });
    const { error } = await outcome(openai, { limits: { maxErrorMessageChars: 100 } });
    expect(error.code).toBe(LlmErrorCode.badRequest);
    expect(error.message).toMatch(/eeee… \(\d+ more characters\)$/);
    expect(error.message.length).toBeLessThan(250);
  });
});

describe('input bounds, configured', () => {
  it('a stream of nothing but keep-alives times out (keep-alives do not reset the idle timer)', async () => {
    flood.setMode({ type: 'keep-alive', intervalMs: 10 });
    const { error } = await outcome(openai, { limits: { idleMs: 300 } });
    expect(error.code).toBe(LlmErrorCode.timeout);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('keep-alives do not count');
  });

  it("Anthropic's ping events do not reset it either", async () => {
    flood.setMode({ type: 'keep-alive', intervalMs: 10 });
    const anthropic = createAnthropicAdapter({ apiKey: 'sk-ant-bounds-0123456789', baseUrl: flood.url });
    const { error } = await outcome(anthropic, { limits: { idleMs: 300 } });
    expect(error.code).toBe(LlmErrorCode.timeout);
  });

  it('blank NDJSON lines do not reset it either', async () => {
    flood.setMode({ type: 'keep-alive', intervalMs: 10 });
    const { error } = await outcome(ollama, { limits: { idleMs: 300 } });
    expect(error.code).toBe(LlmErrorCode.timeout);
  });

  it('a slow but steady stream is not idle', async () => {
    flood.setMode({ type: 'deltas', count: 8, delayMs: 60 });
    const events = await lastValueFrom(openai.stream(request, { limits: { idleMs: 400 } }).pipe(toArray()));
    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(8);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('the line limit is configurable', async () => {
    flood.setMode({ type: 'deltas', count: 3, text: 'z'.repeat(5000) });
    const { error } = await outcome(openai, { limits: { maxLineBytes: 2048 } });
    expect(error.code).toBe(LlmErrorCode.responseTooLarge);
    expect(error.message).toContain('2048 bytes');
  });
});
