/**
 * A token bucket refilled continuously: `capacity` units per minute. Requests and tokens per
 * minute are both buckets; a call takes from them when it starts, and a token estimate is
 * corrected (given back or taken further) when the real usage is known.
 */

const minuteMs = 60_000;

/** One per-minute allowance. */
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    /** Units per minute, and the most the bucket holds. */
    public capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.updatedAt = now;
  }

  /** Units available at `now`. */
  available(now: number): number {
    this.refill(now);
    return this.level;
  }

  /** Takes `amount` (may leave the bucket negative when correcting an underestimate). */
  take(amount: number, now: number): void {
    this.refill(now);
    this.level -= amount;
  }

  /** Gives back `amount`, never above capacity. */
  give(amount: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity, this.level + amount);
  }

  /** Lowers the level to what a provider says is left (never raises it: ours may know of calls in flight). */
  clampTo(remaining: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.level, remaining);
  }

  /** A new capacity (a limit learned from headers); the level keeps its share. */
  resize(capacity: number, now: number): void {
    this.refill(now);
    if (capacity === this.capacity) return;
    this.level = Math.min(capacity, this.level + (capacity - this.capacity));
    this.capacity = capacity;
  }

  /** Milliseconds until `amount` units are available (0 when they already are). */
  waitFor(amount: number, now: number): number {
    this.refill(now);
    if (this.level >= amount) return 0;
    return Math.ceil(((amount - this.level) * minuteMs) / this.capacity);
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    this.level = Math.min(this.capacity, this.level + ((now - this.updatedAt) * this.capacity) / minuteMs);
    this.updatedAt = now;
  }
}
