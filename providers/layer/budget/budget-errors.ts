/** The error of a call a budget stops. */
import { LlmError, LlmErrorCode } from '../../errors.js';

/** What {@link BudgetExhaustedError} knows. */
export interface BudgetExhaustedDetails {
  /** The bucket that ran out (`mission:hello|day:2026-12-01`). */
  bucket: string;
  limitMicros: number;
  spentMicros: number;
  reservedMicros: number;
  /** True when the budget says `on_exhausted: pause`: the run should pause, not fail. */
  pause: boolean;
  /** Set when a stream was cut at its reservation. */
  incomplete?: boolean;
  deliveredChars?: number;
  provider?: string;
}

/**
 * `LLM_ERR_BUDGET_EXHAUSTED`: never retryable, and no failover (every target costs money from the
 * same budget). With `pause: true` the engine pauses the run instead of failing it.
 */
export class BudgetExhaustedError extends LlmError {
  readonly bucket: string;
  readonly limitMicros: number;
  readonly spentMicros: number;
  readonly reservedMicros: number;
  readonly pause: boolean;

  constructor(message: string, details: BudgetExhaustedDetails) {
    super(LlmErrorCode.budgetExhausted, message, {
      isRetryable: false,
      incomplete: details.incomplete,
      deliveredChars: details.deliveredChars,
      provider: details.provider,
    });
    this.bucket = details.bucket;
    this.limitMicros = details.limitMicros;
    this.spentMicros = details.spentMicros;
    this.reservedMicros = details.reservedMicros;
    this.pause = details.pause;
  }

  override toJSON(): ReturnType<LlmError['toJSON']> & { bucket: string; limitMicros: number; spentMicros: number; pause: boolean } {
    return { ...super.toJSON(), bucket: this.bucket, limitMicros: this.limitMicros, spentMicros: this.spentMicros, pause: this.pause };
  }
}

/** Formats micro-dollars as dollars for messages (`$0.123456`). */
export function formatUsd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const absolute = Math.abs(Math.trunc(micros));
  return `${sign}$${Math.floor(absolute / 1_000_000)}.${String(absolute % 1_000_000).padStart(6, '0')}`;
}
