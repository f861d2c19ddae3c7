/**
 * `mission safety report [--since D] [--json]`: the content-safety interventions the audit trail
 * recorded (events of type `safety-intervention`, with `rule`, `action`, `where` and `reason` in
 * their data), counted by rule and action. Registered onto a `safety` command that the caller
 * creates, so that other safety subcommands can share it.
 */
import type { Command } from 'commander';
import { addDatabaseOption, parseTimeOption } from './audit-options.js';
import { openExistingStore, type StoreOptions } from './cli-context.js';

/** The event type the safety policy records. */
export const safetyInterventionEvent = 'safety-intervention';

/** One line of the report: how often a rule took an action, and where. */
export interface SafetyReportRow {
  rule: string;
  action: string;
  count: number;
  /** Counts by where the rule fired (`input`, `output`, …). */
  where: Record<string, number>;
}

/** `mission safety report --json` prints this object. */
export interface SafetyReport {
  /** ISO 8601 start of the period, or `null` for all time. */
  since: string | null;
  /** Interventions counted. */
  total: number;
  /** Runs with at least one intervention. */
  runs: number;
  /** By rule, then action; most frequent first. */
  interventions: SafetyReportRow[];
}

/** Most distinct rule/action pairs tracked; past it, the rest are counted under `(other)`. */
const maxRows = 10_000;

/** Registers `report` on `safety`. */
export function registerSafetyReport(safety: Command): void {
  addDatabaseOption(
    safety
      .command('report')
      .description('count the safety interventions the audit trail recorded, by rule and action')
      .option('--since <date>', 'only since an ISO date (2026-01-31) or for a duration back (7d, 12h)', (value: string) => parseTimeOption(value)),
  )
    .option('--json', 'print the report as JSON: {since, total, runs, interventions: [{rule, action, count, where}]}')
    .action((options: StoreOptions & { since?: Date; json?: boolean }) => {
      const store = openExistingStore(options);
      let report: SafetyReport;
      try {
        report = buildSafetyReport(store.queryEvents({ type: safetyInterventionEvent, since: options.since }), options.since);
      } finally {
        store.close();
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      const period = report.since === null ? '' : ` since ${report.since}`;
      if (report.total === 0) {
        process.stdout.write(`no safety interventions${period}\n`);
        return;
      }
      process.stdout.write(`${report.total} safety interventions in ${report.runs} runs${period}\n`);
      const ruleWidth = Math.max(4, ...report.interventions.map((row) => row.rule.length));
      const actionWidth = Math.max(6, ...report.interventions.map((row) => row.action.length));
      process.stdout.write(`${'rule'.padEnd(ruleWidth)}  ${'action'.padEnd(actionWidth)}  ${'count'.padStart(6)}  where\n`);
      for (const row of report.interventions) {
        const where = Object.entries(row.where).map(([place, count]) => `${place} ${count}`).join(', ');
        process.stdout.write(`${row.rule.padEnd(ruleWidth)}  ${row.action.padEnd(actionWidth)}  ${String(row.count).padStart(6)}  ${where}\n`);
      }
    });
}

/** Counts `events` (of type `safety-intervention`) by rule and action. */
export function buildSafetyReport(events: Iterable<{ runId: string; data: Record<string, unknown> }>, since?: Date): SafetyReport {
  const rows = new Map<string, SafetyReportRow>();
  const runs = new Set<string>();
  let total = 0;
  for (const event of events) {
    total += 1;
    runs.add(event.runId);
    let rule = field(event.data.rule);
    let action = field(event.data.action);
    let key = JSON.stringify([rule, action]);
    if (!rows.has(key) && rows.size >= maxRows) {
      rule = action = '(other)';
      key = JSON.stringify([rule, action]);
    }
    let row = rows.get(key);
    if (row === undefined) {
      row = { rule, action, count: 0, where: {} };
      rows.set(key, row);
    }
    row.count += 1;
    const where = field(event.data.where);
    row.where[where] = (row.where[where] ?? 0) + 1;
  }
  const interventions = [...rows.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule) || a.action.localeCompare(b.action));
  return { since: since?.toISOString() ?? null, total, runs: runs.size, interventions };
}

/** A recorded field as a short label; events from other versions may lack it. */
function field(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'unknown';
  // Labels are names, not content: a long one is cut so the table stays a table.
  return value.length > 80 ? `${value.slice(0, 79)}…` : value;
}
