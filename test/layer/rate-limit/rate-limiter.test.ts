/**
 * The rate limiter queues calls over a limit instead of failing them, fairly, within bounds, and
 * fails a call that cannot start before its deadline with `LLM_ERR_RATE_LIMITED` naming the limit.
 * All waits run on fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LlmErrorCode } from '../../../providers/errors.js';
import { createRateLimiter, RateLimitQueueError } from '../../../providers/layer/rate-limit/index.js';
import type { LayerClock, RateLimitPermit } from '../../../providers/layer/stage.js';
import { parseResetTime, readRateLimit } from '../../../providers/rate-limit-headers.js';

const clock: LayerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; value: () => T | undefined; error: () => unknown } {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  promise.then((result) => { done = true; value = result; }, (reason) => { done = true; error = reason; });
  return { settled: () => done, value: () => value, error: () => error };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const call = { provider: 'openai', model: 'gpt-4o-mini', estimatedTokens: 10 };

describe('rate limiter', () => {
  it('queues the call over rpm until the bucket refills, then starts it', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { rpm: 2 } } });
    await limiter.acquire(call);
    await limiter.acquire(call);
    const third = track(limiter.acquire(call));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(third.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(third.value()).toBeDefined();
  });

  it('holds calls over the concurrency limit until a permit is released, first in first out', async () => {
    const limiter = createRateLimiter({ clock, limits: { 'openai/gpt-4o-mini': { concurrency: 1 } } });
    const first = await limiter.acquire(call);
    const order: string[] = [];
    const second = limiter.acquire(call).then((permit) => { order.push('second'); return permit; });
    const third = limiter.acquire(call).then((permit) => { order.push('third'); return permit; });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(order).toEqual([]);
    first.release();
    (await second).release();
    await third;
    expect(order).toEqual(['second', 'third']);
    expect(limiter.snapshot()['openai/gpt-4o-mini']).toMatchObject({ inFlight: 1, queued: 0, limits: { concurrency: 1 } });
  });

  it('lets a higher priority overtake within the queue', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { concurrency: 1 } } });
    const first = await limiter.acquire(call);
    const order: string[] = [];
    const low = limiter.acquire({ ...call, priority: 0 }).then((permit) => { order.push('low'); permit.release(); });
    const high = limiter.acquire({ ...call, priority: 5 }).then((permit) => { order.push('high'); permit.release(); });
    first.release();
    await Promise.all([low, high]);
    expect(order).toEqual(['high', 'low']);
  });

  it('does not let a call held on one model block a call to another model of the provider', async () => {
    const limiter = createRateLimiter({ clock, limits: { 'openai/gpt-4o': { concurrency: 1 } } });
    await limiter.acquire({ ...call, model: 'gpt-4o' });
    const held = track(limiter.acquire({ ...call, model: 'gpt-4o' }));
    const other = track(limiter.acquire({ ...call, model: 'gpt-4o-mini' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(held.settled()).toBe(false);
    expect(other.value()).toBeDefined();
  });

  it('admits on the token estimate and corrects it with the real usage on release', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { tpm: 1000 } } });
    const first = await limiter.acquire({ ...call, estimatedTokens: 600 });
    const second = track(limiter.acquire({ ...call, estimatedTokens: 600 }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(second.settled()).toBe(false);
    // The first call used 100 tokens, not 600: 500 come back and the second fits at once.
    first.release({ totalTokens: 100 });
    await vi.advanceTimersByTimeAsync(0);
    expect(second.value()).toBeDefined();
  });

  it('charges an underestimate against the next calls', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { tpm: 1000 } } });
    (await limiter.acquire({ ...call, estimatedTokens: 100 })).release({ totalTokens: 900 });
    const next = track(limiter.acquire({ ...call, estimatedTokens: 200 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(next.settled()).toBe(false);
    // 100 tokens are left; 200 need another 100, refilled at 1000 a minute: 6 s.
    await vi.advanceTimersByTimeAsync(6_100);
    expect(next.value()).toBeDefined();
  });

  it('fails a call that cannot start before its deadline, naming the key and the limit', async () => {
    const limiter = createRateLimiter({ clock, limits: { 'openai/gpt-4o-mini': { concurrency: 1 } } });
    await limiter.acquire(call);
    const waiting = track(limiter.acquire({ ...call, deadlineAt: Date.now() + 5_000 }));
    await vi.advanceTimersByTimeAsync(4_900);
    expect(waiting.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    const error = waiting.error() as RateLimitQueueError;
    expect(error).toBeInstanceOf(RateLimitQueueError);
    expect(error.code).toBe(LlmErrorCode.rateLimited);
    expect(error.limitKey).toBe('openai/gpt-4o-mini');
    expect(error.message).toContain('concurrency 1');
    expect(error.isRetryable).toBe(false);
  });

  it('fails at once when the known wait ends after the deadline', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { rpm: 1 } } });
    await limiter.acquire(call);
    await expect(limiter.acquire({ ...call, deadlineAt: Date.now() + 10_000 })).rejects.toMatchObject({
      code: LlmErrorCode.rateLimited,
      limitKey: 'openai',
      limit: 'rpm 1',
    });
  });

  it('refuses a call that alone needs more than the whole token allowance', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { tpm: 100 } } });
    await expect(limiter.acquire({ ...call, estimatedTokens: 500 })).rejects.toThrow(/tpm 100 \(the call alone is estimated at 500 tokens\)/);
  });

  it('bounds the queue: a call past max_queue is refused at once', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { concurrency: 1, max_queue: 2 } } });
    await limiter.acquire(call);
    const queued = [limiter.acquire(call), limiter.acquire(call)];
    await expect(limiter.acquire(call)).rejects.toMatchObject({ code: LlmErrorCode.rateLimited, limit: 'queue 2' });
    for (const promise of queued) promise.catch(() => {});
  });

  it('bounds every wait, even without a deadline', async () => {
    const limiter = createRateLimiter({ clock, maxWaitMs: 60_000, limits: { openai: { concurrency: 1 } } });
    await limiter.acquire(call);
    const waiting = track(limiter.acquire(call));
    await vi.advanceTimersByTimeAsync(60_001);
    expect((waiting.error() as { code?: string }).code).toBe(LlmErrorCode.rateLimited);
  });

  it('gives up the place of a cancelled call', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { concurrency: 1 } } });
    const first = await limiter.acquire(call);
    const controller = new AbortController();
    const cancelled = track(limiter.acquire({ ...call, signal: controller.signal }));
    const next = track(limiter.acquire(call));
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect((cancelled.error() as { code?: string }).code).toBe(LlmErrorCode.aborted);
    first.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(next.value()).toBeDefined();
    expect(limiter.snapshot().openai).toMatchObject({ queued: 0, inFlight: 1 });
  });

  it('a permit released twice frees one place only', async () => {
    const limiter = createRateLimiter({ clock, limits: { openai: { concurrency: 2 } } });
    const first: RateLimitPermit = await limiter.acquire(call);
    await limiter.acquire(call);
    first.release();
    first.release();
    expect(limiter.snapshot().openai).toMatchObject({ inFlight: 1 });
  });
});

describe('limits learned from headers', () => {
  it('waits for an OpenAI reset like 6m0s once the provider says no requests remain', async () => {
    const limiter = createRateLimiter({ clock, maxWaitMs: 600_000 });
    const info = readRateLimit({ 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s' })!;
    expect(info.resetRequestsMs).toBe(360_000);
    limiter.observe('openai', 'gpt-4o-mini', info);
    const waiting = track(limiter.acquire(call));
    await vi.advanceTimersByTimeAsync(359_000);
    expect(waiting.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(waiting.value()).toBeDefined();
    expect(limiter.snapshot()['openai/gpt-4o-mini']).toMatchObject({ limits: { rpm: 500 }, lastSeen: { remainingRequests: 0, resetRequestsMs: 360_000 } });
  });

  it("learns Anthropic's limits and resets (RFC 3339 timestamps), input and output tokens apart", async () => {
    const reset = new Date(Date.now() + 20_000).toISOString();
    const info = readRateLimit({
      'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '49', 'anthropic-ratelimit-requests-reset': reset,
      'anthropic-ratelimit-tokens-limit': '90000', 'anthropic-ratelimit-tokens-remaining': '80000', 'anthropic-ratelimit-tokens-reset': reset,
      'anthropic-ratelimit-input-tokens-limit': '40000', 'anthropic-ratelimit-input-tokens-remaining': '0', 'anthropic-ratelimit-input-tokens-reset': reset,
      'anthropic-ratelimit-output-tokens-limit': '8000', 'anthropic-ratelimit-output-tokens-remaining': '7000', 'anthropic-ratelimit-output-tokens-reset': reset,
    })!;
    expect(info).toMatchObject({
      limitRequests: 50, remainingRequests: 49, resetRequestsMs: 20_000, limitTokens: 90_000, remainingTokens: 80_000,
      limitInputTokens: 40_000, remainingInputTokens: 0, resetInputTokensMs: 20_000, limitOutputTokens: 8000, remainingOutputTokens: 7000,
    });
    const limiter = createRateLimiter({ clock });
    limiter.observe('anthropic', 'claude-3-5-haiku-latest', info);
    await expect(limiter.acquire({ provider: 'anthropic', model: 'claude-3-5-haiku-latest', estimatedTokens: 10, deadlineAt: Date.now() + 5_000 }))
      .rejects.toThrow(/input tokens allowance/);
  });

  it('never adopts nonsense from headers', () => {
    expect(readRateLimit({ 'x-ratelimit-limit-requests': '-5', 'x-ratelimit-reset-requests': '99999h' })).toEqual({
      headers: { 'x-ratelimit-limit-requests': '-5', 'x-ratelimit-reset-requests': '99999h' },
    });
    expect(readRateLimit({ 'x-ratelimit-reset-tokens': '1m30.5s' })?.resetTokensMs).toBe(90_500);
    expect(readRateLimit({ 'x-ratelimit-reset-tokens': '20ms' })?.resetTokensMs).toBe(20);
  });

  it('reads every Go duration unit and bare seconds, and nothing that only looks like one', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const valid: Record<string, number> = { '6m0s': 360_000, '1h2m3s': 3_723_000, '1m1ms': 60_001, '1.5s': 1500, '3us': 1, '5µs': 1, '7ns': 1, '12': 12_000, '0.5': 500, ' 6s ': 6000 };
    for (const [text, ms] of Object.entries(valid)) expect([text, parseResetTime(text, now)]).toEqual([text, ms]);
    for (const text of ['5m3', 'ms', '1.', '.5s', '1hs', '2ss', '3u', '4n', '10x', '', '1h-2m', '86401']) expect([text, parseResetTime(text, now)]).toEqual([text, undefined]);
    expect(parseResetTime('2026-01-01T00:01:00Z', now)).toBe(60_000);
  });
});
