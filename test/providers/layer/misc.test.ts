/**
 * The rest of createLlm's contract: lazy discovery from the environment, `events()`, cancellation
 * during a backoff, the rate limiter's permits, call options reaching the adapter, secrets kept out
 * of audit records, and invalid configurations refused with the key named.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import { resolvePolicies } from '../../../providers/layer/resolve-policies.js';
import type { RateLimiter } from '../../../providers/layer/stage.js';
import type { CallOptions, LlmEvent, ProviderAdapter } from '../../../providers/types.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';
import { adapterFor, apiKey, messages, RecordingSink, rejection } from './helpers.js';
import { ManualClock, until } from './manual-clock.js';

let fake: FakeServer;
beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey, models: ['gpt-4o-mini'] });
});
afterAll(async () => {
  await closePools();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.setDefault({ text: 'Hello from the fake.' });
});

describe('createLlm', () => {
  it('discovers providers from the environment on the first call', async () => {
    const llm = createLlm({ env: { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${fake.url}/v1` } });
    const answer = await llm.complete({ provider: 'openai', model: 'gpt-4o-mini', messages });
    expect(answer.content).toBe('Hello from the fake.');
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('events() iterates a call; leaving early cancels it', async () => {
    const llm = createLlm({ providers: { openai: adapterFor(fake) } });
    const seen: LlmEvent['type'][] = [];
    for await (const event of llm.events({ provider: 'openai', model: 'gpt-4o-mini', messages })) seen.push(event.type);
    expect(seen[0]).toBe('generation');
    expect(seen).toContain('text-delta');
    expect(seen.at(-1)).toBe('finish');
    for await (const event of llm.events({ provider: 'openai', model: 'gpt-4o-mini', messages })) {
      expect(event.type).toBe('generation');
      break;
    }
  });

  it('a cancelled signal ends a call waiting in backoff, without another attempt', async () => {
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const llm = createLlm({ providers: { openai: adapterFor(fake) }, clock, sink });
    fake.enqueue({ fault: { type: 'status', status: 503 } });
    const controller = new AbortController();
    const answer = rejection(llm.complete({ provider: 'openai', model: 'gpt-4o-mini', messages }, { signal: controller.signal }));
    await until(() => sink.ofType('llm-retry').length === 1);
    controller.abort();
    expect((await answer).code).toBe(LlmErrorCode.aborted);
    expect(clock.pending()).toBe(0);
    clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.requests).toHaveLength(1);
  });

  it('takes a rate-limit permit per attempt, feeds it the headers, releases it with the usage', async () => {
    const log: string[] = [];
    const limiter: RateLimiter = {
      acquire: async (request) => {
        log.push(`acquire ${request.provider}/${request.model} ~${request.estimatedTokens}`);
        return { release: (actual) => log.push(`release ${actual?.totalTokens}`) };
      },
      observe: (provider, _model, info) => log.push(`observe ${provider} ${info.remainingRequests}`),
      snapshot: () => ({ openai: { queued: 0 } }),
    };
    const llm = createLlm({ providers: { openai: adapterFor(fake) }, rateLimiter: limiter });
    fake.enqueue({ text: 'ok', usage: { inputTokens: 5, outputTokens: 2 } });
    await llm.complete({ provider: 'openai', model: 'gpt-4o-mini', messages, maxTokens: 100 });
    expect(log).toEqual(['acquire openai/gpt-4o-mini ~102', 'observe openai 499', 'release 7']);
    expect(llm.health().rateLimits).toEqual({ openai: { queued: 0 } });
  });

  it('a refused permit fails the call with the limiter\'s error', async () => {
    const limiter: RateLimiter = {
      acquire: async () => {
        throw new LlmError(LlmErrorCode.rateLimited, 'queue for openai is full (max_queue 10)');
      },
      observe: () => undefined,
      snapshot: () => ({}),
    };
    const llm = createLlm({ providers: { openai: adapterFor(fake) }, rateLimiter: limiter });
    const error = await rejection(llm.complete({ provider: 'openai', model: 'gpt-4o-mini', messages }));
    expect(error.message).toContain('max_queue 10');
    expect(fake.requests).toHaveLength(0);
  });

  it('passes call options (signal, demand) to the adapter', async () => {
    const seen: CallOptions[] = [];
    const inner = adapterFor(fake);
    const adapter: ProviderAdapter = { id: 'openai', stream: (request, options) => (seen.push(options ?? {}), inner.stream(request, options)) };
    const llm = createLlm({ providers: [adapter] });
    const demand = () => undefined;
    const controller = new AbortController();
    await llm.complete({ provider: 'openai', model: 'gpt-4o-mini', messages }, { demand, signal: controller.signal });
    expect(seen[0].demand).toBe(demand);
    expect(seen[0].signal).toBe(controller.signal);
  });

  it('keeps the API key out of audit records even when the server echoes it', async () => {
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const llm = createLlm({ providers: { openai: adapterFor(fake) }, clock, sink, random: () => 0 });
    fake.enqueue({ fault: { type: 'status', status: 503, body: { error: { message: `upstream rejected key ${apiKey}`, type: 'server_error' } } } });
    const answer = llm.complete({ provider: 'openai', model: 'gpt-4o-mini', messages });
    await until(() => sink.ofType('llm-retry').length === 1);
    clock.advance(0);
    await answer;
    expect(JSON.stringify(sink.records)).not.toContain(apiKey);
    expect(String(sink.ofType('llm-retry')[0].reason)).toContain('[redacted]');
  });
});

describe('invalid configuration', () => {
  it.each([
    [{ routes: { smart: { targets: [] } } }, 'llm.routes.smart.targets needs at least one target'],
    [{ retry: { max_attempts: -1 } }, 'llm.retry.max_attempts must be a number of 0 or more'],
    [{ retry: { max_attempts: 0 } }, 'llm.retry.max_attempts must be a whole number of at least 1'],
    [{ timeouts: { idle_ms: Number.NaN } }, 'llm.timeouts.idle_ms must be a number'],
    [{ routes: { r: { strategy: 'random', targets: [{ provider: 'a', model: 'b' }] } } }, 'llm.routes.r.strategy must be one of'],
    [{ routes: { r: { targets: [{ provider: 'a', model: 'b', weight: -2 }] } } }, 'llm.routes.r.targets[0].weight must be a number of 0 or more'],
    [{ routes: { r: { targets: [{ provider: 'a' }] } } }, 'llm.routes.r.targets[0].model must name a model'],
  ])('refuses %j', (config, message) => {
    expect(() => createLlm({ config: config as never, providers: {} })).toThrow(message);
    try {
      resolvePolicies(config as never);
    } catch (error) {
      expect((error as { code: string }).code).toBe(LlmErrorCode.invalidConfig);
    }
  });

  it('fills defaults, route over top level, target over route', () => {
    const policies = resolvePolicies({
      retry: { max_attempts: 5 },
      routes: { r: { retry: { initial_delay_ms: 50 }, targets: [{ provider: 'a', model: 'm', retry: { max_delay_ms: 900 }, cost_per_mtok_usd: 0.15 }] } },
    });
    const target = policies.routes.get('r')!.targets[0];
    expect(target.retry).toEqual({ maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 900, maxRetryAfterMs: 60_000, totalRetryMs: 120_000 });
    expect(target.timeouts).toEqual({ connectMs: 10_000, firstTokenMs: 60_000, idleMs: 30_000, totalMs: 600_000 });
    expect(target.costPerMtokMicros).toBe(150_000);
  });
});
