/**
 * The prepared statements the audit store reuses; preparing once per connection keeps the
 * per-append cost to binding and stepping.
 */
import type Database from 'better-sqlite3';

/** A `runs` row as SQLite returns it. */
export interface RunRow {
  run_id: string;
  mission_name: string;
  mission_file: string;
  mission_hash: string;
  mission_source: string;
  vars: string;
  workspace: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  event_count: number;
  head_hash: string;
  owner: string | null;
}

const runColumns = 'run_id, mission_name, mission_file, mission_hash, mission_source, vars, workspace, status, started_at, ended_at, event_count, head_hash, owner';

/** The statements of one connection. */
export interface Statements {
  insertRun: Database.Statement;
  selectRun: Database.Statement;
  listRuns: Database.Statement;
  selectHead: Database.Statement;
  updateStatus: Database.Statement;
  updateHead: Database.Statement;
  insertEvent: Database.Statement;
  selectEvents: Database.Statement;
  insertPayload: Database.Statement;
  selectPayload: Database.Statement;
  erasePayloads: Database.Statement;
  eraseRunVars: Database.Statement;
}

/** Prepares every statement the store uses on `database`. */
export function openStatements(database: Database.Database): Statements {
  return {
    insertRun: database.prepare(
      'INSERT INTO runs (run_id, mission_name, mission_file, mission_hash, mission_source, vars, workspace, status, started_at, event_count, head_hash, head_signature, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    selectRun: database.prepare(`SELECT ${runColumns} FROM runs WHERE run_id = ?`),
    listRuns: database.prepare(`SELECT ${runColumns} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?`),
    selectHead: database.prepare('SELECT event_count, head_hash FROM runs WHERE run_id = ?').raw(),
    updateStatus: database.prepare('UPDATE runs SET status = ?, ended_at = ?, owner = ? WHERE run_id = ?'),
    updateHead: database.prepare('UPDATE runs SET event_count = ?, head_hash = ?, head_signature = ? WHERE run_id = ?'),
    insertEvent: database.prepare('INSERT INTO events (run_id, idx, body, hash) VALUES (?, ?, ?, ?)'),
    selectEvents: database.prepare('SELECT body, hash FROM events WHERE run_id = ? ORDER BY idx').raw(),
    // Re-storing content that was erased restores it: a new run recorded it legitimately.
    insertPayload: database.prepare(
      'INSERT INTO payloads (hash, content) VALUES (?, ?) ON CONFLICT (hash) DO UPDATE SET content = excluded.content, erased_at = NULL WHERE payloads.content IS NULL',
    ),
    selectPayload: database.prepare('SELECT content FROM payloads WHERE hash = ?').pluck(),
    erasePayloads: database.prepare(
      "UPDATE payloads SET content = NULL, erased_at = ? WHERE content IS NOT NULL AND hash IN (SELECT json_extract(body, '$.payloadHash') FROM events WHERE run_id = ?)",
    ),
    eraseRunVars: database.prepare("UPDATE runs SET vars = '{}' WHERE run_id = ?"),
  };
}
