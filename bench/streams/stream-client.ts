/**
 * One side of the streams benchmark, in its own process for a clean RSS: `streams` concurrent
 * calls to the stream server, each consumed `slowdown` times slower than it is produced, through
 * one client (argument `mode`):
 * - `undici`: bare undici body streaming (the floor);
 * - `response-body`: the adapters' transport (`dispatchRequest` on their pool, its small body queue)
 *   read by the same frame-counting consumer as `undici`: the transport's share, without parsing;
 * - `layer-pull`: the layer's pull form, `llm.events()`;
 * - `layer-observable`: the layer's Observable form, its events queued for the slow consumer;
 * - `…-paused` (`undici-paused`, `layer-pull-paused`, `layer-observable-paused`): every stream
 *   stops being consumed after its first events; live memory after GC is reported instead of peaks.
 * Arguments: `mode port streams deltas consumeEvery consumeSleepMs`. Prints one JSON line.
 */
import { Pool } from 'undici';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { closePools, poolFor } from '../../providers/http.js';
import { dispatchRequest } from '../../providers/response-body.js';
import { createLlm } from '../../providers/layer/create-llm.js';
import type { LlmEvent } from '../../providers/types.js';

/** What a client process reports. */
export interface StreamClientResult {
  mode: string;
  baselineRssBytes: number;
  baselineHeapBytes: number;
  peakRssBytes: number;
  peakHeapBytes: number;
  /** Peak memory of Buffers and ArrayBuffers (network data lives there, outside the heap). */
  peakBufferBytes: number;
  deltas: number;
  elapsedMs: number;
}

const [mode, portText, streamsText, deltasText, everyText, sleepText] = process.argv.slice(2);
const port = Number(portText);
const streams = Number(streamsText);
const expectedDeltas = Number(deltasText);
const consumeEvery = Number(everyText);
const consumeSleepMs = Number(sleepText);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Stream.' }] });

let peakRss = 0;
let peakHeap = 0;
let peakBuffers = 0;
const sample = (): void => {
  const usage = process.memoryUsage();
  if (usage.rss > peakRss) peakRss = usage.rss;
  if (usage.heapUsed > peakHeap) peakHeap = usage.heapUsed;
  if (usage.arrayBuffers > peakBuffers) peakBuffers = usage.arrayBuffers;
};

/** The slow consumer: after every `consumeEvery` deltas it is busy for `consumeSleepMs`. */
function slowConsumer(): (deltas: number) => Promise<void> | undefined {
  let pending = 0;
  return (deltas) => {
    pending += deltas;
    if (pending < consumeEvery) return undefined;
    const rounds = Math.floor(pending / consumeEvery);
    pending -= consumeEvery * rounds;
    return sleep(consumeSleepMs * rounds);
  };
}

async function viaUndici(pool: Pool): Promise<number> {
  const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return countFrames(response.body);
}

async function viaResponseBody(origin: string): Promise<number> {
  const response = await dispatchRequest(poolFor(origin), { path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return countFrames(response.body);
}

/** The bare consumer: it counts SSE frames without parsing them, and is as slow per frame as the others per event. */
async function countFrames(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const consume = slowConsumer();
  let deltas = 0;
  let carry = '';
  for await (const chunk of chunks) {
    // The consumer works frame by frame, as the layer's consumers work event by event, so that
    // both hold the same amount of unconsumed data (a marker may straddle chunks).
    const text = carry + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    for (let index = text.indexOf('data: '); index !== -1; index = text.indexOf('data: ', index + 6)) {
      deltas++;
      const busy = consume(1);
      if (busy) await busy;
    }
    carry = text.slice(-5);
  }
  return deltas - 2; // The finish frame and [DONE].
}

async function viaPull(llm: ReturnType<typeof createLlm>): Promise<number> {
  const consume = slowConsumer();
  let deltas = 0;
  for await (const event of llm.events({ provider: 'openai', model: 'm', messages: [{ role: 'user', content: 'Stream.' }] })) {
    if (event.type !== 'text-delta') continue;
    deltas++;
    const busy = consume(1);
    if (busy) await busy;
  }
  return deltas;
}

async function viaObservable(llm: ReturnType<typeof createLlm>): Promise<number> {
  const queue: LlmEvent[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  llm.stream({ provider: 'openai', model: 'm', messages: [{ role: 'user', content: 'Stream.' }] }).subscribe({
    next: (event) => {
      queue.push(event);
      wake?.();
    },
    error: () => {
      ended = true;
      wake?.();
    },
    complete: () => {
      ended = true;
      wake?.();
    },
  });
  const consume = slowConsumer();
  let deltas = 0;
  for (;;) {
    const event = queue.shift();
    if (!event) {
      if (ended) return deltas;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    if (event.type !== 'text-delta') continue;
    deltas++;
    const busy = consume(1);
    if (busy) await busy;
  }
}

/**
 * Paused streams: each call reads its first events, then its consumer stops pulling. After
 * `settleMs` the live memory (after a full GC) is what the client holds for streams it is not
 * reading: socket and body buffers, and whatever the client read ahead.
 */
async function paused(origin: string): Promise<{ liveRss: number; liveHeap: number; liveBuffers: number }> {
  const settleMs = 1500;
  const release: (() => void)[] = [];
  const holds: Promise<void>[] = [];
  let released = false;
  let holding = 0;
  let allHolding: (() => void) | undefined;
  const everyStreamHolds = new Promise<void>((resolve) => (allHolding = resolve));
  // A stream holds once its first events came; at 1,000 streams the last ones may come after the
  // first have settled, so memory is measured once every stream holds (and a stream that comes
  // after the release is not left waiting for it, which ended the process with exit code 13).
  const waitForRelease = (): Promise<void> => {
    if (released) return Promise.resolve();
    if (++holding === streams) allHolding?.();
    return new Promise((resolve) => release.push(resolve));
  };
  let close = async (): Promise<void> => undefined;
  if (mode === 'undici-paused') {
    const pool = new Pool(origin, { connections: streams + 8 });
    for (let index = 0; index < streams; index++) {
      holds.push(
        (async () => {
          const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const chunks = response.body[Symbol.asyncIterator]();
          await chunks.next();
          await waitForRelease();
          await chunks.return?.();
        })(),
      );
    }
    close = () => pool.close();
  } else {
    const adapter = createOpenAIAdapter({ apiKey: 'sk-bench-0123456789', baseUrl: `${origin}/v1` });
    const llm = createLlm({ providers: { openai: adapter } });
    const request = { provider: 'openai', model: 'm', messages: [{ role: 'user' as const, content: 'Stream.' }] };
    for (let index = 0; index < streams; index++) {
      holds.push(
        (async () => {
          if (mode === 'layer-pull-paused') {
            const events = llm.events(request)[Symbol.asyncIterator]();
            for (let pulled = 0; pulled < 20; pulled++) await events.next();
            await waitForRelease();
            await events.return?.();
          } else {
            const kept: LlmEvent[] = [];
            const subscription = llm.stream(request).subscribe({ next: (event) => kept.push(event), error: () => undefined });
            await waitForRelease();
            subscription.unsubscribe();
            kept.length = 0;
          }
        })(),
      );
    }
    close = async () => {
      llm.close();
      await closePools();
    };
  }
  await everyStreamHolds;
  await sleep(settleMs);
  globalThis.gc?.();
  const live = process.memoryUsage();
  released = true;
  for (const resolve of release) resolve();
  await Promise.all(holds);
  await close();
  return { liveRss: live.rss, liveHeap: live.heapUsed, liveBuffers: live.arrayBuffers };
}

async function main(): Promise<void> {
  globalThis.gc?.();
  await sleep(50);
  const { rss: baselineRss, heapUsed: baselineHeap } = process.memoryUsage();
  const sampler = setInterval(sample, 10);
  const origin = `http://127.0.0.1:${port}`;
  const started = performance.now();
  if (mode.endsWith('-paused')) {
    clearInterval(sampler);
    const live = await paused(origin);
    const result: StreamClientResult = {
      mode,
      baselineRssBytes: baselineRss,
      baselineHeapBytes: baselineHeap,
      peakRssBytes: live.liveRss,
      peakHeapBytes: live.liveHeap,
      peakBufferBytes: live.liveBuffers,
      deltas: 0,
      elapsedMs: performance.now() - started,
    };
    console.log(JSON.stringify(result));
    return;
  }
  let counts: number[];
  if (mode === 'undici') {
    const pool = new Pool(origin, { connections: streams + 8 });
    counts = await Promise.all(Array.from({ length: streams }, () => viaUndici(pool)));
    await pool.close();
  } else if (mode === 'response-body') {
    counts = await Promise.all(Array.from({ length: streams }, () => viaResponseBody(origin)));
    await closePools();
  } else {
    const adapter = createOpenAIAdapter({ apiKey: 'sk-bench-0123456789', baseUrl: `${origin}/v1` });
    const stages = process.env.BENCH_NO_RECOVERY ? [{ name: 'stream-recovery' }] : undefined;
    const llm = createLlm({ providers: { openai: adapter }, stages });
    const run = mode === 'layer-pull' ? viaPull : viaObservable;
    counts = await Promise.all(Array.from({ length: streams }, () => run(llm)));
    llm.close();
    await closePools();
  }
  clearInterval(sampler);
  sample();
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total !== streams * expectedDeltas) throw new Error(`${mode}: received ${total} deltas, expected ${streams * expectedDeltas}`);
  const result: StreamClientResult = { mode, baselineRssBytes: baselineRss, baselineHeapBytes: baselineHeap, peakRssBytes: peakRss, peakHeapBytes: peakHeap, peakBufferBytes: peakBuffers, deltas: total, elapsedMs: performance.now() - started };
  console.log(JSON.stringify(result));
}

await main();
