/**
 * Signs what the audit key protects: runs rows (see `rowSignature`) and the store head. Knows
 * which runs the upgrade found already recorded (`legacy` index entries), whose rows keep
 * head-only signatures, and caches that per run.
 */
import type { KeyObject } from 'node:crypto';
import { signStoreHead } from './chain.js';
import { rowSignature } from './run-record.js';
import type { RunRow, Statements } from './statements.js';

/** The store's signer; every method returns `null` when the store has no key. */
export class RunSigner {
  readonly #key: KeyObject | undefined;
  readonly #statements: Statements;
  readonly #legacyRuns = new Map<string, boolean>();

  constructor(key: KeyObject | undefined, statements: Statements) {
    this.#key = key;
    this.#statements = statements;
  }

  /** Whether there is a key to sign with. */
  get keyed(): boolean {
    return this.#key !== undefined;
  }

  /** Notes a run created by this store: never legacy. */
  noteNewRun(runId: string): void {
    this.#legacyRuns.set(runId, false);
  }

  /** The signature `row` must carry as it will be stored. */
  signRow(row: RunRow): string | null {
    if (this.#key === undefined) return null;
    let legacy = this.#legacyRuns.get(row.run_id);
    if (legacy === undefined) {
      const body = this.#statements.selectIndexEntry.get(row.run_id) as string | undefined;
      legacy = body !== undefined && (JSON.parse(body) as { legacy?: unknown }).legacy === true;
      this.#legacyRuns.set(row.run_id, legacy);
    }
    return rowSignature(this.#key, row, legacy);
  }

  /** The store head's signature. */
  signStoreHead(runCount: number, headHash: string): string | null {
    return this.#key === undefined ? null : signStoreHead(this.#key, runCount, headHash);
  }
}
