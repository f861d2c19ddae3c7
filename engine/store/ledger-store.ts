/** The usage ledger in SQLite (`cost_ledger`), implementing the layer's `UsageLedger`. */
import type Database from 'better-sqlite3';
import type { LedgerEntry, LedgerFilter, UsageLedger } from '../../providers/layer/ledger/ledger-types.js';
import { openCostDatabase } from './cost-database.js';

interface LedgerRow {
  id: string; at: number; generation_id: string; attempt: number;
  run_id: string | null; step_id: string | null; mission: string | null; user_name: string | null; session: string | null;
  tags: string; provider: string; model: string; route: string | null;
  input_tokens: number; output_tokens: number; cached_input_tokens: number; cache_write_input_tokens: number; reasoning_tokens: number;
  raw_usage: string | null; cost_micros: number | null; estimated: number; price_version: string; cache_hit: number; saved_micros: number;
  prompt_hash: string; outcome: string;
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

function fromRow(row: LedgerRow): LedgerEntry {
  return {
    id: row.id, at: row.at, generationId: row.generation_id, attempt: row.attempt,
    runId: row.run_id ?? undefined, stepId: row.step_id ?? undefined, mission: row.mission ?? undefined,
    user: row.user_name ?? undefined, session: row.session ?? undefined, tags: JSON.parse(row.tags) as string[],
    provider: row.provider, model: row.model, route: row.route ?? undefined,
    inputTokens: row.input_tokens, outputTokens: row.output_tokens, cachedInputTokens: row.cached_input_tokens,
    cacheWriteInputTokens: row.cache_write_input_tokens, reasoningTokens: row.reasoning_tokens,
    rawUsage: row.raw_usage === null ? undefined : JSON.parse(row.raw_usage),
    costMicros: row.cost_micros, estimated: row.estimated === 1, priceVersion: row.price_version,
    cacheHit: row.cache_hit === 1, savedMicros: row.saved_micros, promptHash: row.prompt_hash, outcome: row.outcome,
  };
}

/** The SQLite ledger. Appends are single-row inserts in WAL mode (a few microseconds each). */
export class SqliteLedger implements UsageLedger {
  private readonly insert: Database.Statement;

  constructor(private readonly database: Database.Database) {
    this.insert = database.prepare(`INSERT OR REPLACE INTO cost_ledger VALUES (
      @id, @at, @generation_id, @attempt, @run_id, @step_id, @mission, @user_name, @session, @tags, @provider, @model, @route,
      @input_tokens, @output_tokens, @cached_input_tokens, @cache_write_input_tokens, @reasoning_tokens, @raw_usage,
      @cost_micros, @estimated, @price_version, @cache_hit, @saved_micros, @prompt_hash, @outcome)`);
  }

  /** Opens the ledger in the database file at `path` (its own connection). */
  static open(path: string): SqliteLedger {
    return new SqliteLedger(openCostDatabase(path));
  }

  append(entry: LedgerEntry): void {
    this.insert.run({
      id: entry.id, at: entry.at, generation_id: entry.generationId, attempt: entry.attempt,
      run_id: orNull(entry.runId), step_id: orNull(entry.stepId), mission: orNull(entry.mission), user_name: orNull(entry.user),
      session: orNull(entry.session), tags: JSON.stringify(entry.tags), provider: entry.provider, model: entry.model, route: orNull(entry.route),
      input_tokens: entry.inputTokens, output_tokens: entry.outputTokens, cached_input_tokens: entry.cachedInputTokens,
      cache_write_input_tokens: entry.cacheWriteInputTokens, reasoning_tokens: entry.reasoningTokens,
      raw_usage: entry.rawUsage === undefined ? null : JSON.stringify(entry.rawUsage),
      cost_micros: entry.costMicros, estimated: entry.estimated ? 1 : 0, price_version: entry.priceVersion,
      cache_hit: entry.cacheHit ? 1 : 0, saved_micros: entry.savedMicros, prompt_hash: entry.promptHash, outcome: entry.outcome,
    });
  }

  *entries(filter: LedgerFilter = {}): Iterable<LedgerEntry> {
    const clauses: string[] = [];
    const parameters: Record<string, unknown> = {};
    if (filter.since !== undefined) (clauses.push('at >= @since'), (parameters.since = filter.since));
    if (filter.until !== undefined) (clauses.push('at < @until'), (parameters.until = filter.until));
    if (filter.runId !== undefined) (clauses.push('run_id = @runId'), (parameters.runId = filter.runId));
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const statement = this.database.prepare(`SELECT * FROM cost_ledger ${where} ORDER BY at, id`);
    for (const row of statement.iterate(parameters) as IterableIterator<LedgerRow>) yield fromRow(row);
  }

  /** Closes the connection. */
  close(): void {
    this.database.close();
  }
}
