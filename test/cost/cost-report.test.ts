/** Reports, run costs and recommendations over ledger rows (in memory and in SQLite). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../engine/store/ledger-store.js';
import { costReport, runCost } from '../../providers/layer/ledger/cost-report.js';
import { recommend } from '../../providers/layer/ledger/cost-recommend.js';
import { MemoryLedger } from '../../providers/layer/ledger/memory-ledger.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import { temporaryDatabase } from './helpers.js';
import { entry } from './ledger-fixtures.js';

const prices = PriceTable.load();

describe('cost report', () => {
  it('groups by model with estimated, unknown-cost and cache-hit figures apart', async () => {
    const rows = [
      entry({ costMicros: 210, reasoningTokens: 10, cachedInputTokens: 500 }),
      entry({ costMicros: 100, estimated: true }),
      entry({ provider: 'openai', model: 'mystery', costMicros: null }),
      entry({ costMicros: 0, cacheHit: true, savedMicros: 210 }),
    ];
    const report = await costReport(rows, 'model');
    expect(report.rows).toEqual([
      { key: 'openai/gpt-4o-mini', calls: 3, inputTokens: 3_000, outputTokens: 300, cachedInputTokens: 500, reasoningTokens: 10, costMicros: 310, estimatedCalls: 1, unknownCostCalls: 0, cacheHits: 1, savedMicros: 210 },
      { key: 'openai/mystery', calls: 1, inputTokens: 1_000, outputTokens: 100, cachedInputTokens: 0, reasoningTokens: 0, costMicros: 0, estimatedCalls: 0, unknownCostCalls: 1, cacheHits: 0, savedMicros: 0 },
    ]);
    expect(report.total).toMatchObject({ calls: 4, costMicros: 310, unknownCostCalls: 1, cacheHits: 1, savedMicros: 210 });
  });

  it('groups by day (UTC) and by tag (a call counts under each of its tags)', async () => {
    const rows = [entry({ at: Date.UTC(2026, 10, 30, 23, 59), tags: ['a', 'b'] }), entry({ at: Date.UTC(2026, 11, 1, 0, 0), tags: [] })];
    expect((await costReport(rows, 'day')).rows.map((row) => row.key).sort()).toEqual(['2026-11-30', '2026-12-01']);
    const byTag = await costReport(rows, 'tag');
    expect(byTag.rows.map((row) => [row.key, row.calls])).toEqual([['(none)', 1], ['a', 1], ['b', 1]]);
    expect(byTag.total.calls).toBe(2);
  });

  it('a run and its steps, from the SQLite ledger, filtered by run and time', async () => {
    const database = temporaryDatabase();
    const ledger = SqliteLedger.open(database.file);
    try {
      ledger.append(entry({ runId: 'r1', stepId: 'a', costMicros: 5 }));
      ledger.append(entry({ runId: 'r1', stepId: 'b', costMicros: null, estimated: true }));
      ledger.append(entry({ runId: 'r1', stepId: 'b', costMicros: 7 }));
      ledger.append(entry({ runId: 'r2', stepId: 'a', costMicros: 1_000 }));
      expect(await runCost(ledger.entries({ runId: 'r1' }))).toEqual({
        costMicros: 12,
        calls: 3,
        estimatedCalls: 1,
        unknownCostCalls: 1,
        steps: { a: { costMicros: 5, calls: 1, estimatedCalls: 0, unknownCostCalls: 0 }, b: { costMicros: 7, calls: 2, estimatedCalls: 1, unknownCostCalls: 1 } },
      });
      const [row] = [...ledger.entries({ runId: 'r2' })];
      expect(row).toMatchObject({ runId: 'r2', costMicros: 1_000, tags: [], estimated: false });
      expect([...ledger.entries({ since: Date.UTC(2026, 11, 1) })]).toHaveLength(0);
    } finally {
      ledger.close();
      database.remove();
    }
  });
});

describe('cost recommend', () => {
  it('finds repeated prompts, short answers on a large model, cheaper route targets and budgets running out', async () => {
    const ledger = new MemoryLedger();
    // The same prompt three times on gpt-4o-mini: a cache would have served two (2 × 210 µ$).
    for (let index = 0; index < 3; index++) ledger.append(entry({ promptHash: 'same', stepId: 'faq' }));
    // A step paying claude-opus-4-1 for 50-token answers, five times:
    // 1,000 × $15 + 50 × $75 = 18,750 µ$ each on Opus; Haiku 4.5 is 1,000 × $1 + 50 × $5 = 1,250.
    for (let index = 0; index < 5; index++) ledger.append(entry({ stepId: 'classify', provider: 'anthropic', model: 'claude-opus-4-1', outputTokens: 50, costMicros: 18_750 }));
    // A route whose cheap target succeeded as often as its dear one.
    for (let index = 0; index < 4; index++) {
      ledger.append(entry({ route: 'smart', stepId: 'route', provider: 'openai', model: 'gpt-4o', outputTokens: 400, costMicros: 6_500 }));
      ledger.append(entry({ route: 'smart', stepId: 'route-b', provider: 'openai', model: 'gpt-4o-mini', outputTokens: 400, costMicros: 390 }));
    }
    const now = Date.UTC(2026, 11, 10);
    const found = await recommend(ledger.entries(), {
      prices,
      now,
      budgets: [{ bucket: 'mission:demo|month:2026-12', limitMicros: 1_000_000, spentMicros: 500_000, start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) }],
    });
    const byKind = Object.fromEntries(found.map((item) => [item.kind, item]));
    expect(byKind['cache-repeated-prompts']).toMatchObject({ savedMicros: 420, details: { prompts: 1, repeats: 2 } });
    expect(byKind['cheaper-model-short-answers']).toMatchObject({ savedMicros: 5 * (18_750 - 1_250), details: { step: 'classify', suggested: 'claude-haiku-4-5' } });
    expect(byKind['cheaper-route-target']).toMatchObject({ savedMicros: 4 * (6_500 - 390), details: { target: 'openai/gpt-4o', cheaper: 'openai/gpt-4o-mini' } });
    // Half spent after 9 of 31 days: on course for 500,000 / 9 × 31 ≈ 1,722,222 µ$.
    expect(byKind['budget-running-out'].savedMicros).toBe(1_722_222 - 1_000_000);
    expect(found.map((item) => item.savedMicros)).toEqual([...found.map((item) => item.savedMicros)].sort((a, b) => b - a));
  });

  it('says nothing when nothing would have saved money', async () => {
    expect(await recommend([entry(), entry()], { prices, now: Date.now() })).toEqual([]);
  });
});

describe('cost recommend bounds', () => {
  it('reads at most maxEntries rows and says so', async () => {
    let truncatedAt: number | undefined;
    const rows = Array.from({ length: 10 }, () => entry({ promptHash: 'same' }));
    const found = await recommend(rows, { prices, now: Date.now(), maxEntries: 4, onTruncated: (read) => (truncatedAt = read) });
    expect(truncatedAt).toBe(4);
    expect(found[0]).toMatchObject({ kind: 'cache-repeated-prompts', details: { repeats: 3 } });
  });
});
