/**
 * Which failures a step retries, and how long it waits first.
 */
import type { RetryPolicy } from '../mission/types.js';
import { MissionErrorCode } from '../errors.js';

/** Failures that no retry can fix: the step would fail the same way again. */
const neverRetried: ReadonlySet<string> = new Set([
  MissionErrorCode.parameters,
  MissionErrorCode.template,
  MissionErrorCode.pathEscape,
  MissionErrorCode.cancelled,
  MissionErrorCode.missionTimeout,
  MissionErrorCode.unsupportedStep,
]);

/**
 * Whether `error` may be retried under `policy`: a listed code when `retry_on` is given; otherwise
 * LLM errors by their own `isRetryable` flag and any other failure except those no retry can fix.
 */
export function isRetryableFailure(error: { code?: string; isRetryable?: boolean }, policy: RetryPolicy | undefined): boolean {
  if (!policy || policy.maxAttempts <= 1) return false;
  const code = error.code ?? '';
  if (policy.retryOn) return policy.retryOn.includes(code);
  if (code.startsWith('LLM_ERR_')) return error.isRetryable === true;
  return !neverRetried.has(code);
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
