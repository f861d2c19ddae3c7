/**
 * The price table the layer uses: the generated table (shipped in the package, never fetched),
 * with the configuration's overrides on top. Its `version` is a content hash recorded with every
 * priced call, so a cost can always be traced to the prices that made it.
 */
import { createHash } from 'node:crypto';
import { generatedPriceTable } from './price-table.generated.js';
import { localProviders, priceKeyCandidates } from './model-keys.js';
import { pricesFromConfig, type PricingConfig } from './pricing-config.js';
import type { ModelPrice, PriceMatch, PriceTableData } from './types.js';

const free: ModelPrice = { rates: { input: 0, output: 0 } };

/** Prices models by provider and served model id. */
export class PriceTable {
  /** `sha256:…` of the shipped table, or of it and the overrides together. */
  readonly version: string;
  private readonly models: Record<string, ModelPrice>;
  private readonly overrides: Record<string, ModelPrice>;

  private constructor(data: PriceTableData, overrides: Record<string, ModelPrice>) {
    this.models = data.models;
    this.overrides = overrides;
    this.version = Object.keys(overrides).length
      ? 'sha256:' + createHash('sha256').update(data.version).update(JSON.stringify(sortKeys(overrides))).digest('hex')
      : data.version;
  }

  /** The shipped table with `pricing:` overrides (throws `LLM_ERR_INVALID_CONFIG` on a bad block). */
  static load(config?: PricingConfig, data: PriceTableData = generatedPriceTable): PriceTable {
    return new PriceTable(data, pricesFromConfig(config));
  }

  /** How many models the table prices (overrides not counted). */
  get size(): number {
    return Object.keys(this.models).length;
  }

  /**
   * The price of `model` served by `provider`: an override, the table (trying inference-profile
   * and dated variants), zero for local providers (Ollama, Shimmy), or unknown — never a silent zero.
   */
  lookup(provider: string, model: string, region?: string): PriceMatch {
    const candidates = priceKeyCandidates(provider, model, region);
    for (const key of [...candidates, `${provider}/*`]) {
      const price = this.overrides[key];
      if (price) return { price, source: 'override', key };
    }
    // The user's own machine: free unless an override above priced it.
    if (localProviders.has(provider)) return { price: free, source: 'local' };
    for (const key of candidates) {
      const price = this.models[key];
      if (price) return { price, source: 'table', key };
    }
    return { source: 'unknown' };
  }
}

/**
 * A single figure for comparing models (`createLlm({ price })` for `lowest-cost` routes): micro-dollars
 * per million tokens of a typical 3 : 1 input-to-output mix, or undefined when the model is unknown.
 */
export function blendedRate(table: PriceTable, provider: string, model: string): number | undefined {
  const price = table.lookup(provider, model).price;
  return price ? Math.round((price.rates.input * 3 + price.rates.output) / 4) : undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}
