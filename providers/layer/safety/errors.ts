/**
 * Errors of the safety policy. A blocked call fails with `LLM_ERR_SAFETY_BLOCKED` (an
 * {@link LlmError}, so the retry machinery sees a non-retryable layer error); a policy that cannot
 * be compiled with `LLM_ERR_INVALID_CONFIG`; text over the scan bound with
 * `LLM_ERR_SAFETY_INPUT_TOO_LARGE`; a moderation service that cannot answer under `fail_closed`
 * with `LLM_ERR_MODERATION_UNAVAILABLE`.
 */
import { CodedError, LlmError, LlmErrorCode } from '../../errors.js';
import type { SafetyFinding } from './types.js';

/** Codes the safety policy adds to the catalogue (`docs/errors.md`). */
export const SafetyErrorCode = {
  inputTooLarge: 'LLM_ERR_SAFETY_INPUT_TOO_LARGE',
  moderationUnavailable: 'LLM_ERR_MODERATION_UNAVAILABLE',
} as const;

/** A call stopped by a `block` rule; names the rule and where it matched, never the text. */
export class SafetyBlockedError extends LlmError {
  readonly rule: string;
  readonly where: 'input' | 'output';
  constructor(finding: Pick<SafetyFinding, 'rule' | 'reason'>, where: 'input' | 'output') {
    super(LlmErrorCode.safetyBlocked, `blocked by safety rule ${finding.rule} in the ${where}: ${finding.reason}`);
    this.rule = finding.rule;
    this.where = where;
  }
}

/** A safety policy that cannot be used; `pointer` is the JSON pointer of the bad value. */
export class SafetyConfigError extends CodedError {
  readonly pointer: string;
  constructor(pointer: string, message: string) {
    super(LlmErrorCode.invalidConfig, `safety${pointer ? ` ${pointer}` : ''}: ${message}`);
    this.pointer = pointer;
  }
}

/** A text longer than the policy's `max_scan_chars`: refused rather than passed unscanned. */
export class SafetyInputTooLargeError extends CodedError {
  constructor(length: number, limit: number) {
    super(SafetyErrorCode.inputTooLarge, `text of ${length} characters is over the safety scan limit of ${limit} (max_scan_chars)`);
  }
}

/** External moderation failed (timeout, HTTP error, bad answer) and the policy says `fail_closed`. */
export class ModerationUnavailableError extends CodedError {
  constructor(message: string, cause?: unknown) {
    super(SafetyErrorCode.moderationUnavailable, message, { cause, isRetryable: true });
  }
}
