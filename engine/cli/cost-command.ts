/** `mission cost report` and `mission cost recommend` (loaded on demand by `cost-register.ts`). */
import { formatUsd } from '../../providers/layer/budget/budget-errors.js';
import { costReport, type CostReportGrouping, type CostTotals } from '../../providers/layer/ledger/cost-report.js';
import { recommend } from '../../providers/layer/ledger/cost-recommend.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import { SqliteBudgetStore } from '../store/budget-store.js';
import { SqliteLedger } from '../store/ledger-store.js';
import { budgetOutlooks } from './budget-command.js';
import type { StoreOptions } from './cli-context.js';
import { existingDatabase, parseDateOption } from './cost-options.js';

/** Default look-back of `recommend`. */
const recommendDays = 30;

function percent(part: number, whole: number): string {
  return whole ? `${Math.round((part / whole) * 100)}%` : '0%';
}

function formatRow(key: string, totals: CostTotals): string {
  return [
    key.padEnd(32).slice(0, 40),
    String(totals.calls).padStart(7),
    String(totals.inputTokens).padStart(11),
    String(totals.outputTokens).padStart(10),
    String(totals.cachedInputTokens).padStart(10),
    String(totals.reasoningTokens).padStart(10),
    formatUsd(totals.costMicros).padStart(14),
    percent(totals.estimatedCalls, totals.calls).padStart(5),
    String(totals.unknownCostCalls).padStart(8),
    String(totals.cacheHits).padStart(6),
    formatUsd(totals.savedMicros).padStart(12),
  ].join(' ');
}

/** `mission cost report`. */
export async function costReportCommand(options: StoreOptions & { by: CostReportGrouping; since?: string; until?: string; json?: boolean }): Promise<void> {
  const since = parseDateOption(options.since, '--since');
  const until = parseDateOption(options.until, '--until');
  const ledger = SqliteLedger.open(existingDatabase(options));
  try {
    const report = await costReport(ledger.entries({ since, until }), options.by);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    process.stdout.write(
      `${options.by.padEnd(32)}   calls       input     output     cached  reasoning           cost  est. unknown  cache        saved\n`,
    );
    for (const row of report.rows) process.stdout.write(`${formatRow(row.key, row)}\n`);
    process.stdout.write(`${formatRow('total', report.total)}\n`);
    if (report.total.unknownCostCalls) {
      process.stdout.write(`${report.total.unknownCostCalls} calls used models with no known price: their cost is not in the total (price them under pricing: in mission.config.yaml)\n`);
    }
  } finally {
    ledger.close();
  }
}

/** `mission cost recommend`. */
export async function costRecommendCommand(options: StoreOptions & { since?: string; until?: string; json?: boolean }): Promise<void> {
  const now = Date.now();
  const since = parseDateOption(options.since, '--since') ?? now - recommendDays * 86_400_000;
  const until = parseDateOption(options.until, '--until');
  const file = existingDatabase(options);
  const ledger = SqliteLedger.open(file);
  const store = SqliteBudgetStore.open(file);
  try {
    const recommendations = await recommend(ledger.entries({ since, until }), {
      prices: PriceTable.load(),
      budgets: budgetOutlooks(store, now),
      now,
      onTruncated: (read) => process.stderr.write(`only the first ${read} ledger rows of the period were analysed: narrow it with --since/--until\n`),
    });
    const totalSavedMicros = recommendations.filter((item) => item.kind !== 'budget-running-out').reduce((sum, item) => sum + item.savedMicros, 0);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ recommendations, totalSavedMicros })}\n`);
      return;
    }
    if (!recommendations.length) process.stdout.write('nothing to recommend for this period\n');
    for (const item of recommendations) {
      const money = item.kind === 'budget-running-out' ? (item.savedMicros ? `projected overrun ${formatUsd(item.savedMicros)}` : 'watch') : `would have saved ${formatUsd(item.savedMicros)}`;
      process.stdout.write(`- ${item.message} (${money})\n`);
    }
  } finally {
    ledger.close();
    store.close();
  }
}
