/** The real clock: `Date.now` and timers that never keep a process alive on their own. */
import type { LayerClock } from './stage.js';

/** The wall clock; its timers are unref'd (a pending probe must not hold a CLI open). */
export const systemClock: LayerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
