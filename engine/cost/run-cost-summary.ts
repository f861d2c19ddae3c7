/**
 * A run's cost for `mission run --json` (`cost: {costMicros, calls, estimatedCalls,
 * unknownCostCalls}` for the run and per step) and for the terminal summary.
 */
import { formatUsd } from '../../providers/layer/budget/budget-errors.js';
import { runCost, type RunCost } from '../../providers/layer/ledger/cost-report.js';
import type { UsageLedger } from '../../providers/layer/ledger/ledger-types.js';

/** The run's cost from the ledger. */
export function runCostSummary(ledger: UsageLedger, runId: string): Promise<RunCost> {
  return runCost(ledger.entries({ runId }));
}

/** One line for the terminal summary: `cost $0.001234 (3 calls; 1 estimated; 1 with no known price)`. */
export function formatRunCost(cost: RunCost): string {
  const parts = [`${cost.calls} ${cost.calls === 1 ? 'call' : 'calls'}`];
  if (cost.estimatedCalls) parts.push(`${cost.estimatedCalls} estimated`);
  if (cost.unknownCostCalls) parts.push(`${cost.unknownCostCalls} with no known price`);
  return `cost ${formatUsd(cost.costMicros)} (${parts.join('; ')})`;
}
