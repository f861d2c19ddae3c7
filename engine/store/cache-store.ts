/**
 * The response cache on SQLite: answers in `llm_cache` (keyed by the request's SHA-256), outcome
 * counters in `llm_cache_counters`. It opens its own connection to the run database (WAL lets the
 * audit store and it share the file), creating its tables on first use.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CacheOutcome, CacheStats, CachedAnswer, ResponseCacheStore } from '../../providers/layer/cache/cache-types.js';

const busyTimeoutMs = 5_000;
/** How many writes pass between sweeps of expired entries. */
const sweepEvery = 200;

const schema = `
CREATE TABLE IF NOT EXISTS llm_cache (
  key TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  cost_micros INTEGER,
  bytes INTEGER NOT NULL,
  events TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_cache_expiry ON llm_cache (expires_at);
CREATE TABLE IF NOT EXISTS llm_cache_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);`;

const counterNames: Record<CacheOutcome, string> = { hit: 'hits', miss: 'misses', bypass: 'bypasses', write: 'writes' };

/** A {@link ResponseCacheStore} in a SQLite file (or `:memory:`). */
export class SqliteCacheStore implements ResponseCacheStore {
  readonly #database: Database.Database;
  readonly #select: Database.Statement<[string, number]>;
  readonly #upsert: Database.Statement;
  readonly #bump: Database.Statement<[string, number]>;
  #writesSinceSweep = 0;

  private constructor(database: Database.Database) {
    this.#database = database;
    this.#select = database.prepare('SELECT provider, model, scope, created_at, expires_at, cost_micros, events FROM llm_cache WHERE key = ? AND expires_at > ?');
    this.#upsert = database.prepare(
      `INSERT INTO llm_cache (key, scope, provider, model, created_at, expires_at, cost_micros, bytes, events)
       VALUES (@key, @scope, @provider, @model, @createdAt, @expiresAt, @costMicros, @bytes, @events)
       ON CONFLICT(key) DO UPDATE SET scope = excluded.scope, provider = excluded.provider, model = excluded.model,
         created_at = excluded.created_at, expires_at = excluded.expires_at, cost_micros = excluded.cost_micros,
         bytes = excluded.bytes, events = excluded.events`,
    );
    this.#bump = database.prepare('INSERT INTO llm_cache_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value');
  }

  /** Opens the cache tables in the database at `path`, creating folder, file and tables as needed. */
  static open(path: string): SqliteCacheStore {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    const database = new Database(path, { timeout: busyTimeoutMs });
    try {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      // Cleared answers may hold private text: zero their pages rather than leave them in free space.
      database.pragma('secure_delete = ON');
      database.exec(schema);
    } catch (error) {
      database.close();
      throw error;
    }
    return new SqliteCacheStore(database);
  }

  get(key: string, now: number): CachedAnswer | undefined {
    const row = this.#select.get(key, now) as
      | { provider: string; model: string; scope: string; created_at: number; expires_at: number; cost_micros: number | null; events: string }
      | undefined;
    if (!row) return undefined;
    return {
      events: JSON.parse(row.events),
      provider: row.provider,
      model: row.model,
      scope: row.scope,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      costMicros: row.cost_micros ?? undefined,
    };
  }

  set(key: string, answer: CachedAnswer): void {
    const events = JSON.stringify(answer.events);
    this.#upsert.run({
      key,
      scope: answer.scope,
      provider: answer.provider,
      model: answer.model,
      createdAt: Math.floor(answer.createdAt),
      expiresAt: Math.floor(answer.expiresAt),
      costMicros: answer.costMicros ?? null,
      bytes: Buffer.byteLength(events),
      events,
    });
    if (++this.#writesSinceSweep >= sweepEvery) {
      this.#writesSinceSweep = 0;
      this.clear({ expiredAt: answer.createdAt });
    }
  }

  count(outcome: CacheOutcome, savedMicros = 0): void {
    this.#database.transaction(() => {
      this.#bump.run(counterNames[outcome], 1);
      if (outcome === 'hit' && savedMicros > 0) this.#bump.run('saved_micros', Math.round(savedMicros));
    })();
  }

  clear(options: { expiredAt?: number } = {}): number {
    if (options.expiredAt === undefined) {
      return this.#database.transaction(() => {
        const removed = this.#database.prepare('DELETE FROM llm_cache').run().changes;
        this.#database.prepare('DELETE FROM llm_cache_counters').run();
        return removed;
      })();
    }
    return this.#database.prepare('DELETE FROM llm_cache WHERE expires_at <= ?').run(Math.floor(options.expiredAt)).changes;
  }

  stats(now: number): CacheStats {
    const totals = this.#database
      .prepare('SELECT count(*) AS entries, coalesce(sum(bytes), 0) AS bytes, coalesce(sum(expires_at <= ?), 0) AS expired FROM llm_cache')
      .get(Math.floor(now)) as { entries: number; bytes: number; expired: number };
    const counters = new Map(
      (this.#database.prepare('SELECT name, value FROM llm_cache_counters').all() as { name: string; value: number }[]).map((row) => [row.name, row.value]),
    );
    return {
      entries: totals.entries,
      bytes: totals.bytes,
      expiredEntries: totals.expired,
      hits: counters.get('hits') ?? 0,
      misses: counters.get('misses') ?? 0,
      bypasses: counters.get('bypasses') ?? 0,
      writes: counters.get('writes') ?? 0,
      savedMicros: counters.get('saved_micros') ?? 0,
    };
  }

  close(): void {
    this.#database.close();
  }
}
