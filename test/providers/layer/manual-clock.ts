/**
 * A fake clock for the layer (`LayerClock`): time moves only when a test advances it, so every
 * wait the layer makes (backoff, deadlines, probes) is exact and instant, while real loopback I/O
 * to the fake servers runs as usual.
 */
import type { LayerClock } from '../../../providers/layer/stage.js';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** A manually advanced clock. */
export class ManualClock implements LayerClock {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Timers still pending. */
  pending(): number {
    return this.timers.length;
  }

  /** When the next timer is due, or undefined. */
  nextAt(): number | undefined {
    let earliest: number | undefined;
    for (const timer of this.timers) if (earliest === undefined || timer.at < earliest) earliest = timer.at;
    return earliest;
  }

  /** Moves time on by `ms`, firing due timers in order (each sees `now()` at its due time). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((left, right) => left.at - right.at || left.id - right.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = target;
  }
}

/** Waits (in real time, for loopback I/O) until `condition` holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
