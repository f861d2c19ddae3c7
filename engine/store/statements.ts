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
  vars_hash: string | null;
  erased_at: string | null;
  head_signature: string | null;
}

/** The columns of {@link RunRow}, for `SELECT`. */
export const runColumns =
  'run_id, mission_name, mission_file, mission_hash, mission_source, vars, workspace, status, started_at, ended_at, event_count, head_hash, owner, vars_hash, erased_at, head_signature';

/** The statements of one connection. */
export interface Statements {
  insertRun: Database.Statement;
  selectRun: Database.Statement;
  listRuns: Database.Statement;
  listRunsStartedBefore: Database.Statement;
  selectHead: Database.Statement;
  updateStatus: Database.Statement;
  updateHead: Database.Statement;
  insertEvent: Database.Statement;
  selectEvents: Database.Statement;
  insertPayload: Database.Statement;
  selectPayload: Database.Statement;
  selectAnyPayload: Database.Statement;
  erasePayloads: Database.Statement;
  eraseRun: Database.Statement;
  selectIndexEntry: Database.Statement;
}

/** Prepares every statement the store uses on `database`. */
export function openStatements(database: Database.Database): Statements {
  return {
    insertRun: database.prepare(
      'INSERT INTO runs (run_id, mission_name, mission_file, mission_hash, mission_source, vars, workspace, status, started_at, event_count, head_hash, head_signature, owner, vars_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    selectRun: database.prepare(`SELECT ${runColumns} FROM runs WHERE run_id = ?`),
    listRuns: database.prepare(`SELECT ${runColumns} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?`),
    listRunsStartedBefore: database.prepare(`SELECT ${runColumns} FROM runs WHERE started_at < ? ORDER BY started_at DESC, rowid DESC LIMIT ?`),
    selectHead: database.prepare('SELECT event_count, head_hash FROM runs WHERE run_id = ?').raw(),
    updateStatus: database.prepare('UPDATE runs SET status = ?, ended_at = ?, owner = ?, head_signature = ? WHERE run_id = ?'),
    updateHead: database.prepare('UPDATE runs SET event_count = ?, head_hash = ?, head_signature = ? WHERE run_id = ?'),
    insertEvent: database.prepare('INSERT INTO events (run_id, idx, body, hash) VALUES (?, ?, ?, ?)'),
    selectEvents: database.prepare('SELECT body, hash FROM events WHERE run_id = ? ORDER BY idx').raw(),
    // Payloads are per run, and an erased one stays erased: the same content recorded again by
    // the same run does not restore it (other runs have copies of their own).
    insertPayload: database.prepare('INSERT INTO payloads (run_id, hash, content) VALUES (?, ?, ?) ON CONFLICT (run_id, hash) DO NOTHING'),
    selectPayload: database.prepare('SELECT content, erased_at FROM payloads WHERE run_id = ? AND hash = ?').raw(),
    selectAnyPayload: database.prepare('SELECT content FROM payloads WHERE hash = ? AND content IS NOT NULL LIMIT 1').pluck(),
    erasePayloads: database.prepare('UPDATE payloads SET content = NULL, erased_at = ? WHERE run_id = ? AND content IS NOT NULL'),
    eraseRun: database.prepare("UPDATE runs SET vars = '{}', mission_source = '', erased_at = ?, head_signature = ? WHERE run_id = ?"),
    selectIndexEntry: database.prepare('SELECT body FROM run_index WHERE run_id = ?').pluck(),
  };
}
