/** The default {@link UsageLedger}: rows in memory, bounded (the oldest go first). */
import type { LedgerEntry, LedgerFilter, UsageLedger } from './ledger-types.js';

/** An in-memory ledger holding at most `maxEntries` rows. */
export class MemoryLedger implements UsageLedger {
  private readonly rows: LedgerEntry[] = [];

  constructor(private readonly maxEntries = 100_000) {}

  append(entry: LedgerEntry): void {
    this.rows.push(entry);
    if (this.rows.length > this.maxEntries) this.rows.splice(0, this.rows.length - this.maxEntries);
  }

  *entries(filter: LedgerFilter = {}): Iterable<LedgerEntry> {
    for (const row of this.rows) {
      if (filter.since !== undefined && row.at < filter.since) continue;
      if (filter.until !== undefined && row.at >= filter.until) continue;
      if (filter.runId !== undefined && row.runId !== filter.runId) continue;
      yield row;
    }
  }
}
