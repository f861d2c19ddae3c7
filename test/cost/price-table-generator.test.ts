/** The price-table generator on a verbatim subset of LiteLLM's price map. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPriceTable, renderPriceTable } from '../../scripts/price-table-builder.js';

const subset = JSON.parse(readFileSync(new URL('../fixtures/cost/litellm-subset.json', import.meta.url), 'utf8'));

describe('generate-price-table', () => {
  it('keeps chat models of our providers under our provider ids, in integer micro-dollars per million tokens', () => {
    const table = buildPriceTable(subset);
    expect(Object.keys(table.models).sort()).toEqual([
      'anthropic/claude-sonnet-4-5',
      'azure/gpt-4o-mini',
      'bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0',
      'bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      'gemini/gemini-2.5-pro',
      'openai/gpt-4o-mini',
    ]);
    expect(table.models['openai/gpt-4o-mini'].rates).toEqual({ input: 150_000, output: 600_000, cacheRead: 75_000 });
    expect(table.models['anthropic/claude-sonnet-4-5'].rates).toMatchObject({ cacheWrite5m: 3_750_000, cacheWrite1h: 6_000_000 });
    expect(table.models['gemini/gemini-2.5-pro'].tiers).toEqual([{ aboveInputTokens: 200_000, rates: { input: 2_500_000, output: 15_000_000, cacheRead: 250_000 } }]);
  });

  it('is reproducible: same input, same bytes and version; any price change, another version', () => {
    const first = renderPriceTable(buildPriceTable(subset));
    expect(renderPriceTable(buildPriceTable(JSON.parse(JSON.stringify(subset))))).toBe(first);
    const changed = structuredClone(subset);
    changed['gpt-4o-mini'].output_cost_per_token = 7e-7;
    expect(buildPriceTable(changed).version).not.toBe(buildPriceTable(subset).version);
  });
});
