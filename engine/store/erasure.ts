/**
 * Erasing one run for a privacy request: its payloads' content, its variables and its mission
 * source. Only that run: payloads are per run, so another run's identical content stays, and an
 * erased payload stays erased when the same content is recorded again. The chain is untouched
 * (events hold only hashes), and the row is re-signed, so verify still passes.
 */
import type Database from 'better-sqlite3';
import { MissionError, MissionErrorCode } from '../errors.js';
import type { RunSigner } from './run-signer.js';
import type { RunRow, Statements } from './statements.js';

/** Erases run `runId`; returns how many payloads were erased (0 when it already was). */
export function eraseRun(database: Database.Database, statements: Statements, signer: RunSigner, runId: string): number {
  const erase = database.transaction(() => {
    const row = statements.selectRun.get(runId) as RunRow | undefined;
    if (row === undefined) throw new MissionError(MissionErrorCode.runNotFound, `Run "${runId}" is not in the audit store.`);
    if (!signer.keyed && row.head_signature !== null) {
      throw new MissionError(
        MissionErrorCode.auditStore,
        `Run "${runId}" was recorded with an audit key; set MISSION_AUDIT_KEY to erase it, so that its record can be signed again.`,
      );
    }
    const erasedAt = row.erased_at ?? new Date().toISOString();
    const updated: RunRow = { ...row, vars: '{}', mission_source: '', erased_at: erasedAt };
    statements.eraseRun.run(erasedAt, signer.signRow(updated), runId);
    return statements.erasePayloads.run(erasedAt, runId).changes;
  });
  const erased = erase.immediate();
  // The write-ahead log may still hold page images from before the erasure; fold it into the
  // (now zeroed) database and empty it. Best effort: another process reading keeps its frames.
  database.pragma('wal_checkpoint(TRUNCATE)');
  return erased;
}
