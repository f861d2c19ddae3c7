/**
 * Chaos: 1,000 calls through a route whose primary fails 30 % of its calls transiently (503) and
 * then dies outright (connections dropped, model list failing), with a healthy backup. Every call
 * must succeed. Prints how long failover took after the death and how many attempts the dead
 * primary still received after its circuit opened. Time is the manual clock, moved along with real
 * time by a driver, so backoff and cool-downs pass quickly and deadlines never fire spuriously.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools } from '../../../providers/http.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import type { ProviderAdapter } from '../../../providers/types.js';
import { startFakeServer, type FakeServer } from '../../fakes/fake-server.js';
import { createOpenAiRenderer, startOpenAiFake } from '../../fakes/openai-fake.js';
import { adapterFor, apiKey, messages, RecordingSink } from './helpers.js';
import { ManualClock } from './manual-clock.js';

const totalCalls = 1_000;
const concurrency = 25;
const dieAfterRequests = 300;
const transientShare = 0.3;

/** A deterministic PRNG (mulberry32), so the run is the same every time. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

let primary: FakeServer;
let backup: FakeServer;
let dead = false;
let deathAt: number | undefined;
let deathRealAt = 0;
let primaryChatRequests = 0;
const clock = new ManualClock();

beforeAll(async () => {
  const base = createOpenAiRenderer({ apiKey, models: ['gpt-4o-mini'] });
  const chance = seeded(42);
  primary = await startFakeServer({
    ...base,
    route(request) {
      const isChat = request.url.pathname.endsWith('/chat/completions');
      if (dead) return isChat ? undefined : { kind: 'reject', status: 503, body: base.errorBody(503) };
      if (!isChat) return base.route?.(request);
      primaryChatRequests++;
      if (primaryChatRequests >= dieAfterRequests) {
        dead = true;
        deathAt = clock.now();
        deathRealAt = performance.now();
        // From now on every call's connection is dropped before any answer.
        primary.setDefault({ fault: { type: 'drop-before-response' } });
        return undefined;
      }
      return chance() < transientShare ? { kind: 'reject', status: 503, body: base.errorBody(503) } : base.route?.(request);
    },
  });
  primary.setDefault({ text: 'from primary' });
  backup = await startOpenAiFake({ apiKey, models: ['gpt-4o-mini'] });
  backup.setDefault({ text: 'from backup' });
});
afterAll(async () => {
  await closePools();
  await Promise.all([primary.close(), backup.close()]);
});

describe('chaos', () => {
  it('1,000 calls all succeed while the primary flakes and then dies', async () => {
    const sink = new RecordingSink();
    const real = adapterFor(primary);
    let attemptsAfterOpen = 0;
    let attemptsBetweenDeathAndOpen = 0;
    let circuitOpenAt: number | undefined;
    let circuitOpenRealAt = 0;
    const counted: ProviderAdapter = {
      id: 'openai',
      stream: (request, options) => {
        if (circuitOpenAt !== undefined) attemptsAfterOpen++;
        else if (dead) attemptsBetweenDeathAndOpen++;
        return real.stream(request, options);
      },
      listModels: (options) => real.listModels!(options),
    };
    const llm = createLlm({
      config: {
        routes: { chat: { strategy: 'failover', targets: [{ provider: 'primary', model: 'gpt-4o-mini' }, { provider: 'backup', model: 'gpt-4o-mini' }] } },
        retry: { max_attempts: 3, initial_delay_ms: 20, max_delay_ms: 200 },
        health: { failure_threshold: 3, window_ms: 10_000, open_ms: 500 },
      },
      providers: { primary: counted, backup: adapterFor(backup) },
      clock,
      random: seeded(7),
      sink: {
        record(record) {
          sink.record(record);
          if (record.type === 'llm-circuit-open' && record.target === 'primary/gpt-4o-mini' && dead && circuitOpenAt === undefined) {
            circuitOpenAt = clock.now();
            circuitOpenRealAt = performance.now();
          }
        },
      },
    });
    // Virtual time follows real time (a busy event loop fires the interval late, so step by what passed).
    let lastTick = performance.now();
    const driver = setInterval(() => {
      const now = performance.now();
      const step = Math.max(1, Math.floor(now - lastTick));
      lastTick += step;
      clock.advance(step);
    }, 1);
    const started = performance.now();
    let next = 0;
    let succeeded = 0;
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
      while (next < totalCalls) {
        next++;
        try {
          const answer = await llm.complete({ route: 'chat', messages });
          if (answer.content === 'from primary' || answer.content === 'from backup') succeeded++;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      clearInterval(driver);
      llm.close();
    }
    const elapsed = performance.now() - started;
    expect(failures).toEqual([]);
    expect(succeeded).toBe(totalCalls);
    expect(dead).toBe(true);
    expect(circuitOpenAt).toBeDefined();
    const report = {
      calls: totalCalls,
      concurrency,
      wallMs: Math.round(elapsed),
      retries: sink.ofType('llm-retry').length,
      failovers: sink.ofType('llm-failover').length,
      failoverAfterDeathVirtualMs: circuitOpenAt! - deathAt!,
      failoverAfterDeathRealMs: Math.round(circuitOpenRealAt - deathRealAt),
      primaryAttemptsBetweenDeathAndOpen: attemptsBetweenDeathAndOpen,
      primaryAttemptsAfterCircuitOpened: attemptsAfterOpen,
      primaryCircuitOpens: sink.ofType('llm-circuit-open').filter((record) => record.target === 'primary/gpt-4o-mini').length,
      backupAnswers: backup.requests.length,
    };
    console.log(`chaos: ${JSON.stringify(report)}`);
    // A dead target is detected within 10 s, and the open circuit keeps calls off it.
    expect(report.failoverAfterDeathVirtualMs).toBeLessThan(10_000);
    expect(attemptsAfterOpen).toBeLessThanOrEqual(concurrency);
    expect(llm.health().targets['primary/gpt-4o-mini'].circuit).not.toBe('closed');
  }, 60_000);
});
