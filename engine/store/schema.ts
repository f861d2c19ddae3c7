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

/** Each entry upgrades the schema by one version; never edit a released entry, append a new one. */
const migrations: readonly string[] = [
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
];

/** The schema version this code writes. */
export const schemaVersion = migrations.length;

/** Brings the database up to {@link schemaVersion}, one migration per transaction. */
export function migrate(database: Database.Database): void {
  const apply = database.transaction((from: number) => {
    // Re-read inside the write lock: another process may have migrated while we waited.
    const current = database.pragma('user_version', { simple: true }) as number;
    if (current !== from) return;
    database.exec(migrations[from]);
    database.pragma(`user_version = ${from + 1}`);
  });
  for (;;) {
    const version = database.pragma('user_version', { simple: true }) as number;
    if (version >= migrations.length) return;
    apply.immediate(version);
  }
}
