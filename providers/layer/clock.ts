/** The real clock: `Date.now` and timers that never keep a process alive on their own. */
import type { LayerClock } from './stage.js';

/** Node fires timers longer than this after 1 ms; longer waits are re-armed by whoever set them. */
const longestTimerMs = 2_147_483_647;

/**
 * The wall clock; its timers are unref'd (a pending probe must not hold a CLI open) and capped at
 * Node's longest timer (the layer's deadline checks re-arm when woken early).
 */
export const systemClock: LayerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, Math.min(Math.max(0, ms), longestTimerMs));
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
