/**
 * The audit store's tables and their migrations, tracked in SQLite's `user_version`.
 *
 * Events keep their hashed content as one canonical-JSON column (`body`) so verification hashes
 * the stored text as it is. The other event columns are either keys (`run_id`, `idx`) that the
 * chain itself authenticates — a row moved to another run or position no longer links — or the
 * event's hash, which verification recomputes and compares. There is deliberately no `prev_hash`
 * column: it is the previous row's hash, and a second, editable copy would only need checking.
 */
import type Database from 'better-sqlite3';
import { backfillRunIndex } from './run-index.js';

/** What a migration written as code may need: the audit key, to sign what it builds. */
export interface MigrationContext {
  /** Signs the store head (see {@link backfillRunIndex}); `null` when the store has no key. */
  signStoreHead(runCount: number, headHash: string): string | null;
}

/** A migration: SQL, or code for what SQL cannot compute (hashes, signatures). */
type Migration = string | ((database: Database.Database, context: MigrationContext) => void);

/** Each entry upgrades the schema by one version; never edit a released entry, append a new one. */
const migrations: readonly Migration[] = [
  `
  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    mission_name TEXT NOT NULL,
    mission_file TEXT NOT NULL,
    mission_hash TEXT NOT NULL,
    mission_source TEXT NOT NULL,
    vars TEXT NOT NULL,
    workspace TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    event_count INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    head_signature TEXT
  );
  CREATE INDEX runs_started_at ON runs (started_at);
  CREATE TABLE events (
    run_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
  ) WITHOUT ROWID;
  CREATE TABLE payloads (
    hash TEXT PRIMARY KEY,
    content TEXT,
    erased_at TEXT
  ) WITHOUT ROWID;
  `,
  // Which process runs the run ("host:pid"), while its status is running: resume checks it.
  `ALTER TABLE runs ADD COLUMN owner TEXT;`,
  // Payloads become per run: erasing one run must not erase another's identical content, and a
  // later run recording the same content must not bring an erased copy back. The run row gains
  // the hash of its variables (so its signature still covers them once they are erased) and the
  // time of its erasure; the run index anchors the set of runs (see run-index.ts).
  `
  CREATE TABLE run_payloads (
    run_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    content TEXT,
    erased_at TEXT,
    PRIMARY KEY (run_id, hash)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO run_payloads (run_id, hash, content, erased_at)
    SELECT events.run_id, payloads.hash, payloads.content, payloads.erased_at
    FROM events JOIN payloads ON payloads.hash = json_extract(events.body, '$.payloadHash');
  DROP TABLE payloads;
  ALTER TABLE run_payloads RENAME TO payloads;
  ALTER TABLE runs ADD COLUMN vars_hash TEXT;
  ALTER TABLE runs ADD COLUMN erased_at TEXT;
  CREATE TABLE run_index (
    seq INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TABLE store_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    run_count INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    signature TEXT
  );
  `,
  (database, context) => backfillRunIndex(database, context),
];

/** The tables (and their columns) this code reads and writes; anything missing means damage. */
export const requiredColumns: Readonly<Record<string, readonly string[]>> = {
  runs: [
    'run_id', 'mission_name', 'mission_file', 'mission_hash', 'mission_source', 'vars', 'workspace', 'status', 'started_at',
    'ended_at', 'event_count', 'head_hash', 'head_signature', 'owner', 'vars_hash', 'erased_at',
  ],
  events: ['run_id', 'idx', 'body', 'hash'],
  payloads: ['run_id', 'hash', 'content', 'erased_at'],
  run_index: ['seq', 'run_id', 'body', 'hash'],
  store_head: ['id', 'run_count', 'head_hash', 'signature'],
};

/** The schema version this code writes. */
export const schemaVersion = migrations.length;

/** Brings the database up to {@link schemaVersion}, one migration per transaction. */
export function migrate(database: Database.Database, context: MigrationContext): void {
  const apply = database.transaction((from: number) => {
    // Re-read inside the write lock: another process may have migrated while we waited.
    const current = database.pragma('user_version', { simple: true }) as number;
    if (current !== from) return;
    const migration = migrations[from];
    if (typeof migration === 'string') database.exec(migration);
    else migration(database, context);
    database.pragma(`user_version = ${from + 1}`);
  });
  for (;;) {
    const version = database.pragma('user_version', { simple: true }) as number;
    if (version >= migrations.length) return;
    apply.immediate(version);
  }
}
