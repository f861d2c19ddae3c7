/**
 * The run index: a store-level hash chain with one entry per run, in creation order, and a store
 * head (how many runs, the last entry's hash) that is HMAC-signed when the store has an audit key.
 *
 * Each run's own chain proves its events; only the index proves the set of runs. Without it,
 * deleting a run — its row, its events and its payloads — would leave a store that verifies. With
 * it, a deleted run leaves an index entry with no run, and removing the entry too breaks the index
 * chain or (for the last entry) the signed store head.
 */
import type Database from 'better-sqlite3';
import { hash } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { MigrationContext } from './schema.js';

/** What an index entry records about its run; its canonical JSON is the entry's `body`. */
export interface RunIndexEntry {
  /** 1-based position in the index. */
  seq: number;
  runId: string;
  missionHash: string;
  startedAt: string;
  /**
   * Set on entries written by the upgrade for runs recorded before run rows were signed: their
   * signature covers only the chain head (see `signHead`), so their other row facts are checked
   * against their events only.
   */
  legacy?: true;
}

/** The hash the first index entry links to. */
export const runIndexGenesis = hash('sha256', 'genesis:run-index', 'hex');

/** `sha256hex(prevHash ‖ canonical_json(entry))`, as for events. */
export function runIndexHash(prevHash: string, body: string): string {
  return hash('sha256', prevHash + body, 'hex');
}

/** The store head as stored. */
export interface StoreHead {
  runCount: number;
  headHash: string;
  signature: string | null;
}

/** Reads the store head; `undefined` when the row is missing (a damaged store). */
export function readStoreHead(database: Database.Database): StoreHead | undefined {
  const row = database.prepare('SELECT run_count, head_hash, signature FROM store_head WHERE id = 1').raw().get() as [number, string, string | null] | undefined;
  return row === undefined ? undefined : { runCount: row[0], headHash: row[1], signature: row[2] };
}

/**
 * Adds `runId` to the index and moves the store head. Call inside the transaction that inserts
 * the run row, so the two cannot part.
 */
export function appendRunIndex(
  database: Database.Database,
  entry: Omit<RunIndexEntry, 'seq'>,
  signStoreHead: MigrationContext['signStoreHead'],
): void {
  const head = readStoreHead(database) ?? { runCount: 0, headHash: runIndexGenesis, signature: null };
  const seq = head.runCount + 1;
  const body = canonicalJson({ ...entry, seq });
  const entryHash = runIndexHash(head.headHash, body);
  database.prepare('INSERT INTO run_index (seq, run_id, body, hash) VALUES (?, ?, ?, ?)').run(seq, entry.runId, body, entryHash);
  database
    .prepare('INSERT INTO store_head (id, run_count, head_hash, signature) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET run_count = excluded.run_count, head_hash = excluded.head_hash, signature = excluded.signature')
    .run(seq, entryHash, signStoreHead(seq, entryHash));
}

/**
 * The upgrade to the run index: every existing run gets a `legacy` entry, oldest first, and each
 * run row the hash of its variables. The store head is signed when the upgrading process has the
 * key; a store upgraded without it keeps an unsigned head, which verification with the key
 * reports (as it reports runs written without the key).
 */
export function backfillRunIndex(database: Database.Database, context: MigrationContext): void {
  const rows = database.prepare('SELECT run_id, mission_hash, started_at, vars FROM runs ORDER BY started_at, rowid').raw().all() as Array<[string, string, string, string]>;
  const setVarsHash = database.prepare('UPDATE runs SET vars_hash = ? WHERE run_id = ?');
  // Written with the store head last, so an empty store still gets its (signed) head row.
  database.prepare('INSERT INTO store_head (id, run_count, head_hash, signature) VALUES (1, 0, ?, ?)').run(runIndexGenesis, context.signStoreHead(0, runIndexGenesis));
  for (const [runId, missionHash, startedAt, vars] of rows) {
    setVarsHash.run(sha256Hex(vars), runId);
    appendRunIndex(database, { runId, missionHash, startedAt, legacy: true }, context.signStoreHead);
  }
}

/**
 * Signs a store head that the upgrade left unsigned because the upgrading process had no key
 * (`mission runs` without `MISSION_AUDIT_KEY`, say), as long as the index still holds nothing but
 * the upgrade's own legacy entries: no run has been recorded since, so there is nothing newer for
 * the signature to vouch for. Once any run is recorded, an unsigned head stays unsigned and
 * verification with the key reports it. Returns whether it signed.
 */
export function signUpgradedStoreHead(database: Database.Database, signStoreHead: MigrationContext['signStoreHead']): boolean {
  const adopt = database.transaction(() => {
    const head = readStoreHead(database);
    if (head === undefined || head.signature !== null) return false;
    const recordedSince = database.prepare("SELECT 1 FROM run_index WHERE json_extract(body, '$.legacy') IS NOT 1 LIMIT 1").get();
    if (recordedSince !== undefined) return false;
    const signature = signStoreHead(head.runCount, head.headHash);
    if (signature === null) return false;
    database.prepare('UPDATE store_head SET signature = ? WHERE id = 1').run(signature);
    return true;
  });
  // Most opens find a signed head: no write lock for them.
  if (readStoreHead(database)?.signature !== null) return false;
  return adopt.immediate();
}
