/**
 * The ledger and budget stages around real adapters on their fakes: Anthropic prompt-cache reads,
 * Gemini thoughts, a Bedrock stream cut before its `metadata` (estimated usage), and cache hits
 * booked with what they saved.
 */
import { Observable, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../providers/adapters/anthropic.js';
import { createBedrockAdapter } from '../../providers/adapters/bedrock.js';
import { createGeminiAdapter } from '../../providers/adapters/gemini.js';
import { closePools, configurePools } from '../../providers/http.js';
import { budgetRulesFrom } from '../../providers/layer/budget/budget-config.js';
import { createBudgetStage } from '../../providers/layer/budget/budget-stage.js';
import { MemoryBudgetStore } from '../../providers/layer/budget/memory-budget-store.js';
import { createCacheSavingsStage } from '../../providers/layer/ledger/cache-savings-stage.js';
import { createLedgerStage } from '../../providers/layer/ledger/ledger-stage.js';
import { MemoryLedger } from '../../providers/layer/ledger/memory-ledger.js';
import type { CallContext, LayerAuditEvent } from '../../providers/layer/stage.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import type { LlmEvent, LlmRequest } from '../../providers/types.js';
import { startAnthropicFake } from '../fakes/anthropic-fake.js';
import { startBedrockFake } from '../fakes/bedrock-fake.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startGeminiFake } from '../fakes/gemini-fake.js';
import { attemptThrough, outcomeOf } from './helpers.js';

configurePools({ bodyTimeoutMs: 2_000, headersTimeoutMs: 5_000 });
const prices = PriceTable.load();
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const region = 'eu-central-1';
let anthropic: FakeServer;
let gemini: FakeServer;
let bedrock: FakeServer;

beforeAll(async () => {
  [anthropic, gemini, bedrock] = await Promise.all([startAnthropicFake(), startGeminiFake(), startBedrockFake({ credentials, region })]);
});
afterAll(async () => {
  await closePools();
  await Promise.all([anthropic.close(), gemini.close(), bedrock.close()]);
});

const ask = (model: string): LlmRequest => ({ model, maxTokens: 200, messages: [{ role: 'user', content: 'Hello there' }] });

describe('cost of real adapters on their fakes', () => {
  it('anthropic: cache reads at the cache rate (claude-sonnet-4-5: 200 × $3 + 800 × $0.30 + 40 × $15 = 1,440 µ$)', async () => {
    const ledger = new MemoryLedger();
    anthropic.enqueue({ text: 'Hi!', usage: { inputTokens: 1_000, cachedInputTokens: 800, outputTokens: 40 } });
    const outcome = await outcomeOf(attemptThrough([createLedgerStage({ ledger, prices })], createAnthropicAdapter({ apiKey: 'sk-ant-cost-0123456789', baseUrl: `${anthropic.url}/` }), ask('claude-sonnet-4-5')));
    expect(outcome.ok, outcome.ok ? '' : String(outcome.error)).toBe(true);
    expect([...ledger.entries()][0]).toMatchObject({ provider: 'anthropic', inputTokens: 1_000, cachedInputTokens: 800, outputTokens: 40, costMicros: 1_440, estimated: false });
  });

  it('gemini: thoughts billed as output (gemini-2.5-pro: 100 × $1.25 + (30 + 70) × $10 = 1,125 µ$)', async () => {
    const ledger = new MemoryLedger();
    gemini.enqueue({ text: 'Hello!', usage: { inputTokens: 100, outputTokens: 100, reasoningTokens: 70 } });
    const outcome = await outcomeOf(attemptThrough([createLedgerStage({ ledger, prices })], createGeminiAdapter({ apiKey: 'gemini-cost-key-0123456789', baseUrl: gemini.url }), ask('gemini-2.5-pro')));
    expect(outcome.ok, outcome.ok ? '' : String(outcome.error)).toBe(true);
    expect([...ledger.entries()][0]).toMatchObject({ provider: 'gemini', outputTokens: 100, reasoningTokens: 70, costMicros: 1_125 });
  });

  it('bedrock: a stream cut before metadata is billed by estimate, and the budget settles it', async () => {
    const ledger = new MemoryLedger();
    const store = new MemoryBudgetStore();
    const records: LayerAuditEvent[] = [];
    bedrock.enqueue({ text: 'A fairly long answer that the network will cut short before the end. '.repeat(4), chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: 30 } });
    const stages = [createBudgetStage({ store, prices, rules: budgetRulesFrom([{ scope: 'global', limit_usd: 1 }]) }), createLedgerStage({ ledger, prices })];
    const adapter = createBedrockAdapter({ ...credentials, region, endpoint: bedrock.url });
    const outcome = await outcomeOf(attemptThrough(stages, adapter, ask('eu.anthropic.claude-3-haiku-20240307-v1:0'), { records }));
    expect(outcome.ok).toBe(false);
    const [row] = [...ledger.entries()];
    expect(row).toMatchObject({ provider: 'bedrock', estimated: true, outcome: 'LLM_ERR_STREAM_INTERRUPTED' });
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThan(0);
    // Haiku 3 at $0.25 in / $1.25 out, by the tokenizer's count × 1.2 for Claude.
    expect(row.costMicros).toBe(Math.floor((row.inputTokens * 250_000 + row.outputTokens * 1_250_000 + 500_000) / 1e6));
    expect(store.state([{ bucket: 'global|total', limitMicros: 1_000_000 }], Date.now())[0]).toMatchObject({ spentMicros: row.costMicros, reservedMicros: 0 });
    expect(records).toContainEqual(expect.objectContaining({ type: 'budget-settle', estimated: true }));
  });

  it('cache hits are booked at zero cost with what they saved', async () => {
    const ledger = new MemoryLedger();
    const records: LayerAuditEvent[] = [];
    const context: CallContext = {
      generationId: 'cached-1',
      request: { provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      origin: { runId: 'r', stepId: 's' },
      record: (event) => records.push(event),
      now: () => Date.UTC(2026, 11, 1),
    };
    // What a cache stage replays: the stored answer with its original usage.
    const replay = new Observable<LlmEvent>((subscriber) => {
      subscriber.next({ type: 'cache-hit', key: 'k' });
      subscriber.next({ type: 'start', provider: 'openai', model: 'gpt-4o-mini' });
      subscriber.next({ type: 'text-delta', text: 'Hello' });
      subscriber.next({ type: 'usage', usage: { inputTokens: 10_000, outputTokens: 1_000, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0, totalTokens: 11_000 } });
      subscriber.next({ type: 'finish', reason: 'stop' });
      subscriber.complete();
    });
    await lastValueFrom(createCacheSavingsStage({ ledger, prices }).wrapCall!(context, () => replay).pipe(toArray()));
    // 10,000 × $0.15 + 1,000 × $0.60 = 2,100 µ$ saved.
    expect([...ledger.entries()]).toEqual([expect.objectContaining({ id: 'cached-1:cache', cacheHit: true, costMicros: 0, savedMicros: 2_100, runId: 'r', stepId: 's' })]);
    expect(records).toContainEqual(expect.objectContaining({ type: 'llm-cost', cacheHit: true, savedMicros: 2_100 }));
  });
});
