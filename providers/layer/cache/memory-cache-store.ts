/**
 * The in-memory {@link ResponseCacheStore}: an LRU (lru-cache) bounded by entry count, and a
 * tiered store that puts such an LRU in front of a slower one (SQLite) so repeated hits never
 * touch the database.
 */
import { LRUCache } from 'lru-cache';
import type { CacheOutcome, CacheStats, CachedAnswer, ResponseCacheStore } from './cache-types.js';

interface Sized {
  answer: CachedAnswer;
  bytes: number;
}

/** Answers kept in this process only, least recently used evicted first. */
export class MemoryCacheStore implements ResponseCacheStore {
  readonly #entries: LRUCache<string, Sized>;
  readonly #counts = { hits: 0, misses: 0, bypasses: 0, writes: 0, savedMicros: 0 };

  constructor(maxEntries = 1_000) {
    this.#entries = new LRUCache<string, Sized>({ max: maxEntries });
  }

  get(key: string, now: number): CachedAnswer | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.answer.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.answer;
  }

  set(key: string, answer: CachedAnswer): void {
    this.#entries.set(key, { answer, bytes: JSON.stringify(answer.events).length });
  }

  count(outcome: CacheOutcome, savedMicros = 0): void {
    if (outcome === 'hit') {
      this.#counts.hits++;
      this.#counts.savedMicros += savedMicros;
    } else if (outcome === 'miss') this.#counts.misses++;
    else if (outcome === 'bypass') this.#counts.bypasses++;
    else this.#counts.writes++;
  }

  clear(options: { expiredAt?: number } = {}): number {
    if (options.expiredAt === undefined) {
      const removed = this.#entries.size;
      this.#entries.clear();
      return removed;
    }
    let removed = 0;
    for (const [key, entry] of this.#entries.entries()) {
      if (entry.answer.expiresAt <= options.expiredAt) {
        this.#entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  stats(now: number): CacheStats {
    let bytes = 0;
    let expiredEntries = 0;
    for (const entry of this.#entries.values()) {
      bytes += entry.bytes;
      if (entry.answer.expiresAt <= now) expiredEntries++;
    }
    return { entries: this.#entries.size, bytes, expiredEntries, ...this.#counts };
  }

  /** Forgets one entry (the tiered store keeps its front in step with the back). */
  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/** An LRU in front of `back`: reads fall through and fill the front; writes go to both. */
export class TieredCacheStore implements ResponseCacheStore {
  readonly #front: MemoryCacheStore;

  constructor(
    private readonly back: ResponseCacheStore,
    frontEntries = 1_000,
  ) {
    this.#front = new MemoryCacheStore(frontEntries);
  }

  get(key: string, now: number): CachedAnswer | undefined | Promise<CachedAnswer | undefined> {
    const near = this.#front.get(key, now);
    if (near) return near;
    const far = this.back.get(key, now);
    const remember = (answer: CachedAnswer | undefined): CachedAnswer | undefined => {
      if (answer) this.#front.set(key, answer);
      return answer;
    };
    return far instanceof Promise ? far.then(remember) : remember(far);
  }

  set(key: string, answer: CachedAnswer): void | Promise<void> {
    this.#front.set(key, answer);
    return this.back.set(key, answer);
  }

  count(outcome: CacheOutcome, savedMicros?: number): void | Promise<void> {
    return this.back.count(outcome, savedMicros);
  }

  clear(options: { expiredAt?: number } = {}): number | Promise<number> {
    this.#front.clear(options);
    return this.back.clear(options);
  }

  stats(now: number): CacheStats | Promise<CacheStats> {
    return this.back.stats(now);
  }
}
