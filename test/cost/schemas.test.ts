/** The budgets and pricing schemas accept what the code accepts and refuse what it refuses. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { budgetRulesFrom } from '../../providers/layer/budget/budget-config.js';
import { PriceTable } from '../../providers/pricing/price-table.js';

const schema = (name: string) => JSON.parse(readFileSync(new URL(`../../schemas/llm/${name}.schema.json`, import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const budgets = ajv.compile(schema('budgets'));
const pricing = ajv.compile(schema('pricing'));

describe('schemas/llm/budgets.schema.json', () => {
  it('accepts the documented example, which the code reads the same way', () => {
    const example = schema('budgets').examples[0];
    expect(budgets(example), JSON.stringify(budgets.errors)).toBe(true);
    expect(budgetRulesFrom(example).map((rule) => [rule.scope, rule.period, rule.limitMicros, rule.onExhausted])).toEqual([
      ['run', 'total', 500_000, 'fail'],
      ['mission', 'daily', 5_000_000, 'pause'],
    ]);
  });

  it.each([
    [{ scope: 'planet', limit_usd: 1 }],
    [{ scope: 'global', name: 'x', limit_usd: 1 }],
    [{ scope: 'run', limit_usd: -1 }],
    [{ scope: 'run', limit_usd: 1, alerts: [1.5] }],
    [{ scope: 'run', limit_usd: 1, alerts: { webhook_url: 'ftp://x' } }],
    [{ scope: 'run', limit_usd: 1, period: 'hourly' }],
  ])('refuses %j, as the code does', (item) => {
    expect(budgets([item])).toBe(false);
    expect(() => budgetRulesFrom([item])).toThrow(expect.objectContaining({ code: 'LLM_ERR_INVALID_CONFIG' }));
  });
});

describe('schemas/llm/pricing.schema.json', () => {
  it('accepts the documented example, which the code loads', () => {
    const example = schema('pricing').examples[0];
    expect(pricing(example), JSON.stringify(pricing.errors)).toBe(true);
    expect(PriceTable.load(example).lookup('ollama', 'anything')).toMatchObject({ source: 'override' });
  });

  it('refuses a key without a provider and a missing output rate', () => {
    expect(pricing({ models: { 'gpt-4o': { input_per_mtok_usd: 1, output_per_mtok_usd: 1 } } })).toBe(false);
    expect(pricing({ models: { 'openai/x': { input_per_mtok_usd: 1 } } })).toBe(false);
    expect(() => PriceTable.load({ models: { 'openai/x': { input_per_mtok_usd: 1 } } as never })).toThrow(/output_per_mtok_usd/);
  });
});
