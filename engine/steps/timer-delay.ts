/**
 * Timer delays that mean what they say. Node fires a timer whose delay does not fit a signed
 * 32-bit integer after 1 ms, so a generous `timeout_seconds` (a month, say) would time out at once.
 */

/** The longest delay a Node timer honours (about 24.8 days). */
export const maxTimerDelayMs = 2 ** 31 - 1;

/** `ms` capped at {@link maxTimerDelayMs}: beyond it a step's timeout is as good as none. */
export function timerDelay(ms: number): number {
  return Math.min(ms, maxTimerDelayMs);
}
