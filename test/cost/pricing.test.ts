/**
 * Prices checked by hand: captured provider usage, normalised by each adapter's own parser, then
 * priced from the generated table. Every expected figure is worked out in the comment above it
 * (rates in USD per million tokens; micro-dollars = tokens × rate).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseAnthropicUsage } from '../../providers/adapters/anthropic-response.js';
import { normaliseUsage as normaliseBedrockUsage } from '../../providers/adapters/bedrock-response.js';
import { normaliseGeminiUsage } from '../../providers/adapters/gemini-response.js';
import { chatUsage } from '../../providers/adapters/openai-chat-response.js';
import { computeCost, picosToMicros, worstCaseCostMicros, affordableOutputTokens } from '../../providers/pricing/cost.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import { generatedPriceTable } from '../../providers/pricing/price-table.generated.js';
import type { Usage } from '../../providers/types.js';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../fixtures/cost/${name}`, import.meta.url), 'utf8'));
const table = PriceTable.load();

function priced(provider: string, model: string, usage: Usage): number | null {
  const lookup = table.lookup(provider, model);
  return lookup.price ? computeCost(usage, lookup.price).costMicros : null;
}

describe('cost per provider from captured usage', () => {
  it('openai: gpt-4.1-nano, 16 in × $0.10 + 363 out × $0.40 = 146.8 → 147 µ$', () => {
    const response = fixture('openai-text.json');
    expect(response.model).toBe('gpt-4.1-nano-2025-04-14');
    expect(priced('openai', response.model, chatUsage(response.usage))).toBe(147);
  });

  it('openai: gpt-5-nano streamed, 100 reasoning tokens at the output rate: 12 × $0.05 + 100 × $0.40 = 40.6 → 41 µ$', () => {
    const chunk = fixture('openai-gpt-5-nano-stream-usage-chunk.json');
    const usage = chatUsage(chunk.usage);
    expect(usage.reasoningTokens).toBe(100);
    expect(priced('openai', chunk.model, usage)).toBe(41);
  });

  it('azure: gpt-5-nano, 8 × $0.05 + 271 × $0.40 (192 reasoning) = 108.8 → 109 µ$', () => {
    const response = fixture('azure-chat-basic-response.json');
    const usage = chatUsage(response.usage);
    expect(usage).toMatchObject({ inputTokens: 8, outputTokens: 271, reasoningTokens: 192 });
    expect(priced('azure', response.model, usage)).toBe(109);
  });

  it('anthropic: claude-sonnet-4-5, 12 × $3 + 29 × $15 = 471 µ$', () => {
    const response = fixture('anthropic-text.json');
    expect(priced('anthropic', response.model, normaliseAnthropicUsage(response.usage))).toBe(471);
  });

  it('gemini: gemini-3-pro-preview, thoughts billed as output: 9 × $2 + (29 + 282) × $12 = 3750 µ$', () => {
    const response = fixture('google-reasoning.json');
    const usage = normaliseGeminiUsage(response.usageMetadata);
    expect(usage).toMatchObject({ outputTokens: 311, reasoningTokens: 282 });
    expect(priced('gemini', response.modelVersion, usage)).toBe(3750);
  });

  it('bedrock: an apac. inference profile priced as its base model, 51 × $3 + 78 × $15 = 1323 µ$', () => {
    const response = fixture('amazon-bedrock-reasoning.json');
    const lookup = table.lookup('bedrock', 'apac.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(lookup).toMatchObject({ source: 'table' });
    expect(priced('bedrock', 'apac.anthropic.claude-3-7-sonnet-20250219-v1:0', normaliseBedrockUsage(response.usage))).toBe(1323);
    // A profile the table knows by name is priced under its own entry.
    expect(table.lookup('bedrock', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0').key).toBe('bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0');
  });

  it('anthropic prompt cache (hand-written usage): reads, 5-minute and 1-hour writes at their own rates', () => {
    // 100 uncached × $3 = 300; 50,000 read × $0.30 = 15,000; 15,000 5m writes × $3.75 = 56,250;
    // 5,000 1h writes × $6 = 30,000; 1,000 out × $15 = 15,000 → 116,550 µ$.
    const usage = normaliseAnthropicUsage({
      input_tokens: 100,
      cache_read_input_tokens: 50_000,
      cache_creation_input_tokens: 20_000,
      cache_creation: { ephemeral_5m_input_tokens: 15_000, ephemeral_1h_input_tokens: 5_000 },
      output_tokens: 1_000,
    } as never);
    expect(usage).toMatchObject({ inputTokens: 70_100, cachedInputTokens: 50_000, cacheWriteInputTokens: 20_000 });
    expect(priced('anthropic', 'claude-sonnet-4-5-20250929', usage)).toBe(116_550);
  });

  it('long-context tiers: the whole call at the tier its prompt falls in', () => {
    const usage = (inputTokens: number, outputTokens: number, reasoningTokens = 0): Usage => ({
      inputTokens, outputTokens, reasoningTokens, cachedInputTokens: 0, cacheWriteInputTokens: 0, totalTokens: inputTokens + outputTokens,
    });
    // Gemini 2.5 Pro above 200k: 250,000 × $2.50 + 2,000 × $15 = 655,000 µ$.
    expect(priced('gemini', 'gemini-2.5-pro', usage(250_000, 2_000, 500))).toBe(655_000);
    // At exactly 200k the base tier holds: 200,000 × $1.25 + 2,000 × $10 = 270,000 µ$.
    expect(priced('gemini', 'models/gemini-2.5-pro', usage(200_000, 2_000))).toBe(270_000);
    // Claude Sonnet 4.5 above 200k: 300,000 × $6 + 1,000 × $22.50 = 1,822,500 µ$.
    expect(priced('anthropic', 'claude-sonnet-4-5', usage(300_000, 1_000))).toBe(1_822_500);
  });
});

describe('price lookup', () => {
  it('local models are free; unknown hosted models are unknown, not zero', () => {
    expect(table.lookup('ollama', 'llama3.1:8b')).toMatchObject({ source: 'local', price: { rates: { input: 0, output: 0 } } });
    expect(table.lookup('shimmy', 'phi-3')).toMatchObject({ source: 'local' });
    expect(table.lookup('openai', 'gpt-nonexistent-9')).toEqual({ source: 'unknown' });
    expect(table.lookup('azure', 'my-deployment-name')).toEqual({ source: 'unknown' });
  });

  it('overrides price local models, replace table prices, and change the version', () => {
    const custom = PriceTable.load({
      models: {
        'ollama/*': { input_per_mtok_usd: 0.01, output_per_mtok_usd: 0.02 },
        'openai/gpt-4o-mini': { input_per_mtok_usd: 1, output_per_mtok_usd: 2, tiers: [{ above_input_tokens: 1000, input_per_mtok_usd: 10 }] },
      },
    });
    expect(custom.version).not.toBe(table.version);
    expect(custom.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(custom.lookup('ollama', 'llama3')).toMatchObject({ source: 'override', key: 'ollama/*' });
    const price = custom.lookup('openai', 'gpt-4o-mini-2024-07-18').price!;
    expect(computeCost({ inputTokens: 2000, outputTokens: 10, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0, totalTokens: 0 }, price).costMicros).toBe(20_020);
  });

  it('refuses nonsense overrides with LLM_ERR_INVALID_CONFIG', () => {
    expect(() => PriceTable.load({ models: { 'gpt-4o': { input_per_mtok_usd: 1, output_per_mtok_usd: 1 } } })).toThrow(/provider\/model/);
    expect(() => PriceTable.load({ models: { 'openai/x': { input_per_mtok_usd: -1, output_per_mtok_usd: 1 } } as never })).toThrow(
      expect.objectContaining({ code: 'LLM_ERR_INVALID_CONFIG' }),
    );
  });

  it('the shipped table is versioned by its content', () => {
    expect(table.version).toBe(generatedPriceTable.version);
    expect(table.size).toBeGreaterThan(500);
  });
});

describe('money arithmetic', () => {
  it('rounds once per call, half up, from exact pico-dollars', () => {
    expect(picosToMicros(499_999)).toBe(0);
    expect(picosToMicros(500_000)).toBe(1);
    expect(picosToMicros(1_500_000)).toBe(2);
  });

  it('the worst case covers any real usage of the same prompt and output cap', () => {
    const price = table.lookup('anthropic', 'claude-sonnet-4-5').price!;
    const worst = worstCaseCostMicros(price, 1_000, 500);
    // 1,000 prompt tokens at the dearest input rate (1h cache write, $6) + 500 × $15.
    expect(worst).toBe(6_000 + 7_500);
    expect(affordableOutputTokens(price, 1_000, worst)).toBe(500);
    expect(affordableOutputTokens(price, 1_000, 6_000)).toBe(0);
  });
});
