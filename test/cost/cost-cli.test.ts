/** `mission cost …` and `mission budget …` as a user runs them (the built CLI, a seeded database). */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteBudgetStore } from '../../engine/store/budget-store.js';
import { SqliteLedger } from '../../engine/store/ledger-store.js';
import { runCli, tempDir } from '../cli/cli-harness.js';
import { entry } from './ledger-fixtures.js';

let directory: string;
let db: string;

beforeAll(() => {
  directory = tempDir('mission-cost-cli-');
  db = path.join(directory, 'state.db');
  const ledger = SqliteLedger.open(db);
  ledger.append(entry({ at: Date.UTC(2026, 10, 29, 10), provider: 'anthropic', model: 'claude-sonnet-4-5', costMicros: 4_000, user: 'ada' }));
  ledger.append(entry({ at: Date.UTC(2026, 10, 30, 10), costMicros: 210, promptHash: 'same' }));
  ledger.append(entry({ at: Date.UTC(2026, 10, 30, 11), costMicros: 210, promptHash: 'same', estimated: true }));
  ledger.append(entry({ at: Date.UTC(2026, 10, 30, 12), model: 'mystery', costMicros: null }));
  ledger.close();
});

describe('mission cost report', () => {
  it('--json prints exactly {rows, total} with the documented fields', async () => {
    const outcome = await runCli(['cost', 'report', '--by', 'provider', '--json', '--db', db], directory);
    expect(outcome.code, outcome.stderr).toBe(0);
    const report = JSON.parse(outcome.stdout);
    expect(Object.keys(report)).toEqual(['rows', 'total']);
    expect(report.rows.map((row: { key: string; costMicros: number }) => [row.key, row.costMicros])).toEqual([['anthropic', 4_000], ['openai', 420]]);
    expect(Object.keys(report.rows[0]).sort()).toEqual(
      ['key', 'calls', 'inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens', 'costMicros', 'estimatedCalls', 'unknownCostCalls', 'cacheHits', 'savedMicros'].sort(),
    );
    expect(report.total).toMatchObject({ calls: 4, costMicros: 4_420, estimatedCalls: 1, unknownCostCalls: 1 });
  });

  it('--since/--until select whole UTC days; a bad date is a usage error', async () => {
    const outcome = await runCli(['cost', 'report', '--by', 'day', '--since', '2026-11-30', '--until', '2026-11-30', '--json', '--db', db], directory);
    expect(JSON.parse(outcome.stdout).rows.map((row: { key: string; calls: number }) => [row.key, row.calls])).toEqual([['2026-11-30', 3]]);
    const bad = await runCli(['cost', 'report', '--since', 'yesterday', '--db', db], directory);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since expects a date');
    const badGrouping = await runCli(['cost', 'report', '--by', 'colour', '--db', db], directory);
    expect(badGrouping.code).toBe(2);
  });

  it('the table says what the unknown-cost calls are', async () => {
    const outcome = await runCli(['cost', 'report', '--db', db], directory);
    expect(outcome.stdout).toContain('total');
    expect(outcome.stdout).toContain('$0.004420');
    expect(outcome.stdout).toContain('1 calls used models with no known price');
  });

  it('reading commands do not create a database', async () => {
    const outcome = await runCli(['cost', 'report', '--db', path.join(directory, 'nowhere.db')], directory);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('no database at');
  });
});

describe('mission cost recommend', () => {
  it('--json lists the repeated prompt a cache would have served', async () => {
    const outcome = await runCli(['cost', 'recommend', '--since', '2026-11-01', '--json', '--db', db], directory);
    expect(outcome.code, outcome.stderr).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result.recommendations).toEqual([expect.objectContaining({ kind: 'cache-repeated-prompts', savedMicros: 210 })]);
    expect(result.totalSavedMicros).toBe(210);
  });
});

describe('mission budget', () => {
  it('set, show and reset a budget shared through the database', async () => {
    const set = await runCli(['budget', 'set', '--scope', 'mission', '--name', 'demo', '--period', 'daily', '--limit-usd', '5.25', '--on-exhausted', 'pause', '--db', db], directory);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('mission demo, daily, $5.250000');
    const store = SqliteBudgetStore.open(db);
    const today = new Date().toISOString().slice(0, 10);
    store.settle('x', [`mission:demo|day:${today}`], 1_250_000);
    store.close();
    const show = await runCli(['budget', 'show', '--json', '--db', db], directory);
    const shown = JSON.parse(show.stdout);
    expect(shown.limits).toEqual([expect.objectContaining({ scope: 'mission', name: 'demo', period: 'daily', limitMicros: 5_250_000, onExhausted: 'pause' })]);
    expect(shown.buckets).toContainEqual({ bucket: `mission:demo|day:${today}`, spentMicros: 1_250_000, reservedMicros: 0, limitMicros: 5_250_000, leftMicros: 4_000_000 });
    const reset = await runCli(['budget', 'reset', '--scope', 'mission', '--name', 'demo', '--period', 'daily', '--remove', '--db', db], directory);
    expect(reset.stdout).toContain('reset to $0; budget removed');
    const after = JSON.parse((await runCli(['budget', 'show', '--json', '--db', db], directory)).stdout);
    expect(after).toEqual({ limits: [], buckets: [] });
  });

  it('refuses bad limits and missing names as usage errors', async () => {
    expect((await runCli(['budget', 'set', '--scope', 'global', '--limit-usd', '-1', '--db', db], directory)).code).toBe(2);
    expect((await runCli(['budget', 'set', '--scope', 'global', '--limit-usd', '1.1234567', '--db', db], directory)).code).toBe(2);
    const reset = await runCli(['budget', 'reset', '--scope', 'user', '--db', db], directory);
    expect(reset.code).toBe(2);
    expect(reset.stderr).toContain('--name is needed');
  });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));
