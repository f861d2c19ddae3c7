/**
 * The layer's {@link RateLimiter}: per provider and per provider+model limits on requests per
 * minute, tokens per minute and concurrency, configured (`llm.limits`) and learned from response
 * headers. A call over a limit does not fail: it waits in a bounded queue, fair per key (first in,
 * first out within a priority, higher priority first), until it can start or its deadline passes.
 */
import { LlmError, LlmErrorCode } from '../../errors.js';
import type { RateLimitInfo } from '../../types.js';
import type { LimitConfig } from '../config-types.js';
import type { LayerClock, RateLimitPermit, RateLimiter } from '../stage.js';
import { LimitKey, type Refusal } from './limit-key.js';
import { RateLimitQueueError } from './rate-limit-error.js';

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** `llm.limits`: keys are a provider (`openai`) or a provider and model (`openai/gpt-4o-mini`). */
  limits?: Record<string, LimitConfig>;
  clock?: LayerClock;
  /** Longest wait of a call that brings no deadline of its own (default 2 minutes). */
  maxWaitMs?: number;
  /** Calls that may wait per key when its config sets no `max_queue` (default 1000). */
  defaultMaxQueue?: number;
  /** Calls that may wait in all (default 10 000). */
  maxQueueTotal?: number;
  /** Keys remembered at most; idle, unconfigured ones are forgotten past it (default 1000). */
  maxKeys?: number;
}

interface Waiter {
  sequence: number;
  priority: number;
  provider: string;
  keys: LimitKey[];
  tokens: number;
  deadlineAt: number;
  enqueuedAt: number;
  lastRefusal?: Refusal;
  resolve(permit: RateLimitPermit): void;
  reject(error: Error): void;
  detach(): void;
}

const systemClock: LayerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Builds a rate limiter over `llm.limits`. */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const clock = options.clock ?? systemClock;
  const limits = options.limits ?? {};
  const maxWaitMs = options.maxWaitMs ?? 120_000;
  const defaultMaxQueue = options.defaultMaxQueue ?? 1000;
  const maxQueueTotal = options.maxQueueTotal ?? 10_000;
  const maxKeys = options.maxKeys ?? 1000;
  const keys = new Map<string, LimitKey>();
  const queue: Waiter[] = [];
  let sequence = 0;
  let timer: { handle: unknown; at: number } | undefined;

  function keyFor(name: string): LimitKey {
    let key = keys.get(name);
    if (!key) {
      if (keys.size >= maxKeys) forgetIdleKeys();
      key = new LimitKey(name, limits[name] ?? {}, clock.now());
      keys.set(name, key);
    }
    return key;
  }

  function forgetIdleKeys(): void {
    for (const [name, key] of keys) {
      if (keys.size < maxKeys) return;
      if (!(name in limits) && key.inFlight === 0 && key.queued === 0) keys.delete(name);
    }
  }

  function insert(waiter: Waiter): void {
    // Higher priority first; within a priority, arrival order.
    let index = queue.length;
    while (index > 0 && queue[index - 1].priority < waiter.priority) index--;
    queue.splice(index, 0, waiter);
    for (const key of waiter.keys) key.queued++;
  }

  function remove(waiter: Waiter): void {
    const index = queue.indexOf(waiter);
    if (index < 0) return;
    queue.splice(index, 1);
    for (const key of waiter.keys) key.queued--;
    waiter.detach();
  }

  function permitFor(waiter: Waiter): RateLimitPermit {
    let released = false;
    return {
      release(actual) {
        if (released) return;
        released = true;
        const now = clock.now();
        for (const key of waiter.keys) key.release(waiter.tokens, actual?.totalTokens, now);
        pump();
      },
    };
  }

  function fail(waiter: Waiter, refusal: Refusal | undefined, why: string): void {
    remove(waiter);
    const key = refusal?.key ?? waiter.keys.at(-1)!.key;
    waiter.reject(new RateLimitQueueError(waiter.provider, key, refusal?.limit ?? 'queue', why));
  }

  /** Starts every waiter that can start, fails those that cannot before their deadline, and sets the next wake-up. */
  function pump(): void {
    const now = clock.now();
    const heldKeys = new Set<LimitKey>();
    let wakeAt = Infinity;
    for (const waiter of [...queue]) {
      if (now >= waiter.deadlineAt) {
        fail(waiter, waiter.lastRefusal, `the call could not start before its deadline (waited ${now - waiter.enqueuedAt} ms)`);
        continue;
      }
      // An earlier call waits on one of these keys: this one queues behind it (fairness).
      if (waiter.keys.some((key) => heldKeys.has(key))) {
        wakeAt = Math.min(wakeAt, waiter.deadlineAt);
        continue;
      }
      const refusals = waiter.keys.map((key) => key.refusal(waiter.tokens, now)).filter((refusal) => refusal !== undefined);
      if (refusals.length === 0) {
        remove(waiter);
        for (const key of waiter.keys) key.grant(waiter.tokens, now);
        waiter.resolve(permitFor(waiter));
        continue;
      }
      const impossible = refusals.find((refusal) => refusal.impossible);
      if (impossible) {
        fail(waiter, impossible, 'waiting cannot help');
        continue;
      }
      // The longest timed wait is the earliest the call could start; past its deadline, fail now.
      const timed = refusals.filter((refusal) => refusal.waitMs !== undefined);
      const longest = timed.reduce<Refusal | undefined>((worst, refusal) => (!worst || refusal.waitMs! > worst.waitMs! ? refusal : worst), undefined);
      waiter.lastRefusal = longest ?? refusals[0];
      if (longest && now + longest.waitMs! > waiter.deadlineAt) {
        fail(waiter, longest, `the call cannot start before its deadline (it would wait ${longest.waitMs} ms, ${waiter.deadlineAt - now} ms are left)`);
        continue;
      }
      for (const refusal of refusals) heldKeys.add(keys.get(refusal.key)!);
      const shortest = Math.min(...timed.map((refusal) => refusal.waitMs!));
      wakeAt = Math.min(wakeAt, waiter.deadlineAt, Number.isFinite(shortest) ? now + shortest : Infinity);
    }
    schedule(wakeAt);
  }

  function schedule(at: number): void {
    if (timer && timer.at === at) return;
    if (timer) clock.clearTimeout(timer.handle);
    timer = undefined;
    if (at === Infinity) return;
    const handle = clock.setTimeout(() => {
      timer = undefined;
      pump();
    }, Math.max(0, at - clock.now()));
    timer = { handle, at };
  }

  return {
    acquire(request) {
      const { provider, model, signal } = request;
      if (signal?.aborted) return Promise.reject(new LlmError(LlmErrorCode.aborted, 'the call was cancelled while waiting for a rate limit', { provider }));
      const now = clock.now();
      const waiterKeys = [keyFor(provider), keyFor(`${provider}/${model}`)];
      const full = waiterKeys.find((key) => key.queued >= (key.maxQueue ?? defaultMaxQueue));
      if (full || queue.length >= maxQueueTotal) {
        const key = full ?? waiterKeys[1];
        return Promise.reject(new RateLimitQueueError(provider, key.key, `queue ${full ? (key.maxQueue ?? defaultMaxQueue) : maxQueueTotal}`, 'too many calls are already waiting'));
      }
      const tokens = Number.isFinite(request.estimatedTokens) && request.estimatedTokens > 0 ? Math.ceil(request.estimatedTokens) : 0;
      return new Promise<RateLimitPermit>((resolve, reject) => {
        const onAbort = (): void => {
          remove(waiter);
          reject(new LlmError(LlmErrorCode.aborted, 'the call was cancelled while waiting for a rate limit', { provider }));
          pump();
        };
        const waiter: Waiter = {
          sequence: sequence++,
          priority: request.priority ?? 0,
          provider,
          keys: waiterKeys,
          tokens,
          deadlineAt: Math.min(request.deadlineAt ?? Infinity, now + maxWaitMs),
          enqueuedAt: now,
          resolve,
          reject,
          detach: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        insert(waiter);
        pump();
      });
    },

    observe(provider: string, model: string, rateLimit: RateLimitInfo) {
      keyFor(`${provider}/${model}`).observe(rateLimit, clock.now());
      // Tighter limits may hold queued calls longer; looser ones may free them.
      if (queue.length > 0) pump();
    },

    snapshot() {
      const now = clock.now();
      return Object.fromEntries([...keys].map(([name, key]) => [name, key.snapshot(now)]));
    },
  };
}
