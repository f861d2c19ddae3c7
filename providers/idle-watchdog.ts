/**
 * The idle timeout of a stream: fires when the stream produced no event for `idleMs`. Keep-alive
 * comments produce no events, so they do not reset it; time spent waiting for the consumer is
 * paused out.
 */

/**
 * One timer per stream, not one per chunk: it fires at most once per idle period and, when the
 * stream made progress meanwhile, re-arms for the rest of the period.
 */
export class IdleWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastProgress = 0;
  private paused = false;
  private running = false;
  private stopped = false;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
  ) {}

  /** Marks progress; the first call starts the watch. */
  progress(): void {
    this.lastProgress = Date.now();
    if (this.running || this.stopped) return;
    this.running = true;
    this.arm(this.idleMs);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.progress();
  }

  stop(): void {
    this.running = false;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), ms);
    // A stalled stream must not keep a process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private check(): void {
    this.timer = undefined;
    if (!this.running) return;
    const silent = Date.now() - this.lastProgress;
    if (this.paused || silent < this.idleMs) {
      this.arm(this.paused ? this.idleMs : this.idleMs - silent);
      return;
    }
    this.stop();
    this.onIdle();
  }
}
