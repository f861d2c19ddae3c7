/**
 * The usage ledger: one row per call attempt (retries and failovers included) and per cache hit.
 * The layer declares the storage interface; an in-memory ledger is the default here and
 * `engine/store/ledger-store.ts` keeps it in SQLite. A shared database (PostgreSQL) implements the
 * same two methods when several machines spend one budget.
 */

/** One ledger row. Token counts are normalised as `Usage` defines them. */
export interface LedgerEntry {
  /** Unique per row: `<generationId>:<attempt>` (or `:cache` for a cache hit). */
  id: string;
  /** Epoch milliseconds when the attempt ended. */
  at: number;
  generationId: string;
  attempt: number;
  runId?: string;
  stepId?: string;
  mission?: string;
  user?: string;
  session?: string;
  tags: string[];
  provider: string;
  /** The model the provider says served the call (the requested one when it says nothing). */
  model: string;
  route?: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  reasoningTokens: number;
  /** The provider's usage object, verbatim (bounded in size by the writer). */
  rawUsage?: unknown;
  /** Integer micro-dollars; `null` when the model's price is unknown (never a silent zero). */
  costMicros: number | null;
  /** True when the token counts came from a tokenizer, not the provider. */
  estimated: boolean;
  /** The price table's content hash. */
  priceVersion: string;
  cacheHit: boolean;
  /** For a cache hit: what the call would have cost. */
  savedMicros: number;
  /** SHA-256 of the model and prompt, to find repeated prompts. */
  promptHash: string;
  /** `ok`, or the error code the attempt ended with. */
  outcome: string;
}

/** Which rows to read. Times are epoch milliseconds, `until` exclusive. */
export interface LedgerFilter {
  since?: number;
  until?: number;
  runId?: string;
}

/** Where ledger rows live. Methods may be synchronous or return promises. */
export interface UsageLedger {
  append(entry: LedgerEntry): void | Promise<void>;
  /** Rows in time order. */
  entries(filter?: LedgerFilter): Iterable<LedgerEntry> | AsyncIterable<LedgerEntry>;
}
