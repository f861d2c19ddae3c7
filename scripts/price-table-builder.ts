/**
 * Builds the price table from a LiteLLM `model_prices_and_context_window.json` (MIT licence,
 * BerriAI/litellm); `scripts/generate-price-table.ts` is the command around it.
 *
 * Reproducible: the same input gives the same bytes (models sorted, keys sorted, no timestamp),
 * and the table's version is the SHA-256 of its canonical JSON. Only chat-style models of the
 * hosted providers the layer speaks to are kept (local Ollama and Shimmy models are free unless
 * the configuration prices them). LiteLLM's USD-per-token floats become integer
 * micro-dollars per million tokens (pico-dollars per token), rounded to the nearest integer —
 * exact for every published price, which are whole fractions of a cent per million tokens.
 */
import { createHash } from 'node:crypto';
import type { ModelPrice, PriceRates, PriceTableData, PriceTier } from '../providers/pricing/types.js';

/** One model entry of the LiteLLM file (only the fields read here are typed). */
export type LiteLlmEntry = Record<string, unknown> & { litellm_provider?: string; mode?: string };

/** LiteLLM provider → our provider id, and the key prefix LiteLLM puts before the model id. */
const providerMap: Record<string, { provider: string; prefix?: string }> = {
  openai: { provider: 'openai' },
  azure: { provider: 'azure', prefix: 'azure/' },
  anthropic: { provider: 'anthropic' },
  gemini: { provider: 'gemini', prefix: 'gemini/' },
  bedrock: { provider: 'bedrock', prefix: 'bedrock/' },
  bedrock_converse: { provider: 'bedrock', prefix: 'bedrock/' },
};

const chatModes = new Set(['chat', 'completion', 'responses']);

/** LiteLLM field suffix → our rate name. */
const rateFields: [keyof PriceRates, string][] = [
  ['input', 'input_cost_per_token'],
  ['output', 'output_cost_per_token'],
  ['cacheRead', 'cache_read_input_token_cost'],
  ['cacheWrite5m', 'cache_creation_input_token_cost'],
  ['cacheWrite1h', 'cache_creation_input_token_cost_above_1hr'],
  ['reasoning', 'output_cost_per_reasoning_token'],
];

function toMicrosPerMillion(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.round(value * 1e12);
}

function ratesOf(entry: LiteLlmEntry, suffix: string): Partial<PriceRates> {
  const rates: Partial<PriceRates> = {};
  for (const [name, field] of rateFields) {
    const value = toMicrosPerMillion(entry[field + suffix]);
    if (value !== undefined) rates[name] = value;
  }
  return rates;
}

function tiersOf(entry: LiteLlmEntry): PriceTier[] {
  const thresholds = new Set<number>();
  for (const field of Object.keys(entry)) {
    const match = /_above_(\d+)k_tokens$/.exec(field);
    // Priority/flex service tiers and per-character or media prices are not token tiers we meter.
    if (match && /^(input|output|cache_read_input|cache_creation_input)/.test(field) && !/(priority|flex|character|image|audio|video)/.test(field)) {
      thresholds.add(Number(match[1]));
    }
  }
  return [...thresholds]
    .sort((a, b) => a - b)
    .map((thousands) => ({ aboveInputTokens: thousands * 1000, rates: ratesOf(entry, `_above_${thousands}k_tokens`) }))
    .filter((tier) => Object.keys(tier.rates).length > 0);
}

function priceOf(entry: LiteLlmEntry): ModelPrice | undefined {
  const rates = ratesOf(entry, '');
  if (rates.input === undefined || rates.output === undefined) return undefined;
  // `cache_creation_input_token_cost_above_1hr` is a 1-hour cache write, not a long-context tier.
  const price: ModelPrice = { rates: rates as PriceRates };
  const tiers = tiersOf(entry);
  if (tiers.length) price.tiers = tiers;
  if (typeof entry.max_input_tokens === 'number') price.maxInputTokens = entry.max_input_tokens;
  if (typeof entry.max_output_tokens === 'number') price.maxOutputTokens = entry.max_output_tokens;
  return price;
}

/** Keys sorted at every depth: the canonical form the version hashes. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** Builds the table from LiteLLM's parsed JSON. */
export function buildPriceTable(litellm: Record<string, LiteLlmEntry>): PriceTableData {
  const models: Record<string, ModelPrice> = {};
  for (const [litellmKey, entry] of Object.entries(litellm)) {
    const mapping = entry && providerMap[entry.litellm_provider ?? ''];
    if (!mapping || !chatModes.has(String(entry.mode))) continue;
    // Provisioned-throughput (commitment) prices are per hour, not per token.
    if (litellmKey.includes('commitment') || litellmKey.includes('/*/')) continue;
    const model = mapping.prefix && litellmKey.startsWith(mapping.prefix) ? litellmKey.slice(mapping.prefix.length) : litellmKey;
    const price = priceOf(entry);
    if (!price) continue;
    const key = `${mapping.provider}/${model}`;
    // Two LiteLLM providers (bedrock, bedrock_converse) may price one id: the first, by key order, wins.
    if (!(key in models)) models[key] = price;
  }
  const sorted = canonical(models) as Record<string, ModelPrice>;
  const version = 'sha256:' + createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
  return { version, source: 'LiteLLM model_prices_and_context_window.json (MIT)', models: sorted };
}

/** Renders the table as a TypeScript module, one model per line. */
export function renderPriceTable(table: PriceTableData): string {
  const lines = Object.entries(table.models).map(([key, price]) => `    ${JSON.stringify(key)}: ${JSON.stringify(price)},`);
  return [
    '// Generated by scripts/generate-price-table.ts from LiteLLM model_prices_and_context_window.json',
    '// (MIT licence, BerriAI/litellm). Do not edit: regenerate, or override prices in mission.config.yaml.',
    "import type { PriceTableData } from './types.js';",
    '',
    '/** The shipped price table (rates in micro-dollars per million tokens). */',
    'export const generatedPriceTable: PriceTableData = {',
    `  version: ${JSON.stringify(table.version)},`,
    `  source: ${JSON.stringify(table.source)},`,
    '  models: {',
    ...lines,
    '  },',
    '};',
    '',
  ].join('\n');
}

