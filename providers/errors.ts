/**
 * Errors of the whole project share one base, {@link CodedError}: a stable `code`, a `cause`, and an
 * `isRetryable` flag the retry machinery reads. Codes are catalogued in `docs/errors.md`.
 */
import type { RateLimitInfo } from './types.js';

const codedErrorBrand = Symbol.for('mission-engine.coded-error');

/** Options every coded error accepts. */
export interface CodedErrorOptions {
  cause?: unknown;
  isRetryable?: boolean;
}

/**
 * Base of every error this project throws. `instanceof` works across duplicate copies of the
 * package (as in undici) because it checks a global symbol, not the prototype chain alone.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly isRetryable: boolean;

  constructor(code: string, message: string, options: CodedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
  }

  get [codedErrorBrand](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== CodedError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[codedErrorBrand] === true;
  }

  /** A plain object for logs, JSON output and the audit store (no stack, no cause chain). */
  toJSON(): { code: string; message: string; isRetryable: boolean } {
    return { code: this.code, message: this.message, isRetryable: this.isRetryable };
  }
}

/** Stable codes of LLM-layer errors. */
export const LlmErrorCode = {
  rateLimited: 'LLM_ERR_RATE_LIMITED',
  quotaExceeded: 'LLM_ERR_QUOTA_EXCEEDED',
  authentication: 'LLM_ERR_AUTHENTICATION',
  permissionDenied: 'LLM_ERR_PERMISSION_DENIED',
  badRequest: 'LLM_ERR_BAD_REQUEST',
  notFound: 'LLM_ERR_NOT_FOUND',
  contextLength: 'LLM_ERR_CONTEXT_LENGTH',
  server: 'LLM_ERR_SERVER',
  overloaded: 'LLM_ERR_OVERLOADED',
  timeout: 'LLM_ERR_TIMEOUT',
  connection: 'LLM_ERR_CONNECTION',
  streamInterrupted: 'LLM_ERR_STREAM_INTERRUPTED',
  malformedResponse: 'LLM_ERR_MALFORMED_RESPONSE',
  aborted: 'LLM_ERR_ABORTED',
  notConfigured: 'LLM_ERR_NOT_CONFIGURED',
  invalidOutput: 'LLM_ERR_INVALID_OUTPUT',
  responseTooLarge: 'LLM_ERR_RESPONSE_TOO_LARGE',
  budgetExhausted: 'LLM_ERR_BUDGET_EXHAUSTED',
  circuitOpen: 'LLM_ERR_CIRCUIT_OPEN',
  safetyBlocked: 'LLM_ERR_SAFETY_BLOCKED',
  toolCallInterrupted: 'LLM_ERR_TOOL_CALL_INTERRUPTED',
  invalidConfig: 'LLM_ERR_INVALID_CONFIG',
} as const;

/** One of {@link LlmErrorCode}'s values. */
export type LlmErrorCodeValue = (typeof LlmErrorCode)[keyof typeof LlmErrorCode];

/** What an {@link LlmError} knows beyond its code and message. */
export interface LlmErrorDetails extends CodedErrorOptions {
  provider?: string;
  /** HTTP status, where the error came from an HTTP response. */
  status?: number;
  /** The provider's own error code or type (`insufficient_quota`, `overloaded_error`, …). */
  providerCode?: string;
  /** How long the provider asked us to wait before retrying, in milliseconds. */
  retryAfterMs?: number;
  rateLimit?: RateLimitInfo;
  requestId?: string;
  /** True when the failure cut an answer whose content had already begun streaming. */
  incomplete?: boolean;
  /** Characters of answer text delivered before the failure. */
  deliveredChars?: number;
}

/** An error from a provider call, typed by a stable code. */
export class LlmError extends CodedError {
  readonly provider?: string;
  readonly status?: number;
  readonly providerCode?: string;
  readonly retryAfterMs?: number;
  readonly rateLimit?: RateLimitInfo;
  readonly requestId?: string;
  readonly incomplete?: boolean;
  readonly deliveredChars?: number;

  constructor(code: LlmErrorCodeValue, message: string, details: LlmErrorDetails = {}) {
    super(code, message, details);
    this.provider = details.provider;
    this.status = details.status;
    this.providerCode = details.providerCode;
    this.retryAfterMs = details.retryAfterMs;
    this.rateLimit = details.rateLimit;
    this.requestId = details.requestId;
    this.incomplete = details.incomplete;
    this.deliveredChars = details.deliveredChars;
  }

  override toJSON(): { code: string; message: string; isRetryable: boolean } & Omit<LlmErrorDetails, 'cause' | 'isRetryable'> {
    return {
      ...super.toJSON(),
      provider: this.provider,
      status: this.status,
      providerCode: this.providerCode,
      retryAfterMs: this.retryAfterMs,
      requestId: this.requestId,
      incomplete: this.incomplete,
      deliveredChars: this.deliveredChars,
    };
  }
}
