/** Which budgets a call falls under, and the bucket each one charges. */
import { createHash } from 'node:crypto';
import type { CallOrigin } from '../stage.js';
import { ruleIdentity, type BudgetRule } from './budget-config.js';
import { periodWindow } from './budget-periods.js';
import type { BucketLimit } from './budget-store.js';

/** A budget applied to one call: the rule and its bucket now. */
export interface AppliedBudget extends BucketLimit {
  rule: BudgetRule;
  /** `mission:hello`, `global`, … (the bucket without its window). */
  scopeKey: string;
}

/** Stored rules replace configured ones with the same scope, name and period. */
export function mergeRules(configured: BudgetRule[], stored: BudgetRule[]): BudgetRule[] {
  const merged = new Map<string, BudgetRule>();
  for (const rule of [...configured, ...stored]) merged.set(ruleIdentity(rule), rule);
  return [...merged.values()];
}

/** Origin values longer than this are keyed by their hash (bucket keys stay small, whatever callers send). */
const maxKeyChars = 200;

function keyPart(value: string): string {
  return value.length <= maxKeyChars ? value : `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

function scopeKeysOf(rule: BudgetRule, origin: CallOrigin): string[] {
  const named = (value: string | undefined): string[] => {
    if (value === undefined) return [];
    if (rule.name !== undefined && rule.name !== value) return [];
    return [`${rule.scope}:${keyPart(value)}`];
  };
  switch (rule.scope) {
    case 'global':
      return ['global'];
    case 'run':
      return named(origin.runId);
    case 'mission':
      return named(origin.mission);
    case 'user':
      return named(origin.user);
    case 'session':
      return named(origin.session);
    case 'tag': {
      const tags = [...new Set(origin.tags ?? [])].slice(0, 32);
      return rule.name !== undefined ? (tags.includes(rule.name) ? [`tag:${rule.name}`] : []) : tags.map((tag) => `tag:${keyPart(tag)}`);
    }
    default:
      return [];
  }
}

/** The buckets a call charges, one per applicable rule and scope value. */
export function appliedBudgets(rules: BudgetRule[], origin: CallOrigin, now: number): AppliedBudget[] {
  const applied = new Map<string, AppliedBudget>();
  for (const rule of rules) {
    for (const scopeKey of scopeKeysOf(rule, origin)) {
      const bucket = `${scopeKey}|${periodWindow(rule.period, now)}`;
      const existing = applied.get(bucket);
      // A named and an unnamed rule can land on one bucket: the tighter limit holds.
      if (!existing || rule.limitMicros < existing.limitMicros) applied.set(bucket, { rule, scopeKey, bucket, limitMicros: rule.limitMicros });
    }
  }
  return [...applied.values()];
}
