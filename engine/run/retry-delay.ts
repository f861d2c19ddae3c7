/**
 * The step retry policy: which failures a step retries, how long it waits first, and when a
 * server's Retry-After hint asks for more than the step may wait.
 */
import { CodedError } from '../../providers/errors.js';
import { MissionError, MissionErrorCode } from '../errors.js';
import type { RetryPolicy } from '../mission/types.js';

/** Failures that no retry can fix, whatever they say of themselves: the step would fail the same way again. */
const neverRetried: ReadonlySet<string> = new Set([
  MissionErrorCode.parameters,
  MissionErrorCode.template,
  MissionErrorCode.pathEscape,
  MissionErrorCode.cancelled,
  MissionErrorCode.missionTimeout,
  MissionErrorCode.unsupportedStep,
]);

/**
 * Whether `error` may be retried under `policy`. An error that says it is not retryable
 * (`isRetryable: false` — an `http` step's 404, an invalid API key) never is; `LLM_ERR_*` errors
 * must say they are. With `retry_on`, only the listed codes are retried, among those.
 */
export function isRetryableFailure(error: { code?: string; isRetryable?: boolean }, policy: RetryPolicy | undefined): boolean {
  if (!policy || policy.maxAttempts <= 1) return false;
  const code = error.code ?? '';
  if (neverRetried.has(code) || error.isRetryable === false) return false;
  if (code.startsWith('LLM_ERR_') && error.isRetryable !== true) return false;
  return policy.retryOn ? policy.retryOn.includes(code) : true;
}

/**
 * Delay before attempt `attempt + 1`: exponential backoff capped at `maxDelayMs`, minus a random
 * share of up to `jitter`; a provider's Retry-After wins when it asks for longer.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = policy.initialDelayMs * policy.backoffMultiplier ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  const jittered = Math.round(capped * (1 - Math.min(1, Math.max(0, policy.jitter)) * random()));
  return retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
}

/** What bounds a wait besides the policy. */
export interface WaitLimits {
  stepId: string;
  /** The step's own timeout: a Retry-After longer than one attempt may run is not worth waiting for. */
  stepTimeoutMs: number;
  /** Time left before the mission's deadline, when it has one. */
  remainingMs?: number;
}

/**
 * The wait before the next attempt, or — when the failure's Retry-After hint asks for longer than
 * `retry.max_retry_after_ms`, the step's timeout, or the time the mission has left — the error
 * that fails the step instead (`MISSION_ERR_RETRY_AFTER_TOO_LONG`, quoting the hint).
 */
export function retryWait(
  policy: RetryPolicy,
  attempt: number,
  failure: CodedError & { retryAfterMs?: number; output?: unknown },
  limits: WaitLimits,
  random: () => number = Math.random,
): number | MissionError {
  const hint = typeof failure.retryAfterMs === 'number' && Number.isFinite(failure.retryAfterMs) ? Math.max(0, failure.retryAfterMs) : undefined;
  if (hint !== undefined) {
    const ceilings: Array<[number, string]> = [
      [policy.maxRetryAfterMs, `retry.max_retry_after_ms (${duration(policy.maxRetryAfterMs)})`],
      [limits.stepTimeoutMs, `the step's timeout (${duration(limits.stepTimeoutMs)})`],
      ...(limits.remainingMs === undefined ? [] : [[limits.remainingMs, `the time the mission has left (${duration(limits.remainingMs)})`] as [number, string]]),
    ];
    const exceeded = ceilings.find(([ceiling]) => hint > ceiling);
    if (exceeded) {
      const error = new MissionError(
        MissionErrorCode.retryAfterTooLong,
        `step '${limits.stepId}' failed with ${failure.code} (${excerpt(failure.message)}) and the server asked to retry after ${duration(hint)} (Retry-After), longer than ${exceeded[1]}; not waiting`,
        { cause: failure },
      );
      // The failure's own output (an HTTP body, a command's stderr) stays on the step's result.
      return failure.output === undefined ? error : Object.assign(error, { output: failure.output });
    }
  }
  return retryDelayMs(policy, attempt, hint, random);
}

/** `1500 ms`, `90 s`, `2 h` — the unit a person reads fastest. */
export function duration(milliseconds: number): string {
  if (milliseconds < 10_000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 7_200_000) return `${Math.round(milliseconds / 1000)} s`;
  return `${Math.round(milliseconds / 3_600_000)} h`;
}

function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
