/**
 * How long a call waits before retrying: full jitter (a random wait between 0 and an exponential
 * ceiling), or exactly what the provider asked for (Retry-After, RetryInfo, reset headers) when it
 * asked, but never longer than `max_retry_after_ms`, the call's retry budget or its deadline.
 */
import type { LlmError } from '../errors.js';
import type { RetryPolicy } from './resolve-policies.js';

/** The wait before the next attempt, or why there is none. */
export interface WaitDecision {
  /** Milliseconds to wait; undefined when the call must not wait (fail over or fail). */
  delayMs: number | undefined;
  /** Why waiting was refused, quoting the numbers (goes into the final error's message). */
  refusal?: string;
}

/** The facts the decision needs. */
export interface WaitInput {
  error: LlmError;
  policy: RetryPolicy;
  /** Attempts already made on this target (1 after the first failure). */
  attemptOnTarget: number;
  /** Milliseconds the call has already spent waiting between attempts. */
  waitedMs: number;
  now: number;
  /** The call's total deadline (epoch ms). */
  deadlineAt: number;
  /** A number in [0, 1); injectable so tests are deterministic. */
  random: () => number;
}

/** The exponential ceiling of full jitter for the n-th retry (1-based). */
export function backoffCeiling(policy: RetryPolicy, attemptOnTarget: number): number {
  const exponent = Math.min(attemptOnTarget - 1, 30);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

/** Decides the wait before retrying after `error`. */
export function decideWait(input: WaitInput): WaitDecision {
  const { error, policy } = input;
  const hint = error.retryAfterMs;
  let delayMs: number;
  if (hint !== undefined) {
    if (hint > policy.maxRetryAfterMs) {
      return { delayMs: undefined, refusal: `${error.provider ?? 'the provider'} asked to wait ${hint} ms before retrying, more than max_retry_after_ms (${policy.maxRetryAfterMs} ms)` };
    }
    delayMs = hint;
  } else {
    delayMs = Math.floor(input.random() * backoffCeiling(policy, input.attemptOnTarget));
  }
  if (input.waitedMs + delayMs > policy.totalRetryMs) {
    return { delayMs: undefined, refusal: `waiting ${delayMs} ms more would pass the call's retry budget (total_retry_ms ${policy.totalRetryMs} ms)` };
  }
  if (input.now + delayMs >= input.deadlineAt) {
    return { delayMs: undefined, refusal: `waiting ${delayMs} ms would pass the call's total deadline` };
  }
  return { delayMs };
}
