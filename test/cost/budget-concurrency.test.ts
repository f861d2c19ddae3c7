/**
 * A $1.00 budget under 1,000 concurrent calls against the OpenAI fake, in one process and in two
 * processes sharing one database: the spend never passes $1.000000 and exactly the calls the
 * arithmetic allows are sent.
 *
 * The arithmetic: the model is priced at $1 per million tokens (1 µ$ a token, in and out); each
 * call's prompt counts P tokens and asks for 2,500 − P output tokens, so its worst case is
 * 2,500 µ$; the fake bills exactly that. $1.00 / 2,500 µ$ = 400 calls sent, 600 refused, and no
 * call can be squeezed in (what is left is 0, below the output floor).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBudgetStore } from '../../engine/store/budget-store.js';
import { SqliteLedger } from '../../engine/store/ledger-store.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { closePools } from '../../providers/http.js';
import { budgetRulesFrom } from '../../providers/layer/budget/budget-config.js';
import { createBudgetStage } from '../../providers/layer/budget/budget-stage.js';
import { createLedgerStage } from '../../providers/layer/ledger/ledger-stage.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import { TokenEstimator } from '../../providers/pricing/token-estimator.js';
import type { LlmRequest } from '../../providers/types.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { attemptThrough, outcomeOf, temporaryDatabase } from './helpers.js';

const viteNode = fileURLToPath(new URL('../../node_modules/vite-node/vite-node.mjs', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/budget-child.ts', import.meta.url));
const apiKey = 'sk-cost-test-0123456789';
const prices = PriceTable.load({ models: { 'openai/fake-model': { input_per_mtok_usd: 1, output_per_mtok_usd: 1 } } });
const request: LlmRequest = { model: 'fake-model', messages: [{ role: 'user', content: 'Answer with one word: ok?' }] };
const worstCase = 2_500;

let fake: FakeServer;
let promptTokens: number;
let database: ReturnType<typeof temporaryDatabase>;

beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
  promptTokens = (await TokenEstimator.for('openai', 'fake-model')).countPrompt(request);
});
afterAll(async () => {
  await closePools();
  await fake.close();
});
beforeEach(() => {
  database = temporaryDatabase();
  fake.requests.length = 0;
});
afterEach(() => database.remove());

describe('1,000 concurrent calls against a $1.00 budget', () => {
  it('one process: 400 sent, 600 refused, spend exactly $1.000000', async () => {
    const maxTokens = worstCase - promptTokens;
    fake.setDefault({ text: 'ok', usage: { inputTokens: promptTokens, outputTokens: maxTokens } });
    const store = SqliteBudgetStore.open(database.file);
    const ledger = SqliteLedger.open(database.file);
    const stages = [
      createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'run', limit_usd: 1 }]) }),
      createLedgerStage({ ledger, prices }),
    ];
    const adapter = createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` });
    const outcomes = await Promise.all(
      Array.from({ length: 1_000 }, () => outcomeOf(attemptThrough(stages, adapter, { ...request, maxTokens }, { origin: { runId: 'run-1' } }))),
    );
    const refused = outcomes.filter((outcome) => !outcome.ok);
    expect(refused.every((outcome) => !outcome.ok && outcome.error.code === 'LLM_ERR_BUDGET_EXHAUSTED' && outcome.error.isRetryable === false)).toBe(true);
    expect(refused).toHaveLength(600);
    expect(fake.requests.filter((sent) => sent.method === 'POST')).toHaveLength(400);
    expect(store.state([{ bucket: 'run:run-1|total', limitMicros: 1_000_000 }], Date.now())).toEqual([
      { bucket: 'run:run-1|total', limitMicros: 1_000_000, spentMicros: 1_000_000, reservedMicros: 0 },
    ]);
    const rows = [...ledger.entries({ runId: 'run-1' })];
    expect(rows).toHaveLength(400);
    expect(rows.reduce((sum, row) => sum + (row.costMicros ?? 0), 0)).toBe(1_000_000);
    store.close();
    ledger.close();
  }, 120_000);

  it('one process, cheaper answers than reserved: settlement returns the difference, spend stays ≤ $1', async () => {
    fake.setDefault({ text: 'ok', usage: { inputTokens: promptTokens, outputTokens: 100 } });
    const store = SqliteBudgetStore.open(database.file);
    const stage = createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'global', limit_usd: 1 }]) });
    const adapter = createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` });
    const outcomes = await Promise.all(
      Array.from({ length: 1_000 }, () => outcomeOf(attemptThrough([stage], adapter, { ...request, maxTokens: worstCase - promptTokens }))),
    );
    const sent = outcomes.filter((outcome) => outcome.ok).length;
    const [state] = store.state([{ bucket: 'global|total', limitMicros: 1_000_000 }], Date.now());
    expect(state.reservedMicros).toBe(0);
    expect(state.spentMicros).toBe(sent * (promptTokens + 100));
    expect(state.spentMicros).toBeLessThanOrEqual(1_000_000);
    // At least the 400 that fit at the worst case; more as settled calls hand money back.
    expect(sent).toBeGreaterThanOrEqual(400);
    store.close();
  }, 120_000);

  it('two processes sharing one database: 400 sent between them, spend exactly $1.000000', async () => {
    const maxTokens = worstCase - promptTokens;
    fake.setDefault({ text: 'ok', usage: { inputTokens: promptTokens, outputTokens: maxTokens } });
    const runChild = (): Promise<{ sent: number; refused: number }> =>
      new Promise((resolve, reject) => {
        const process_ = spawn(process.execPath, [viteNode, child], {
          env: { ...process.env, COST_DB: database.file, COST_FAKE_URL: fake.url, COST_API_KEY: apiKey, COST_CALLS: '500', COST_MAX_TOKENS: String(maxTokens) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        process_.stdout.on('data', (chunk) => (stdout += chunk));
        process_.stderr.on('data', (chunk) => (stderr += chunk));
        const timer = setTimeout(() => process_.kill('SIGKILL'), 90_000);
        process_.on('close', (code) => {
          clearTimeout(timer);
          if (code !== 0) return reject(new Error(`child exited ${code}: ${stderr.slice(0, 2000)}`));
          resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
        });
      });
    const [first, second] = await Promise.all([runChild(), runChild()]);
    expect(first.sent + second.sent).toBe(400);
    expect(first.refused + second.refused).toBe(600);
    const store = SqliteBudgetStore.open(database.file);
    expect(store.state([{ bucket: 'mission:shared|total', limitMicros: 1_000_000 }], Date.now())[0]).toMatchObject({ spentMicros: 1_000_000, reservedMicros: 0 });
    store.close();
    const ledger = SqliteLedger.open(database.file);
    expect([...ledger.entries()].reduce((sum, row) => sum + (row.costMicros ?? 0), 0)).toBe(1_000_000);
    ledger.close();
  }, 120_000);
});
