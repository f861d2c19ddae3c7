/**
 * A timer for any delay. `setTimeout` fires a delay that does not fit a signed 32-bit integer
 * (about 24.8 days) after 1 ms, so a generous `timeout_seconds` would otherwise time out at once.
 */

/** The longest delay `setTimeout` honours. */
const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * Calls `callback` once `milliseconds` have passed, however long that is (a mission may wait days
 * for an approval); returns the function that cancels it.
 */
export function startTimer(callback: () => void, milliseconds: number): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (remaining: number): void => {
    timer = setTimeout(
      () => (remaining > maxTimerDelayMs ? arm(remaining - maxTimerDelayMs) : callback()),
      Math.min(remaining, maxTimerDelayMs),
    );
  };
  arm(milliseconds);
  return () => clearTimeout(timer);
}
