/**
 * The run's cost on `mission run` / `mission resume` output: `cost: {costMicros, calls,
 * estimatedCalls, unknownCostCalls}` on the `--json` result and on each step that called a model,
 * and one line under the terminal summary. Read from the ledger after the run (every attempt of
 * the run, earlier sessions of a resumed run included).
 */
import type { RunCost } from '../../providers/layer/ledger/cost-report.js';
import { formatRunCost, runCostSummary } from '../cost/run-cost-summary.js';
import type { RunResult } from '../run/run-types.js';
import { SqliteLedger } from '../store/ledger-store.js';

/** The run's cost from the ledger in the database at `file`. */
export async function readRunCost(file: string, runId: string): Promise<RunCost> {
  const ledger = SqliteLedger.open(file);
  try {
    return await runCostSummary(ledger, runId);
  } finally {
    ledger.close();
  }
}

/** The `--json` result with the run's and each step's cost. */
export function withRunCost(result: RunResult, cost: RunCost): RunResult & { cost: Omit<RunCost, 'steps'> } {
  const { steps, ...total } = cost;
  const withSteps = Object.fromEntries(Object.entries(result.steps).map(([id, step]) => [id, steps[id] ? { ...step, cost: steps[id] } : step]));
  return { ...result, steps: withSteps, cost: total };
}

export { formatRunCost };
