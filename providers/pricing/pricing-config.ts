/**
 * The `pricing:` block of `mission.config.yaml` (or a mission's `llm:` block): overrides and
 * additions to the shipped table, in USD per million tokens as people read price lists.
 * `schemas/llm/pricing.schema.json` is the source of truth for the shape.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { ModelPrice, PriceRates, PriceTier } from './types.js';

/** Rates as users write them. */
export interface PricingRatesConfig {
  input_per_mtok_usd?: number;
  output_per_mtok_usd?: number;
  cache_read_per_mtok_usd?: number;
  cache_write_5m_per_mtok_usd?: number;
  cache_write_1h_per_mtok_usd?: number;
  reasoning_per_mtok_usd?: number;
}

/** One model's price as users write it. */
export interface ModelPricingConfig extends PricingRatesConfig {
  input_per_mtok_usd: number;
  output_per_mtok_usd: number;
  tiers?: (PricingRatesConfig & { above_input_tokens: number })[];
}

/** The `pricing:` block. */
export interface PricingConfig {
  /** `provider/model` (or `provider/*` for every model of a provider) → price. */
  models?: Record<string, ModelPricingConfig>;
}

const rateNames: [keyof PriceRates, keyof PricingRatesConfig][] = [
  ['input', 'input_per_mtok_usd'],
  ['output', 'output_per_mtok_usd'],
  ['cacheRead', 'cache_read_per_mtok_usd'],
  ['cacheWrite5m', 'cache_write_5m_per_mtok_usd'],
  ['cacheWrite1h', 'cache_write_1h_per_mtok_usd'],
  ['reasoning', 'reasoning_per_mtok_usd'],
];

/** A price of a million tokens above this is a typo, not a price. */
const maxUsdPerMillion = 100_000;
const maxModels = 10_000;

function invalid(message: string): LlmError {
  return new LlmError(LlmErrorCode.invalidConfig, `pricing: ${message}`);
}

function usdToMicros(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > maxUsdPerMillion) {
    throw invalid(`${where} must be a number of USD per million tokens between 0 and ${maxUsdPerMillion}`);
  }
  return Math.round(value * 1_000_000);
}

function ratesFrom(config: PricingRatesConfig, where: string): Partial<PriceRates> {
  const rates: Partial<PriceRates> = {};
  for (const [name, field] of rateNames) {
    if (config[field] !== undefined) rates[name] = usdToMicros(config[field], `${where}.${field}`);
  }
  return rates;
}

/** Turns the `pricing:` block into table entries, refusing what makes no sense with `LLM_ERR_INVALID_CONFIG`. */
export function pricesFromConfig(config: PricingConfig | undefined): Record<string, ModelPrice> {
  const prices: Record<string, ModelPrice> = {};
  const models = config?.models ?? {};
  if (typeof models !== 'object' || models === null) throw invalid('models must be a map of provider/model to prices');
  const entries = Object.entries(models);
  if (entries.length > maxModels) throw invalid(`at most ${maxModels} models may be priced`);
  for (const [key, model] of entries) {
    if (!/^[a-z0-9_-]+\/.+$/i.test(key)) throw invalid(`"${key}" must be provider/model (e.g. openai/gpt-4o-mini or ollama/*)`);
    if (typeof model !== 'object' || model === null) throw invalid(`${key} must be an object of prices`);
    const rates = ratesFrom(model, key);
    if (rates.input === undefined || rates.output === undefined) throw invalid(`${key} needs input_per_mtok_usd and output_per_mtok_usd`);
    const price: ModelPrice = { rates: rates as PriceRates };
    if (model.tiers !== undefined) {
      if (!Array.isArray(model.tiers) || model.tiers.length > 8) throw invalid(`${key}.tiers must be a list of at most 8 tiers`);
      price.tiers = model.tiers
        .map((tier, index): PriceTier => {
          if (!Number.isSafeInteger(tier?.above_input_tokens) || tier.above_input_tokens < 0) {
            throw invalid(`${key}.tiers[${index}].above_input_tokens must be a whole number of tokens`);
          }
          return { aboveInputTokens: tier.above_input_tokens, rates: ratesFrom(tier, `${key}.tiers[${index}]`) };
        })
        .sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
    }
    prices[key] = price;
  }
  return prices;
}
