/** Which buckets a call charges, and the calendar windows of periods. */
import { describe, expect, it } from 'vitest';
import { budgetRulesFrom } from '../../providers/layer/budget/budget-config.js';
import { periodWindow, windowOf } from '../../providers/layer/budget/budget-periods.js';
import { appliedBudgets, mergeRules } from '../../providers/layer/budget/budget-scopes.js';

const now = Date.UTC(2026, 11, 3, 15, 30); // Thursday 3 December 2026.

describe('budget scopes', () => {
  it('charges every scope that applies, each in its period window', () => {
    const rules = budgetRulesFrom([
      { scope: 'global', period: 'monthly', limit_usd: 100 },
      { scope: 'mission', period: 'daily', limit_usd: 5 },
      { scope: 'run', limit_usd: 0.5 },
      { scope: 'user', name: 'ada', limit_usd: 1 },
      { scope: 'user', name: 'bob', limit_usd: 1 },
      { scope: 'tag', period: 'weekly', limit_usd: 2 },
      { scope: 'session', limit_usd: 3 },
    ]);
    const applied = appliedBudgets(rules, { runId: 'r1', mission: 'nightly', user: 'ada', tags: ['prod', 'eu'] }, now);
    expect(applied.map((budget) => [budget.bucket, budget.limitMicros])).toEqual([
      ['global|month:2026-12', 100_000_000],
      ['mission:nightly|day:2026-12-03', 5_000_000],
      ['run:r1|total', 500_000],
      ['user:ada|total', 1_000_000],
      ['tag:prod|week:2026-11-30', 2_000_000],
      ['tag:eu|week:2026-11-30', 2_000_000],
    ]);
  });

  it('the tighter of two rules on one bucket holds; stored rules replace configured ones', () => {
    const configured = budgetRulesFrom([{ scope: 'mission', limit_usd: 5 }, { scope: 'mission', name: 'nightly', limit_usd: 2 }]);
    expect(appliedBudgets(configured, { mission: 'nightly' }, now).map((budget) => budget.limitMicros)).toEqual([2_000_000]);
    const stored = budgetRulesFrom([{ scope: 'mission', limit_usd: 9 }]);
    expect(mergeRules(configured, stored).map((rule) => rule.limitMicros)).toEqual([9_000_000, 2_000_000]);
  });

  it('keys very long origin values by their hash', () => {
    const [budget] = appliedBudgets(budgetRulesFrom([{ scope: 'user', limit_usd: 1 }]), { user: 'x'.repeat(10_000) }, now);
    expect(budget.bucket).toMatch(/^user:sha256:[0-9a-f]{64}\|total$/);
  });

  it('periods are UTC calendar windows', () => {
    expect(periodWindow('daily', Date.UTC(2026, 11, 31, 23, 59, 59))).toBe('day:2026-12-31');
    expect(periodWindow('weekly', Date.UTC(2026, 10, 30))).toBe('week:2026-11-30'); // a Monday
    expect(periodWindow('weekly', Date.UTC(2026, 11, 6, 23))).toBe('week:2026-11-30'); // the Sunday after
    expect(windowOf('monthly', now)).toEqual({ label: 'month:2026-12', start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) });
    expect(periodWindow('total', now)).toBe('total');
  });
});
