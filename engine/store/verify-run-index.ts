/**
 * Verification of the run index (see run-index.ts): the store-level chain that anchors which runs
 * exist. A deleted run, a run row with no entry, an edited entry, a removed last entry and an
 * unsigned or rewritten store head are each reported.
 */
import type Database from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { signaturesMatch, signStoreHead } from './chain.js';
import { readStoreHead, runIndexGenesis, runIndexHash, type RunIndexEntry } from './run-index.js';
import { runColumns, type RunRow } from './statements.js';
import type { VerifyProblem } from './types.js';

/** Entries read per page: bounded memory for stores with many runs. */
const pageSize = 1024;

/** Checks one indexed run (its chain, its row); returns its problem, if any. */
export type VisitRun = (entry: RunIndexEntry, row: RunRow) => VerifyProblem | undefined;

/**
 * Walks the whole index in creation order, handing each entry's run to `visit`, then checks the
 * store head and that no run is missing from the index. Returns the first problem.
 */
export function walkRunIndex(database: Database.Database, key: KeyObject | undefined, visit: VisitRun): VerifyProblem | undefined {
  const head = readStoreHead(database);
  if (head === undefined) return { runId: '*', reason: "The store head (the run index's anchor) is missing: the store_head row was deleted." };
  const page = database.prepare(`SELECT seq, run_id, body, hash FROM run_index WHERE seq > ? ORDER BY seq LIMIT ${pageSize}`).raw();
  const selectRun = database.prepare(`SELECT ${runColumns} FROM runs WHERE run_id = ?`);
  let previousHash = runIndexGenesis;
  let expectedSeq = 1;
  for (;;) {
    const rows = page.all(expectedSeq - 1) as Array<[number, string, string, string]>;
    for (const [seq, runId, body, hash] of rows) {
      if (seq !== expectedSeq) return { runId, reason: `Run index entry ${expectedSeq} is missing: a run was deleted with its index entry.` };
      if (runIndexHash(previousHash, body) !== hash) return { runId, reason: `Run index entry ${seq} does not match its hash: the entry was edited, or an earlier one removed.` };
      const entry = parseEntry(body);
      if (entry === undefined || entry.runId !== runId || entry.seq !== seq) return { runId, reason: `Run index entry ${seq} does not describe run "${runId}": the index was edited.` };
      const row = selectRun.get(runId) as RunRow | undefined;
      if (row === undefined) return { runId, reason: `The run index records run "${runId}" (entry ${seq}), but the store holds no such run: the run was deleted.` };
      const problem = describeEntryMismatch(entry, row) ?? visit(entry, row);
      if (problem !== undefined) return problem;
      previousHash = hash;
      expectedSeq += 1;
    }
    if (rows.length < pageSize) break;
  }
  const indexed = expectedSeq - 1;
  if (indexed !== head.runCount || previousHash !== head.headHash) {
    return {
      runId: '*',
      reason: `The run index holds ${indexed} runs but the store head records ${head.runCount}${indexed === head.runCount ? ' with another last hash' : ''}: runs were deleted (with their index entries) or the head was rewritten.`,
    };
  }
  if (key !== undefined) {
    if (head.signature === null) {
      return { runId: '*', reason: 'The store head carries no signature although an audit key was given: it was removed, or the store was written without the key.' };
    }
    if (!signaturesMatch(signStoreHead(key, head.runCount, head.headHash), head.signature)) {
      return { runId: '*', reason: 'The store head signature does not verify: the run index was rewritten (runs deleted or added), or it was signed with a different audit key.' };
    }
  }
  const unindexed = database.prepare('SELECT run_id FROM runs WHERE run_id NOT IN (SELECT run_id FROM run_index) LIMIT 1').pluck().get() as string | undefined;
  if (unindexed !== undefined) return { runId: unindexed, reason: `Run "${unindexed}" is not in the run index: the run was inserted outside the store.` };
  return undefined;
}

/** One run's entry, for `verify --run`; the whole index is not walked. */
export function lookUpRunIndexEntry(database: Database.Database, row: RunRow): { entry?: RunIndexEntry; problem?: VerifyProblem } {
  const body = database.prepare('SELECT body FROM run_index WHERE run_id = ?').pluck().get(row.run_id) as string | undefined;
  const entry = body === undefined ? undefined : parseEntry(body);
  if (entry === undefined || entry.runId !== row.run_id) {
    return { problem: { runId: row.run_id, reason: `Run "${row.run_id}" is not in the run index: the run was inserted outside the store, or its entry was edited.` } };
  }
  const problem = describeEntryMismatch(entry, row);
  return problem === undefined ? { entry } : { problem };
}

function describeEntryMismatch(entry: RunIndexEntry, row: RunRow): VerifyProblem | undefined {
  const reason = describeEntryDifference(entry, row);
  return reason === undefined ? undefined : { runId: row.run_id, reason };
}

function describeEntryDifference(entry: RunIndexEntry, row: RunRow): string | undefined {
  if (entry.startedAt !== row.started_at) return `The run's start time differs from the one its run index entry recorded: the runs row was edited.`;
  if (entry.missionHash !== row.mission_hash) return `The run's mission hash differs from the one its run index entry recorded: the runs row was edited.`;
  return undefined;
}

function parseEntry(body: string): RunIndexEntry | undefined {
  try {
    const entry = JSON.parse(body) as RunIndexEntry;
    return typeof entry === 'object' && entry !== null ? entry : undefined;
  } catch {
    return undefined;
  }
}
