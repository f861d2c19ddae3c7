/**
 * Reports over ledger rows: totals grouped by provider, model, mission, run, step, user, tag or
 * UTC day (`mission cost report`), and a run's cost with its steps (`mission run --json`).
 */
import type { LedgerEntry } from './ledger-types.js';

/** What rows can be grouped by. */
export type CostReportGrouping = 'provider' | 'model' | 'mission' | 'run' | 'step' | 'user' | 'tag' | 'day';
/** Every grouping, for option parsing. */
export const costReportGroupings: readonly CostReportGrouping[] = ['provider', 'model', 'mission', 'run', 'step', 'user', 'tag', 'day'];

/** Totals of a group of rows. `costMicros` sums the rows whose price is known. */
export interface CostTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costMicros: number;
  estimatedCalls: number;
  unknownCostCalls: number;
  cacheHits: number;
  savedMicros: number;
}

/** One row of a report. */
export interface CostReportRow extends CostTotals {
  key: string;
}

/** The report `mission cost report --json` prints. */
export interface CostReport {
  rows: CostReportRow[];
  total: CostTotals;
}

/** The key rows without a value are grouped under. */
export const noneKey = '(none)';

/** Totals with every figure zero. */
export function emptyTotals(): CostTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costMicros: 0, estimatedCalls: 0, unknownCostCalls: 0, cacheHits: 0, savedMicros: 0 };
}

/** Adds a row into totals. */
export function addEntry(totals: CostTotals, entry: LedgerEntry): void {
  totals.calls++;
  totals.inputTokens += entry.inputTokens;
  totals.outputTokens += entry.outputTokens;
  totals.cachedInputTokens += entry.cachedInputTokens;
  totals.reasoningTokens += entry.reasoningTokens;
  if (entry.costMicros === null) totals.unknownCostCalls++;
  else totals.costMicros += entry.costMicros;
  if (entry.estimated) totals.estimatedCalls++;
  if (entry.cacheHit) totals.cacheHits++;
  totals.savedMicros += entry.savedMicros;
}

function keysOf(entry: LedgerEntry, by: CostReportGrouping): string[] {
  switch (by) {
    case 'provider':
      return [entry.provider];
    case 'model':
      return [`${entry.provider}/${entry.model}`];
    case 'mission':
      return [entry.mission ?? noneKey];
    case 'run':
      return [entry.runId ?? noneKey];
    case 'step':
      return [entry.stepId === undefined ? noneKey : `${entry.mission ?? noneKey}/${entry.stepId}`];
    case 'user':
      return [entry.user ?? noneKey];
    case 'tag':
      // A call with several tags counts in each tag's row (the total counts it once).
      return entry.tags.length ? entry.tags : [noneKey];
    case 'day':
      return [new Date(entry.at).toISOString().slice(0, 10)];
    default:
      return [noneKey];
  }
}

/** Groups rows; the rows come out sorted by cost, dearest first, then by key. */
export async function costReport(entries: Iterable<LedgerEntry> | AsyncIterable<LedgerEntry>, by: CostReportGrouping): Promise<CostReport> {
  const groups = new Map<string, CostTotals>();
  const total = emptyTotals();
  for await (const entry of entries) {
    addEntry(total, entry);
    for (const key of keysOf(entry, by)) {
      let group = groups.get(key);
      if (!group) groups.set(key, (group = emptyTotals()));
      addEntry(group, entry);
    }
  }
  const rows = [...groups].map(([key, totals]) => ({ key, ...totals }));
  rows.sort((a, b) => b.costMicros - a.costMicros || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { rows, total };
}

/** A run's cost, as `mission run --json` shows it. */
export interface RunCostFigures {
  costMicros: number;
  calls: number;
  estimatedCalls: number;
  unknownCostCalls: number;
}

/** A run's cost and each of its steps'. */
export interface RunCost extends RunCostFigures {
  steps: Record<string, RunCostFigures>;
}

const figuresOf = (totals: CostTotals): RunCostFigures => ({
  costMicros: totals.costMicros,
  calls: totals.calls,
  estimatedCalls: totals.estimatedCalls,
  unknownCostCalls: totals.unknownCostCalls,
});

/** Sums a run's rows (pass the rows of one run: `ledger.entries({ runId })`). */
export async function runCost(entries: Iterable<LedgerEntry> | AsyncIterable<LedgerEntry>): Promise<RunCost> {
  const total = emptyTotals();
  const steps = new Map<string, CostTotals>();
  for await (const entry of entries) {
    addEntry(total, entry);
    if (entry.stepId === undefined) continue;
    let step = steps.get(entry.stepId);
    if (!step) steps.set(entry.stepId, (step = emptyTotals()));
    addEntry(step, entry);
  }
  return { ...figuresOf(total), steps: Object.fromEntries([...steps].map(([id, totals]) => [id, figuresOf(totals)])) };
}
