/**
 * The response cache on a repeated workload: 2,000 calls of which 80 % repeat one of 400 distinct
 * prompts, through the cache stage in front of the OpenAI adapter and a canned server in a child
 * process. Prints the hit ratio, and the latency of a hit (memory LRU, and SQLite alone) against a
 * miss measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { SqliteCacheStore } from '../engine/store/cache-store.js';
import { createOpenAIAdapter } from '../providers/adapters/openai.js';
import { closePools } from '../providers/http.js';
import { createCacheStage, TieredCacheStore, type ResponseCacheStore } from '../providers/layer/cache/index.js';
import type { CallContext, LayerRequest } from '../providers/layer/stage.js';
import { startChildServer, stopChildServer } from './child-server.js';
import { printTable } from './providers/table.js';

const calls = 2_000;
const distinct = 400;
const repeatShare = 0.8;

const { child, port } = await startChildServer(new URL('./providers/openai-fake-server.js', import.meta.url));
const adapter = createOpenAIAdapter({ apiKey: 'sk-bench', baseUrl: `http://127.0.0.1:${port}/v1` });
const directory = mkdtempSync(path.join(tmpdir(), 'cache-bench-'));

/** A deterministic workload: the first 400 calls are new prompts, then 80 % repeats. */
function workload(): number[] {
  let seed = 42;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const prompts: number[] = [];
  let fresh = 0;
  for (let index = 0; index < calls; index++) {
    if (fresh < distinct && (fresh === 0 || random() >= repeatShare)) prompts.push(fresh++);
    else prompts.push(Math.floor(random() * fresh));
  }
  return prompts;
}

async function measure(label: string, store: ResponseCacheStore): Promise<string[]> {
  const stage = createCacheStage({ config: { mode: 'on' }, store });
  const hits: number[] = [];
  const misses: number[] = [];
  for (const prompt of workload()) {
    const request: LayerRequest = { provider: 'openai', model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: `Question number ${prompt}: what is ${prompt} squared?` }] };
    const context: CallContext = { generationId: 'bench', request, origin: {}, record: () => undefined, now: Date.now };
    const started = performance.now();
    const events = await lastValueFrom(stage.wrapCall!(context, (sent) => adapter.stream({ ...sent, model: sent.model! })).pipe(toArray()));
    (events[0].type === 'cache-hit' ? hits : misses).push(performance.now() - started);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const p99 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? NaN;
  return [
    label,
    `${((hits.length / calls) * 100).toFixed(1)} %`,
    `${(median(hits) * 1000).toFixed(0)} µs`,
    `${(p99(hits) * 1000).toFixed(0)} µs`,
    `${(median(misses) * 1000).toFixed(0)} µs`,
    `${(median(misses) / median(hits)).toFixed(1)}×`,
  ];
}

try {
  const rows = [
    await measure('memory LRU', new TieredCacheStore(SqliteCacheStore.open(path.join(directory, 'tiered.db')))),
    await measure('SQLite only', SqliteCacheStore.open(path.join(directory, 'sqlite.db'))),
  ];
  console.log(`${calls} calls, ${distinct} distinct prompts, ${repeatShare * 100} % repeats (streamed, canned server in a child process)`);
  printTable(['store', 'hit ratio', 'hit p50', 'hit p99', 'miss p50', 'miss / hit'], rows);
} finally {
  await closePools();
  await stopChildServer(child);
  rmSync(directory, { recursive: true, force: true });
}
