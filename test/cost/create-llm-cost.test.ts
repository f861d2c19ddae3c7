/**
 * The budget and ledger stages inside `createLlm`'s pipeline: one ledger row per attempt (retries
 * and failovers included), `llm-cost` records in the audit sink, and a refused reservation ending
 * the call in the budget-exhausted state without failing over.
 */
import { describe, expect, it } from 'vitest';
import { budgetRulesFrom } from '../../providers/layer/budget/budget-config.js';
import { createBudgetStage } from '../../providers/layer/budget/budget-stage.js';
import { MemoryBudgetStore } from '../../providers/layer/budget/memory-budget-store.js';
import { createLlm } from '../../providers/layer/create-llm.js';
import { createLedgerStage } from '../../providers/layer/ledger/ledger-stage.js';
import { MemoryLedger } from '../../providers/layer/ledger/memory-ledger.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import { adapterFor, messages, RecordingSink, rejection, failoverRoutes, twoFakes } from '../providers/layer/helpers.js';

const fakes = twoFakes();

const prices = PriceTable.load();
const routes = failoverRoutes;
// The fakes stand in for OpenAI: price their ids like OpenAI's.
const fakePrices = PriceTable.load({
  models: {
    'primary/gpt-4o-mini': { input_per_mtok_usd: 0.15, output_per_mtok_usd: 0.6 },
    'backup/gpt-4o-mini': { input_per_mtok_usd: 0.15, output_per_mtok_usd: 0.6 },
  },
});

function layer(limitUsd: number) {
  const sink = new RecordingSink();
  const ledger = new MemoryLedger();
  const store = new MemoryBudgetStore();
  const llm = createLlm({
    config: { routes, retry: { max_attempts: 2, initial_delay_ms: 1 } },
    providers: { primary: adapterFor(fakes.primary), backup: adapterFor(fakes.backup) },
    sink,
    random: () => 0,
    stages: [createLedgerStage({ ledger, prices: fakePrices }), createBudgetStage({ store, prices: fakePrices, rules: budgetRulesFrom([{ scope: 'run', limit_usd: limitUsd }]) })],
  });
  return { llm, sink, ledger, store };
}

describe('cost stages in createLlm', () => {
  it('books every attempt, retries included, and settles the budget to the real cost', async () => {
    const { llm, sink, ledger, store } = layer(1);
    fakes.primary.enqueue({ fault: { type: 'status', status: 500 } }, { text: 'fine', usage: { inputTokens: 1_000, outputTokens: 500 } });
    const answer = await llm.complete({ route: 'smart', messages, origin: { runId: 'r1', stepId: 'ask', mission: 'm' } });
    expect(answer.content).toBe('fine');
    const rows = [...ledger.entries()];
    expect(rows.map((row) => [row.attempt, row.outcome])).toEqual([[1, 'LLM_ERR_SERVER'], [2, 'ok']]);
    // 1,000 × $0.15 + 500 × $0.60 per million = 150 + 300 = 450 µ$.
    expect(rows[1]).toMatchObject({ runId: 'r1', stepId: 'ask', mission: 'm', route: 'smart', costMicros: 450, estimated: false });
    expect(store.state([{ bucket: 'run:r1|total', limitMicros: 1_000_000 }], Date.now())[0]).toMatchObject({ spentMicros: 450, reservedMicros: 0 });
    const costs = sink.ofType('llm-cost');
    expect(costs.map((record) => record.costMicros)).toEqual([0, 450]);
    expect(costs.every((record) => record.generationId === costs[0].generationId && record.origin?.runId === 'r1')).toBe(true);
    llm.close();
  });

  it('a refused reservation ends the call as budget-exhausted: nothing sent, no failover', async () => {
    const { llm, sink } = layer(0.0001);
    const error = await rejection(llm.complete({ route: 'smart', messages, origin: { runId: 'r2' } }));
    expect(error).toMatchObject({ code: 'LLM_ERR_BUDGET_EXHAUSTED', isRetryable: false, pause: false });
    expect(fakes.primary.requests).toHaveLength(0);
    expect(fakes.backup.requests).toHaveLength(0);
    expect(sink.ofType('llm-budget-exhausted')).toHaveLength(1);
    expect(sink.ofType('budget-exhausted')[0]).toMatchObject({ bucket: 'run:r2|total', limitMicros: 100 });
    llm.close();
  });

  it('the shipped table prices OpenAI model ids', () => {
    expect(prices.lookup('openai', 'gpt-4o-mini').price?.rates).toMatchObject({ input: 150_000, output: 600_000 });
  });
});
