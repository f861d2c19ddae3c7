/**
 * The shapes of the price table. Rates are integer **micro-dollars per million tokens** (the same
 * number as pico-dollars per token), so a call's cost is an exact integer sum before the single
 * rounding to micro-dollars (see `cost.ts`).
 */

/** What one token class costs, in micro-dollars per million tokens. */
export interface PriceRates {
  /** Uncached input tokens. */
  input: number;
  /** Output tokens (reasoning included unless {@link reasoning} is set). */
  output: number;
  /** Input tokens read from the provider's prompt cache; the input rate when absent. */
  cacheRead?: number;
  /** Input tokens written to a 5-minute prompt cache; the input rate when absent. */
  cacheWrite5m?: number;
  /** Input tokens written to a 1-hour prompt cache; the 5-minute rate when absent. */
  cacheWrite1h?: number;
  /** Reasoning tokens, where the provider prices them apart; the output rate when absent. */
  reasoning?: number;
}

/**
 * A long-context tier: when a call's prompt (all input tokens, cached ones included) is longer
 * than `aboveInputTokens`, the whole call is priced at these rates (Anthropic, Gemini, Bedrock).
 */
export interface PriceTier {
  aboveInputTokens: number;
  rates: Partial<PriceRates>;
}

/** The price of one model. */
export interface ModelPrice {
  rates: PriceRates;
  /** Ascending by `aboveInputTokens`. */
  tiers?: PriceTier[];
  maxInputTokens?: number;
  maxOutputTokens?: number;
}

/** The generated table: `provider/model` → price, plus the content hash that versions it. */
export interface PriceTableData {
  /** `sha256:` + hex digest of the canonical JSON of `models`. */
  version: string;
  /** Where the table came from (a description, never fetched at run time). */
  source: string;
  models: Record<string, ModelPrice>;
}

/** How a call's price was found. */
export type PriceSource = 'table' | 'override' | 'local' | 'unknown';

/** The answer of a price lookup. */
export interface PriceMatch {
  /** Undefined when the model is unknown: the cost is unknown, never silently zero. */
  price?: ModelPrice;
  source: PriceSource;
  /** The table key that matched (`bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0`). */
  key?: string;
}
