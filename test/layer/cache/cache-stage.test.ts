/**
 * The response cache stage in front of a real adapter talking to the OpenAI fake: what is served
 * from the cache (and replayed with the original chunk boundaries), what bypasses it, what is
 * never written, and how its modes, scopes and expiry behave, in memory and on SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCacheStore } from '../../../engine/store/cache-store.js';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { closePools } from '../../../providers/http.js';
import { createCacheStage, TieredCacheStore, type CacheConfig, type ResponseCacheStore } from '../../../providers/layer/cache/index.js';
import type { CallContext, CallOrigin, LayerAuditEvent, LayerRequest } from '../../../providers/layer/stage.js';
import type { LlmEvent } from '../../../providers/types.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';

const apiKey = 'sk-test-cache-0123456789';
let fake: FakeServer;
let directory: string;

beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
  directory = mkdtempSync(path.join(tmpdir(), 'cache-'));
});
afterAll(async () => {
  await closePools();
  await fake.close();
  rmSync(directory, { recursive: true, force: true });
});
beforeEach(() => {
  fake.requests.length = 0;
});

const adapter = () => createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` });
const question: LayerRequest = { provider: 'openai', model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: 'Name a colour.' }] };

interface Harness {
  call(request?: LayerRequest, origin?: CallOrigin): Promise<LlmEvent[]>;
  records: LayerAuditEvent[];
  clock: { now: number };
}

/** Calls through the stage; `next` is the real adapter (the stage is what is tested, not mocked). */
function harness(config: CacheConfig, store?: ResponseCacheStore): Harness {
  const stage = createCacheStage({ config, store, priceOf: (_provider, _model, usage) => usage.inputTokens * 10 + usage.outputTokens * 40 });
  const records: LayerAuditEvent[] = [];
  const clock = { now: Date.parse('2026-12-01T00:00:00Z') };
  let generation = 0;
  return {
    records,
    clock,
    call(request = question, origin = {}) {
      const context: CallContext = {
        generationId: `gen-${++generation}`,
        request,
        origin,
        record: (event) => records.push(event),
        now: () => clock.now,
      };
      const next = (sent: LayerRequest): Observable<LlmEvent> => adapter().stream({ ...sent, model: sent.model! });
      return lastValueFrom(stage.wrapCall!(context, next).pipe(toArray()));
    },
  };
}

const texts = (events: LlmEvent[]): string[] => events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []));

describe('response cache', () => {
  it('serves a repeated request from the cache with the original chunks, usage and finish reason', async () => {
    const cache = harness({ mode: 'on' });
    fake.enqueue({ text: 'Blue is a calm colour.', usage: { inputTokens: 11, outputTokens: 6 } });
    const first = await cache.call();
    const second = await cache.call();
    expect(fake.requests).toHaveLength(1);
    expect(second[0]).toEqual({ type: 'cache-hit', key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(second.slice(1)).toEqual(first);
    expect(texts(second).length).toBeGreaterThan(1); // the original boundaries, not one joined text
    expect(cache.records).toContainEqual(
      expect.objectContaining({ type: 'llm-cache-hit', provider: 'openai', savedMicros: 11 * 10 + 6 * 40 }),
    );
  });

  it('keys on everything that shapes the answer and on nothing else', async () => {
    const cache = harness({ mode: 'on' });
    await cache.call();
    await cache.call({ ...question, messages: [{ role: 'user', content: 'Name a shape.' }] });
    await cache.call({ ...question, maxTokens: 20 });
    await cache.call({ ...question, metadata: { ticket: 'A-1' } }, { runId: 'another-run', stepId: 'x' });
    await cache.call({ ...question, stop: undefined, tools: [] }); // defaults filled in: same request
    expect(fake.requests).toHaveLength(3);
  });

  it('bypasses nondeterministic requests unless the mission opts in', async () => {
    const strict = harness({ mode: 'on' });
    await strict.call({ ...question, temperature: 0.7 });
    await strict.call({ ...question, temperature: 0.7 });
    await strict.call({ ...question, temperature: undefined });
    expect(fake.requests).toHaveLength(3);
    expect(strict.records.filter((record) => record.type === 'llm-cache-bypass')).toHaveLength(3);

    fake.requests.length = 0;
    const relaxed = harness({ mode: 'on', nondeterministic: true });
    await relaxed.call({ ...question, temperature: 0.7 });
    await relaxed.call({ ...question, temperature: 0.7 });
    expect(fake.requests).toHaveLength(1);
  });

  it('never stores a failed, cut or filtered answer', async () => {
    const cache = harness({ mode: 'on' });
    fake.enqueue({ text: 'Half an answer that will be cut', fault: { type: 'drop-mid-stream', afterChunks: 2 } });
    await expect(cache.call()).rejects.toMatchObject({ code: 'LLM_ERR_STREAM_INTERRUPTED' });
    fake.enqueue({ fault: { type: 'status', status: 500 } });
    await expect(cache.call()).rejects.toMatchObject({ code: 'LLM_ERR_SERVER' });
    await cache.call();
    await cache.call();
    expect(fake.requests).toHaveLength(3);
  });

  it('honours read-only, write-only and off', async () => {
    const store = new TieredCacheStore(SqliteCacheStore.open(':memory:'));
    const writer = harness({ mode: 'write-only' }, store);
    await writer.call();
    await writer.call();
    expect(fake.requests).toHaveLength(2);

    fake.requests.length = 0;
    const reader = harness({ mode: 'read-only' }, store);
    await reader.call();
    await reader.call({ ...question, maxTokens: 5 });
    await reader.call({ ...question, maxTokens: 5 });
    expect(fake.requests).toHaveLength(2); // the first was a hit; the others were never written

    fake.requests.length = 0;
    const off = harness({ mode: 'off' }, store);
    await off.call();
    expect(fake.requests).toHaveLength(1);
  });

  it('expires answers after ttl_seconds', async () => {
    const cache = harness({ mode: 'on', ttl_seconds: 60 });
    await cache.call();
    cache.clock.now += 59_000;
    await cache.call();
    cache.clock.now += 2_000;
    await cache.call();
    expect(fake.requests).toHaveLength(2);
  });

  it('keeps scopes apart and bypasses a call whose origin lacks the scope value', async () => {
    const cache = harness({ mode: 'on', scope: 'user' });
    await cache.call(question, { user: 'alice' });
    await cache.call(question, { user: 'alice' });
    await cache.call(question, { user: 'bob' });
    await cache.call(question, {});
    expect(fake.requests).toHaveLength(3);
    expect(cache.records).toContainEqual({ type: 'llm-cache-bypass', reason: 'no-user' });
  });

  it('does not store an answer larger than max_entry_bytes', async () => {
    const cache = harness({ mode: 'on', max_entry_bytes: 200 });
    fake.setDefault({ text: 'word '.repeat(200) });
    try {
      await cache.call();
      await cache.call();
    } finally {
      fake.setDefault({ text: 'Hello from the fake.' });
    }
    expect(fake.requests).toHaveLength(2);
  });

  it('persists answers and counters in SQLite across store instances', async () => {
    const file = path.join(directory, 'state.db');
    const first = SqliteCacheStore.open(file);
    await harness({ mode: 'on' }, first).call();
    first.close();
    const second = SqliteCacheStore.open(file);
    const cache = harness({ mode: 'on' }, second);
    const events = await cache.call();
    expect(events[0].type).toBe('cache-hit');
    expect(fake.requests).toHaveLength(1);
    expect(second.stats(cache.clock.now)).toMatchObject({ entries: 1, hits: 1, misses: 1, writes: 1, savedMicros: expect.any(Number) });
    expect(second.clear()).toBe(1);
    expect(second.stats(cache.clock.now)).toMatchObject({ entries: 0, hits: 0 });
    second.close();
  });

  it('refuses an invalid configuration with a typed error', () => {
    expect(() => createCacheStage({ config: { mode: 'sometimes' as never } })).toThrow(expect.objectContaining({ code: 'LLM_ERR_INVALID_CONFIG' }));
    expect(() => createCacheStage({ config: { ttl_seconds: -1 } })).toThrow(/ttl_seconds/);
  });
});

describe('response cache: identical requests in flight', () => {
  it('sends one request for identical calls made while the first still streams, and each caller gets the whole answer', async () => {
    const cache = harness({ mode: 'on' });
    fake.enqueue({ text: 'Green, like spring leaves.', chunkDelayMs: 20, usage: { inputTokens: 9, outputTokens: 7 } });
    const answers = await Promise.all([cache.call(), cache.call(), cache.call()]);
    expect(fake.requests).toHaveLength(1);
    const [first, ...followers] = answers;
    for (const follower of followers) {
      expect(follower[0]).toMatchObject({ type: 'cache-hit' });
      expect(follower.slice(1)).toEqual(first);
    }
    expect(cache.records.filter((record) => record.type === 'llm-cache-hit')).toEqual([
      expect.objectContaining({ shared: true, savedMicros: 9 * 10 + 7 * 40 }),
      expect.objectContaining({ shared: true, savedMicros: 9 * 10 + 7 * 40 }),
    ]);
  });

  it('a failure reaches every caller sharing it, and the next call asks again', async () => {
    const cache = harness({ mode: 'on' });
    fake.enqueue({ text: 'This will be cut short', chunkDelayMs: 20, fault: { type: 'drop-mid-stream', afterChunks: 2 } });
    const outcomes = await Promise.allSettled([cache.call(), cache.call()]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    await cache.call();
    expect(fake.requests).toHaveLength(2);
  });
});
