/**
 * Reading events across runs, for `mission audit query`, `export` and `safety report`: runs in
 * the order they started, each run's events in chain order, fetched page by page so memory stays
 * bounded however large the store is.
 */
import type Database from 'better-sqlite3';
import { genesisHash } from './chain.js';
import type { StoredEvent } from './types.js';

/** Which events {@link iterateEvents} yields; every criterion given must hold. */
export interface EventFilter {
  /** Only this run's events. */
  runId?: string;
  /** Only events of this type (`safety-intervention`, `llm-retry`, …). */
  type?: string;
  /** Only events recorded at or after this time. */
  since?: Date;
}

/** Events read per query. */
const pageSize = 2048;

/** Yields the events matching `filter`, run by run. */
export function* iterateEvents(database: Database.Database, filter: EventFilter = {}): Generator<StoredEvent> {
  const since = filter.since?.toISOString();
  // A run that ended before `since` holds no event after it: its events precede its end.
  const runIds = (filter.runId !== undefined
    ? database.prepare('SELECT run_id FROM runs WHERE run_id = ?').pluck().all(filter.runId)
    : since !== undefined
      ? database.prepare('SELECT run_id FROM runs WHERE ended_at IS NULL OR ended_at >= ? ORDER BY started_at, rowid').pluck().all(since)
      : database.prepare('SELECT run_id FROM runs ORDER BY started_at, rowid').pluck().all()) as string[];
  const page = database.prepare(`SELECT idx, body, hash FROM events WHERE run_id = ? AND idx > ? ORDER BY idx LIMIT ${pageSize}`).raw();
  for (const runId of runIds) {
    let prevHash = genesisHash(runId);
    let after = -1;
    for (;;) {
      const rows = page.all(runId, after) as Array<[number, string, string]>;
      for (const [index, body, hash] of rows) {
        const fields = JSON.parse(body) as Omit<StoredEvent, 'prevHash' | 'hash'>;
        const event: StoredEvent = { ...fields, prevHash, hash };
        prevHash = hash;
        after = index;
        if (filter.type !== undefined && event.type !== filter.type) continue;
        if (since !== undefined && event.at < since) continue;
        yield event;
      }
      if (rows.length < pageSize) break;
    }
  }
}
