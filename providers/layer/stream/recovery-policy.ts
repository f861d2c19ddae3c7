/**
 * What stream recovery does for a call, read from the `llm:` configuration: the route's
 * `stream_recovery` (else the block's, else `continue`), how many times an answer may be resumed,
 * and how long to wait before each resume.
 */
import type { LlmError } from '../../errors.js';
import type { LlmConfig, RetryConfig, StreamRecoveryMode } from '../config-types.js';
import type { LayerRequest } from '../stage.js';

/** The recovery policy of one call. */
export interface RecoveryPolicy {
  mode: StreamRecoveryMode;
  /** Resumes allowed per call (default 3): a target that cuts every answer must not loop forever. */
  maxResumes: number;
  /** Milliseconds to wait before resume number `resume` (1-based) after `error`. */
  delayMs(resume: number, error: LlmError): number;
}

/** The default number of resumes per call. */
export const defaultMaxResumes = 3;

const defaultInitialDelayMs = 250;
const defaultMaxDelayMs = 4000;
const defaultMaxRetryAfterMs = 30_000;

/**
 * The policy for `request` under `config`: the route's mode and retry timing where the request
 * names a route, the block's defaults otherwise. The delay is exponential (no jitter: one call's
 * resumes are few) and honours a provider's Retry-After up to `max_retry_after_ms`.
 */
export function recoveryPolicyFor(config: LlmConfig | undefined, request: LayerRequest): RecoveryPolicy {
  const route = request.route ? config?.routes?.[request.route] : undefined;
  const mode = route?.stream_recovery ?? config?.stream_recovery ?? 'continue';
  const retry: RetryConfig = { ...config?.retry, ...route?.retry };
  const initial = nonNegative(retry.initial_delay_ms, defaultInitialDelayMs);
  const maximum = nonNegative(retry.max_delay_ms, defaultMaxDelayMs);
  const maxRetryAfter = nonNegative(retry.max_retry_after_ms, defaultMaxRetryAfterMs);
  return {
    mode,
    maxResumes: defaultMaxResumes,
    delayMs(resume, error) {
      const backoff = Math.min(maximum, initial * 2 ** (resume - 1));
      const asked = error.retryAfterMs;
      return asked !== undefined && asked > backoff ? Math.min(asked, maxRetryAfter) : backoff;
    },
  };
}

function nonNegative(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}
