/**
 * The response cache's vocabulary: what a cached answer holds, the settings a user writes under
 * `llm.cache`, and the storage interface (in memory by default; SQLite in the engine; a shared
 * database later) so the layer never depends on where answers are kept.
 */
import type { LlmEvent } from '../../types.js';

/** What the cache does: read and write, only one of them, or nothing. */
export type CacheMode = 'on' | 'off' | 'read-only' | 'write-only';

/** Which callers share answers: everyone, callers of the same mission, or of the same user (tenant). */
export type CacheScope = 'global' | 'mission' | 'user';

/** `llm.cache` as users write it (snake_case, all optional). */
export interface CacheConfig {
  mode?: CacheMode;
  ttl_seconds?: number;
  scope?: CacheScope;
  /** Cache answers of requests with `temperature > 0` (or unset: every provider's default is > 0). */
  nondeterministic?: boolean;
  /** Answers larger than this (serialized) are not cached. */
  max_entry_bytes?: number;
  /** Size of the in-memory LRU in front of the store. */
  memory_entries?: number;
}

/** {@link CacheConfig} with every default filled in. */
export interface CacheSettings {
  mode: CacheMode;
  ttlMs: number;
  scope: CacheScope;
  nondeterministic: boolean;
  maxEntryBytes: number;
  memoryEntries: number;
}

/** One cached answer: its events in order, with their original chunk boundaries. */
export interface CachedAnswer {
  /** `start` … `finish`: deltas as they were streamed, `usage` and the finish reason. */
  events: LlmEvent[];
  /** The target that served the original answer. */
  provider: string;
  model: string;
  /** The scope value the answer belongs to (`''` for global). */
  scope: string;
  createdAt: number;
  expiresAt: number;
  /** What the original answer cost, when the price was known (what a hit saves). */
  costMicros?: number;
}

/** What happened to one lookup or write, counted for `mission cache stats`. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass' | 'write';

/** Totals for `mission cache stats`. */
export interface CacheStats {
  entries: number;
  bytes: number;
  expiredEntries: number;
  hits: number;
  misses: number;
  bypasses: number;
  writes: number;
  /** Money hits saved: the recorded cost of each answer served from the cache. */
  savedMicros: number;
}

/**
 * Where answers are kept. Synchronous or asynchronous results are both accepted, so a networked
 * database can implement it as well as SQLite or memory.
 */
export interface ResponseCacheStore {
  /** The answer under `key`, unless missing or expired at `now`. */
  get(key: string, now: number): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer): void | Promise<void>;
  /** Counts an outcome; `savedMicros` with hits. */
  count(outcome: CacheOutcome, savedMicros?: number): void | Promise<void>;
  /** Removes every entry (or only the expired ones at `now`) and says how many went. */
  clear(options?: { expiredAt?: number }): number | Promise<number>;
  stats(now: number): CacheStats | Promise<CacheStats>;
}
