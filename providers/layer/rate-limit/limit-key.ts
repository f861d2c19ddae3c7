/**
 * The state of one rate-limit key (`openai` or `openai/gpt-4o-mini`): the limits configured for
 * it, the limits its provider announced in headers, its per-minute buckets and the calls in
 * flight. It answers one question — may a call of this many tokens start now, and if not, which
 * limit stops it and for how long.
 */
import type { LimitConfig } from '../config-types.js';
import type { RateLimitInfo } from '../../types.js';
import { TokenBucket } from './token-bucket.js';

/** Why a call cannot start yet. `waitMs` is undefined when only a release can free a place. */
export interface Refusal {
  key: string;
  /** The limit, as users configure or read it: `rpm 500`, `concurrency 4`, `tpm 200000`. */
  limit: string;
  waitMs?: number;
  /** True when waiting cannot help (the call alone needs more than the whole allowance). */
  impossible?: boolean;
}

/** The limits a provider announced last, with when. */
interface Learned {
  info: RateLimitInfo;
  observedAt: number;
}

/** The state of one key. */
export class LimitKey {
  private requests?: TokenBucket;
  private tokens?: TokenBucket;
  private learned?: Learned;
  /** A provider said an allowance is spent until then. */
  private blocked?: { until: number; limit: string };
  inFlight = 0;
  queued = 0;

  constructor(
    readonly key: string,
    private readonly configured: LimitConfig,
    now: number,
  ) {
    if (configured.rpm !== undefined) this.requests = new TokenBucket(configured.rpm, now);
    if (configured.tpm !== undefined) this.tokens = new TokenBucket(configured.tpm, now);
  }

  /** Calls allowed to wait for this key. */
  get maxQueue(): number | undefined {
    return this.configured.max_queue;
  }

  /** Whether a call estimated at `tokens` may start at `now`; undefined means yes. */
  refusal(tokens: number, now: number): Refusal | undefined {
    if (this.blocked && now < this.blocked.until) return { key: this.key, limit: this.blocked.limit, waitMs: this.blocked.until - now };
    const concurrency = this.configured.concurrency;
    if (concurrency !== undefined && this.inFlight >= concurrency) return { key: this.key, limit: `concurrency ${concurrency}` };
    if (this.requests) {
      const waitMs = this.requests.waitFor(1, now);
      if (waitMs > 0) return { key: this.key, limit: `rpm ${this.requests.capacity}`, waitMs };
    }
    if (this.tokens) {
      if (tokens > this.tokens.capacity) {
        return { key: this.key, limit: `tpm ${this.tokens.capacity} (the call alone is estimated at ${tokens} tokens)`, impossible: true };
      }
      const waitMs = this.tokens.waitFor(tokens, now);
      if (waitMs > 0) return { key: this.key, limit: `tpm ${this.tokens.capacity}`, waitMs };
    }
    return undefined;
  }

  /** Takes a place for a call estimated at `tokens`. */
  grant(tokens: number, now: number): void {
    this.inFlight++;
    this.requests?.take(1, now);
    this.tokens?.take(tokens, now);
  }

  /** Gives the place back and corrects the token estimate with the real count when known. */
  release(estimated: number, actual: number | undefined, now: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (actual === undefined || !Number.isFinite(actual) || actual < 0 || !this.tokens) return;
    if (actual < estimated) this.tokens.give(estimated - actual, now);
    else this.tokens.take(actual - estimated, now);
  }

  /** Learns the live limits from a response's headers. */
  observe(info: RateLimitInfo, now: number): void {
    this.learned = { info, observedAt: now };
    this.requests = this.adopt(this.requests, this.configured.rpm, info.limitRequests, info.remainingRequests, now);
    this.tokens = this.adopt(this.tokens, this.configured.tpm, info.limitTokens, info.remainingTokens, now);
    const spent: [number | undefined, number | undefined, string][] = [
      [info.remainingRequests, info.resetRequestsMs, 'requests'],
      [info.remainingTokens, info.resetTokensMs, 'tokens'],
      [info.remainingInputTokens, info.resetInputTokensMs, 'input tokens'],
      [info.remainingOutputTokens, info.resetOutputTokensMs, 'output tokens'],
    ];
    for (const [remaining, resetMs, what] of spent) {
      if (remaining === undefined || remaining >= 1 || resetMs === undefined || resetMs <= 0) continue;
      const until = now + resetMs;
      if (!this.blocked || until > this.blocked.until) this.blocked = { until, limit: `the provider's ${what} allowance (0 remaining, resets in ${resetMs} ms)` };
    }
  }

  /** The effective bucket: the tighter of the configured and the announced limit. */
  private adopt(bucket: TokenBucket | undefined, configured: number | undefined, announced: number | undefined, remaining: number | undefined, now: number): TokenBucket | undefined {
    const capacity = Math.min(configured ?? Infinity, announced !== undefined && announced > 0 ? announced : Infinity);
    if (capacity === Infinity) return bucket;
    if (!bucket) bucket = new TokenBucket(capacity, now);
    else bucket.resize(capacity, now);
    if (remaining !== undefined) bucket.clampTo(remaining, now);
    return bucket;
  }

  /** Plain state for `mission providers` and diagnostics. */
  snapshot(now: number): Record<string, unknown> {
    const learned = this.learned?.info;
    return {
      limits: {
        rpm: this.requests?.capacity,
        tpm: this.tokens?.capacity,
        concurrency: this.configured.concurrency,
        maxQueue: this.configured.max_queue,
      },
      available: {
        requests: this.requests ? Math.floor(this.requests.available(now)) : undefined,
        tokens: this.tokens ? Math.floor(this.tokens.available(now)) : undefined,
      },
      inFlight: this.inFlight,
      queued: this.queued,
      ...(this.blocked && now < this.blocked.until ? { blockedUntil: new Date(this.blocked.until).toISOString(), blockedBy: this.blocked.limit } : {}),
      ...(learned && this.learned
        ? {
            lastSeen: {
              at: new Date(this.learned.observedAt).toISOString(),
              limitRequests: learned.limitRequests,
              remainingRequests: learned.remainingRequests,
              resetRequestsMs: learned.resetRequestsMs,
              limitTokens: learned.limitTokens,
              remainingTokens: learned.remainingTokens,
              resetTokensMs: learned.resetTokensMs,
              remainingInputTokens: learned.remainingInputTokens,
              remainingOutputTokens: learned.remainingOutputTokens,
            },
          }
        : {}),
    };
  }
}
