/**
 * Writes one batch of pending appends and moves the run heads, in one `BEGIN IMMEDIATE`
 * transaction: a crash leaves either the whole batch or none of it, so the chain on disk is
 * always a verifiable prefix, and the write lock makes a second process wait (busy timeout)
 * rather than interleave.
 */
import type Database from 'better-sqlite3';
import { MissionError, MissionErrorCode } from '../errors.js';
import type { Statements } from './statements.js';

/** A run's chain head: how many events it holds and the last one's hash. */
export interface Head {
  count: number;
  hash: string;
}

/** An event row waiting to be written, in `INSERT` parameter order. */
export type PendingEvent = [runId: string, index: number, body: string, hash: string];

/** A payload row waiting to be written, in `INSERT` parameter order. */
export type PendingPayload = [runId: string, hash: string, content: string];

/** What a batch holds. */
export interface Batch {
  events: readonly PendingEvent[];
  /** Payload rows, keyed by run id and hash (see `pendingPayloadKey`). */
  payloads: ReadonlyMap<string, PendingPayload>;
  /** Per run, the head the database had when the batch began. */
  bases: ReadonlyMap<string, Head>;
  /** Per run, the head after the batch. */
  heads: ReadonlyMap<string, Head>;
}

/** The key of a pending payload: one run's copy of one content. */
export function pendingPayloadKey(runId: string, hash: string): string {
  return `${runId}\u0000${hash}`;
}

/**
 * Writes `batch`. Runs whose stored head moved since the batch began (another writer appended)
 * are skipped, not written, so their chain does not fork; they are returned for the caller to
 * report. Throws `MISSION_ERR_IO` (retryable when the database was busy) and writes nothing
 * when SQLite fails.
 */
export function writeBatch(
  database: Database.Database,
  statements: Statements,
  batch: Batch,
  /** Signs the run's row as it will be after the batch; called inside the write transaction. */
  sign: (runId: string, count: number, headHash: string) => string | null,
): { conflicts: string[]; dropped: number } {
  const write = database.transaction(() => {
    const conflicts: string[] = [];
    for (const [runId, base] of batch.bases) {
      const row = statements.selectHead.get(runId) as [number, string] | undefined;
      if (row === undefined || row[0] !== base.count || row[1] !== base.hash) conflicts.push(runId);
    }
    for (const payload of batch.payloads.values()) {
      if (!conflicts.includes(payload[0])) statements.insertPayload.run(payload);
    }
    let dropped = 0;
    for (const pending of batch.events) {
      if (conflicts.length > 0 && conflicts.includes(pending[0])) dropped += 1;
      else statements.insertEvent.run(pending);
    }
    for (const runId of batch.bases.keys()) {
      if (conflicts.includes(runId)) continue;
      const head = batch.heads.get(runId) as Head;
      statements.updateHead.run(head.count, head.hash, sign(runId, head.count, head.hash), runId);
    }
    return { conflicts, dropped };
  });
  try {
    return write.immediate();
  } catch (error) {
    throw new MissionError(MissionErrorCode.io, `Could not write ${batch.events.length} audit events: ${(error as Error).message}`, {
      cause: error,
      isRetryable: (error as { code?: string }).code === 'SQLITE_BUSY',
    });
  }
}
