/**
 * The cost tables (usage ledger, budgets) in the engine's SQLite file, next to the audit store's
 * own tables but opened through their own connection: `CREATE TABLE IF NOT EXISTS` (no shared
 * schema version), WAL, and a busy timeout so processes sharing the file wait their turn.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MissionError, MissionErrorCode } from '../errors.js';

/** How long a writer waits for another process's transaction before failing. */
const busyTimeoutMs = 10_000;

const schema = `
CREATE TABLE IF NOT EXISTS cost_ledger (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  generation_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  run_id TEXT, step_id TEXT, mission TEXT, user_name TEXT, session TEXT,
  tags TEXT NOT NULL,
  provider TEXT NOT NULL, model TEXT NOT NULL, route TEXT,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL, cache_write_input_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  raw_usage TEXT,
  cost_micros INTEGER,
  estimated INTEGER NOT NULL,
  price_version TEXT NOT NULL,
  cache_hit INTEGER NOT NULL,
  saved_micros INTEGER NOT NULL,
  prompt_hash TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cost_ledger_at ON cost_ledger(at);
CREATE INDEX IF NOT EXISTS cost_ledger_run ON cost_ledger(run_id);
CREATE TABLE IF NOT EXISTS budget_spend (
  bucket TEXT PRIMARY KEY,
  spent_micros INTEGER NOT NULL DEFAULT 0,
  alerted_permille INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS budget_reservations (
  reservation_id TEXT NOT NULL,
  bucket TEXT NOT NULL,
  micros INTEGER NOT NULL,
  lease_until INTEGER NOT NULL,
  PRIMARY KEY (reservation_id, bucket)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS budget_reservations_bucket ON budget_reservations(bucket, lease_until, micros);
CREATE INDEX IF NOT EXISTS budget_reservations_lease ON budget_reservations(lease_until);
CREATE TABLE IF NOT EXISTS budget_limits (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  period TEXT NOT NULL,
  rule TEXT NOT NULL,
  PRIMARY KEY (scope, name, period)
);
`;

/** Opens (creating the folder and tables as needed) the cost tables of the database at `path`. */
export function openCostDatabase(path: string): Database.Database {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  let database: Database.Database | undefined;
  try {
    database = new Database(path, { timeout: busyTimeoutMs });
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.exec(schema);
    return database;
  } catch (error) {
    database?.close();
    throw new MissionError(MissionErrorCode.io, `Could not open the cost tables: ${(error as Error).message}`, { cause: error });
  }
}
