/**
 * Errors are immutable once thrown; when the layer must add to one (it cut an answer, it was not
 * retried because of a long hint) it builds a copy with the same code, details and class.
 */
import { LlmError, type LlmErrorCodeValue, type LlmErrorDetails } from '../errors.js';
import { DeadlineError } from './deadlines.js';

/** A copy of `error` with a new message and extra details; the original becomes the cause. */
export function rebuildError(error: LlmError, message: string, extra: Pick<LlmErrorDetails, 'incomplete' | 'deliveredChars'>): LlmError {
  const details: LlmErrorDetails = {
    provider: error.provider,
    status: error.status,
    providerCode: error.providerCode,
    retryAfterMs: error.retryAfterMs,
    rateLimit: error.rateLimit,
    requestId: error.requestId,
    isRetryable: error.isRetryable,
    incomplete: error.incomplete,
    deliveredChars: error.deliveredChars,
    cause: error,
    ...extra,
  };
  if (error instanceof DeadlineError) {
    return new DeadlineError(error.deadline, error.limitMs, error.provider ?? '', '', { ...details, message });
  }
  return new LlmError(error.code as LlmErrorCodeValue, message, details);
}

/** The error with the reason it was not retried appended (it quotes the provider's hint). */
export function withRefusal(error: LlmError, refusal: string): LlmError {
  return rebuildError(error, `${error.message}; not retried: ${refusal}`, {});
}
