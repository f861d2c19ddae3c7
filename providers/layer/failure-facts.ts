/**
 * What the call machine needs to know about a failed attempt, read off its error: whether another
 * target might do better, whether the target looks unreachable, whether a budget stopped it.
 */
import { LlmErrorCode, type LlmError } from '../errors.js';
import type { AttemptFailure } from './call-machine.js';
import { DeadlineError } from './deadlines.js';

/** Codes of failures another target may not share (this target's server, key, quota or model). */
const failoverCodes = new Set<string>([
  LlmErrorCode.authentication,
  LlmErrorCode.permissionDenied,
  LlmErrorCode.notFound,
  LlmErrorCode.quotaExceeded,
  LlmErrorCode.notConfigured,
  LlmErrorCode.circuitOpen,
]);

/** The facts the runner knows besides the error. */
export interface FailureContext {
  /** The error is retryable and nothing was delivered yet. */
  retryable: boolean;
  /** Content was delivered or the caller cancelled. */
  final: boolean;
  delayMs: number | undefined;
  circuitOpen: boolean;
  maxAttempts: number;
}

/** The `attempt.failed` event for `error`. */
export function failureFacts(error: LlmError, context: FailureContext): AttemptFailure {
  const code = error.code;
  return {
    type: 'attempt.failed',
    retryable: context.retryable,
    rateLimited: code === LlmErrorCode.rateLimited,
    failoverable: failoverCodes.has(code),
    final: context.final,
    budgetExhausted: code === LlmErrorCode.budgetExhausted,
    delayMs: context.delayMs,
    circuitOpen: context.circuitOpen,
    preferFailover: code === LlmErrorCode.connection || (error instanceof DeadlineError && error.deadline === 'connect'),
    maxAttempts: context.maxAttempts,
  };
}
