/**
 * What a budget does to single calls: leases of dead processes are reclaimed, `max_tokens` is
 * lowered to what is left, a stream that would cross its reservation is cut, a call with no usage
 * is billed by a tokenizer's estimate, `pause` budgets say so, alerts fire once per level.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBudgetStore } from '../../engine/store/budget-store.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { createShimmyAdapter } from '../../providers/adapters/shimmy.js';
import { closePools } from '../../providers/http.js';
import { AlertWebhook, signBody, signatureHeader } from '../../providers/layer/budget/alert-webhook.js';
import { budgetRulesFrom } from '../../providers/layer/budget/budget-config.js';
import { createBudgetStage } from '../../providers/layer/budget/budget-stage.js';
import { MemoryBudgetStore } from '../../providers/layer/budget/memory-budget-store.js';
import { createLedgerStage } from '../../providers/layer/ledger/ledger-stage.js';
import { MemoryLedger } from '../../providers/layer/ledger/memory-ledger.js';
import type { LayerAuditEvent } from '../../providers/layer/stage.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import { TokenEstimator } from '../../providers/pricing/token-estimator.js';
import type { LlmRequest } from '../../providers/types.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { attemptThrough, outcomeOf, temporaryDatabase } from './helpers.js';

const viteNode = fileURLToPath(new URL('../../node_modules/vite-node/vite-node.mjs', import.meta.url));
const apiKey = 'sk-cost-behaviour-0123456789';
const prices = PriceTable.load({ models: { 'openai/fake-model': { input_per_mtok_usd: 1, output_per_mtok_usd: 1 } } });
const request: LlmRequest = { model: 'fake-model', messages: [{ role: 'user', content: 'Tell me a story.' }] };

let fake: FakeServer;
let shimmyFake: FakeServer;
let promptTokens: number;

beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
  shimmyFake = await startOpenAiFake({ flavor: 'shimmy' });
  promptTokens = (await TokenEstimator.for('openai', 'fake-model')).countPrompt(request);
});
afterAll(async () => {
  await closePools();
  await fake.close();
  await shimmyFake.close();
});

const openai = () => createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` });

describe('leases', () => {
  let database: ReturnType<typeof temporaryDatabase>;
  beforeEach(() => (database = temporaryDatabase()));
  afterEach(() => database.remove());

  it('a process killed holding a reservation does not leak it: the lease expires (fake clock)', () => {
    const t0 = Date.UTC(2026, 11, 1, 12);
    const child = spawnSync(process.execPath, [viteNode, fileURLToPath(new URL('./fixtures/reserve-and-die.ts', import.meta.url))], {
      env: { ...process.env, COST_DB: database.file, COST_NOW: String(t0) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal).toBe('SIGKILL');
    expect(JSON.parse(child.stdout.trim())).toMatchObject({ granted: true, micros: 700_000 });
    const store = SqliteBudgetStore.open(database.file);
    const ask = (now: number, id: string) =>
      store.reserve({ reservationId: id, buckets: [{ bucket: 'global|total', limitMicros: 1_000_000 }], wantMicros: 500_000, minMicros: 400_000, now, leaseUntil: now + 60_000 });
    // While the dead process's lease runs, its 700,000 µ$ are held: only 300,000 are left.
    expect(ask(t0 + 59_999, 'during')).toMatchObject({ granted: false, exhausted: { reservedMicros: 700_000 } });
    // Once it has expired, the next reservation reclaims it.
    expect(ask(t0 + 60_000, 'after')).toMatchObject({ granted: true, micros: 500_000 });
    expect(store.state([{ bucket: 'global|total', limitMicros: 1_000_000 }], t0 + 60_000)[0]).toMatchObject({ reservedMicros: 500_000, spentMicros: 0 });
    store.close();
  }, 90_000);
});

describe('reservations', () => {
  it('lowers max_tokens to what is left, down to the floor, then refuses', async () => {
    const store = new MemoryBudgetStore();
    // Spend all but 1,000 µ$ of a $0.01 budget.
    store.settle('earlier', ['global|total'], 9_000);
    const records: LayerAuditEvent[] = [];
    const stage = createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'global', limit_usd: 0.01 }]), minOutputTokens: 100 });
    fake.enqueue({ text: 'short', usage: { inputTokens: promptTokens, outputTokens: 5 } });
    const first = await outcomeOf(attemptThrough([stage], openai(), { ...request, maxTokens: 4_000 }, { records }));
    expect(first.ok).toBe(true);
    // 1,000 µ$ pay for the prompt and 1,000 − P output tokens at 1 µ$ each.
    expect(fake.requests.at(-1)!.body.max_completion_tokens).toBe(1_000 - promptTokens);
    expect(records).toContainEqual(expect.objectContaining({ type: 'budget-max-tokens-lowered', from: 4_000, to: 1_000 - promptTokens }));
    // Now 1,000 − (P + 5) are left: less than the prompt and a 100-token floor → refused, nothing sent.
    store.settle('more', ['global|total'], 1_000 - (promptTokens + 5) - promptTokens - 50);
    const sentBefore = fake.requests.length;
    const second = await outcomeOf(attemptThrough([stage], openai(), { ...request, maxTokens: 4_000 }));
    expect(second.ok).toBe(false);
    expect(!second.ok && second.error).toMatchObject({ code: 'LLM_ERR_BUDGET_EXHAUSTED', isRetryable: false, pause: false, bucket: 'global|total' });
    expect(fake.requests.length).toBe(sentBefore);
  });

  it('an unset max_tokens is reserved (and sent) as the default', async () => {
    const stage = createBudgetStage({ store: new MemoryBudgetStore(), prices, rules: budgetRulesFrom([{ scope: 'global', limit_usd: 1 }]), defaultMaxTokens: 777 });
    fake.enqueue({ text: 'ok', usage: { inputTokens: 5, outputTokens: 1 } });
    expect((await outcomeOf(attemptThrough([stage], openai(), request))).ok).toBe(true);
    expect(fake.requests.at(-1)!.body.max_completion_tokens).toBe(777);
  });

  it('on_exhausted: pause refuses with pause: true', async () => {
    const store = new MemoryBudgetStore();
    store.settle('earlier', ['mission:nightly|total'], 1_000_000);
    const stage = createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'mission', limit_usd: 1, on_exhausted: 'pause' }]) });
    const outcome = await outcomeOf(attemptThrough([stage], openai(), request, { origin: { mission: 'nightly' } }));
    expect(!outcome.ok && outcome.error).toMatchObject({ code: 'LLM_ERR_BUDGET_EXHAUSTED', pause: true, bucket: 'mission:nightly|total', spentMicros: 1_000_000 });
    expect(!outcome.ok && outcome.error.toJSON()).toMatchObject({ pause: true, limitMicros: 1_000_000 });
  });

  it('a provider billing more than was reserved is settled at its figure and recorded as an overrun', async () => {
    const store = new MemoryBudgetStore();
    const records: LayerAuditEvent[] = [];
    const stage = createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'global', limit_usd: 1 }]) });
    fake.enqueue({ text: 'ok', usage: { inputTokens: promptTokens + 500, outputTokens: 10 } });
    await outcomeOf(attemptThrough([stage], openai(), { ...request, maxTokens: 10 }, { records }));
    expect(records).toContainEqual(expect.objectContaining({ type: 'budget-overrun', reservedMicros: promptTokens + 10, actualMicros: promptTokens + 510 }));
    expect(store.state([{ bucket: 'global|total', limitMicros: 1_000_000 }], Date.now())[0].spentMicros).toBe(promptTokens + 510);
  });

  it('a failed attempt releases its reservation', async () => {
    const store = new MemoryBudgetStore();
    const stage = createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'global', limit_usd: 1 }]) });
    fake.enqueue({ fault: { type: 'status', status: 500 } });
    const outcome = await outcomeOf(attemptThrough([stage], openai(), request));
    expect(!outcome.ok && outcome.error.code).toBe('LLM_ERR_SERVER');
    expect(store.state([{ bucket: 'global|total', limitMicros: 1_000_000 }], Date.now())[0]).toMatchObject({ spentMicros: 0, reservedMicros: 0 });
  });
});

describe('metering', () => {
  it('cuts a stream that would cross its reservation with an incomplete budget-exhausted error', async () => {
    const store = new MemoryBudgetStore();
    const records: LayerAuditEvent[] = [];
    const stage = createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'global', limit_usd: 1 }]) });
    // A provider that ignores max_tokens: 2,000 words where 50 tokens were allowed.
    fake.enqueue({ text: 'word '.repeat(2_000), usage: { inputTokens: promptTokens, outputTokens: 2_000 } });
    const outcome = await outcomeOf(attemptThrough([stage], openai(), { ...request, maxTokens: 50 }, { records }));
    expect(outcome.ok).toBe(false);
    const error = !outcome.ok && outcome.error;
    expect(error).toMatchObject({ code: 'LLM_ERR_BUDGET_EXHAUSTED', incomplete: true, isRetryable: false });
    expect(error.deliveredChars).toBeGreaterThan(0);
    expect(error.deliveredChars).toBeLessThan(400);
    expect(records.map((record) => record.type)).toContain('budget-stream-cut');
    // What streamed is billed (estimated), and never more than the reservation (P + 50 µ$).
    const [state] = store.state([{ bucket: 'global|total', limitMicros: 1_000_000 }], Date.now());
    expect(state.reservedMicros).toBe(0);
    expect(state.spentMicros).toBeGreaterThan(promptTokens);
    expect(state.spentMicros).toBeLessThanOrEqual(promptTokens + 50);
  });
});

describe('estimated usage', () => {
  it('a Shimmy answer without usage is billed by the tokenizer, marked estimated, never zero', async () => {
    const ledger = new MemoryLedger();
    const shimmyPrices = PriceTable.load({ models: { 'shimmy/*': { input_per_mtok_usd: 1, output_per_mtok_usd: 1 } } });
    const records: LayerAuditEvent[] = [];
    shimmyFake.enqueue({ text: 'Once upon a time there was a fake model.' });
    const outcome = await outcomeOf(
      attemptThrough([createLedgerStage({ ledger, prices: shimmyPrices })], createShimmyAdapter({ baseUrl: shimmyFake.url }), { ...request, model: 'phi-3' }, { records }),
    );
    expect(outcome.ok).toBe(true);
    const usage = outcome.ok && outcome.events.filter((event) => event.type === 'usage');
    expect(usage).toHaveLength(1);
    expect(usage && usage[0]).toMatchObject({ usage: { source: 'estimated' } });
    const [row] = [...ledger.entries()];
    expect(row).toMatchObject({ provider: 'shimmy', estimated: true, priceVersion: shimmyPrices.version });
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThanOrEqual(8);
    expect(row.costMicros).toBe(row.inputTokens + row.outputTokens);
    expect(records).toContainEqual(expect.objectContaining({ type: 'llm-cost', estimated: true, costMicros: row.costMicros }));
  });

  it('an unknown model is booked with cost null (counted apart), never zero', async () => {
    const ledger = new MemoryLedger();
    fake.enqueue({ text: 'hi', usage: { inputTokens: 10, outputTokens: 2 } });
    await outcomeOf(attemptThrough([createLedgerStage({ ledger, prices })], openai(), { ...request, model: 'mystery-model' }));
    expect([...ledger.entries()][0]).toMatchObject({ model: 'mystery-model', costMicros: null, inputTokens: 10, outputTokens: 2, estimated: false });
  });
});

describe('alerts', () => {
  it('fires each level once, as a stream event, an audit record and a signed webhook post', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((incoming, response) => {
      let body = '';
      incoming.on('data', (chunk) => (body += chunk));
      incoming.on('end', () => {
        received.push({ headers: incoming.headers, body });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const webhook = new AlertWebhook({ env: { HOOK_SECRET: 'hook-secret-value' } });
    const alerts: { bucket: string; percent: number }[] = [];
    const store = new MemoryBudgetStore();
    const stage = createBudgetStage({
      store,
      prices,
      webhook,
      onAlert: (alert) => alerts.push(alert),
      rules: budgetRulesFrom([{ scope: 'user', limit_usd: 0.001, alerts: { at: [0.5, 0.8], webhook_url: url, secret_env: 'HOOK_SECRET' } }]),
    });
    const records: LayerAuditEvent[] = [];
    const call = async (outputTokens: number) => {
      fake.enqueue({ text: 'ok', usage: { inputTokens: 0, outputTokens } });
      return outcomeOf(attemptThrough([stage], openai(), { ...request, maxTokens: 300 }, { origin: { user: 'ada' }, records }));
    };
    const first = await call(550); // 550 of 1,000 µ$: crosses 50 %.
    expect(first.ok && first.events.filter((event) => event.type === 'budget-warning')).toEqual([{ type: 'budget-warning', scope: 'user:ada|total', percent: 55 }]);
    await call(10); // 56 %: no new level.
    await call(250); // 81 %: crosses 80 %.
    await webhook.settled();
    server.close();
    expect(alerts.map((alert) => alert.percent)).toEqual([55, 81]);
    expect(records.filter((record) => record.type === 'budget-warning').map((record) => record.percent)).toEqual([55, 81]);
    expect(received).toHaveLength(2);
    for (const post of received) expect(post.headers[signatureHeader]).toBe(signBody(post.body, 'hook-secret-value'));
    expect(JSON.parse(received[1].body)).toMatchObject({ type: 'budget-warning', bucket: 'user:ada|total', percent: 81, limitMicros: 1_000 });
    expect(received.map((post) => post.body).join('')).not.toContain('hook-secret-value');
  });
});
