/** `mission budget set|show|reset` (loaded on demand by `cost-register.ts`). */
import { budgetRuleFrom, type BudgetPeriod, type BudgetRule, type BudgetScope } from '../../providers/layer/budget/budget-config.js';
import { formatUsd } from '../../providers/layer/budget/budget-errors.js';
import { periodWindow, windowOf } from '../../providers/layer/budget/budget-periods.js';
import type { BudgetOutlook } from '../../providers/layer/ledger/cost-recommend.js';
import { CodedError } from '../../providers/errors.js';
import { SqliteBudgetStore } from '../store/budget-store.js';
import { CliExit, ExitCode, databasePath, type StoreOptions } from './cli-context.js';
import { existingDatabase, parseUsd } from './cost-options.js';

interface RuleOptions extends StoreOptions {
  scope: BudgetScope;
  name?: string;
  period: BudgetPeriod;
}

const windowPeriods: Record<string, BudgetPeriod> = { total: 'total', day: 'daily', week: 'weekly', month: 'monthly' };

/** A bucket's parts: `mission:hello|day:2026-12-01` → scope, name, period, window. */
function parseBucket(bucket: string): { scope: string; name?: string; period?: BudgetPeriod } {
  const [scopeKey, window = ''] = bucket.split('|');
  const colon = scopeKey.indexOf(':');
  return { scope: colon < 0 ? scopeKey : scopeKey.slice(0, colon), name: colon < 0 ? undefined : scopeKey.slice(colon + 1), period: windowPeriods[window.split(':')[0]] };
}

/** The stored rule that governs a bucket, if any (a named rule wins over an unnamed one). */
function ruleFor(rules: BudgetRule[], bucket: string): BudgetRule | undefined {
  const parts = parseBucket(bucket);
  const matching = rules.filter((rule) => rule.scope === parts.scope && rule.period === parts.period && (rule.name === undefined || rule.name === parts.name));
  return matching.find((rule) => rule.name !== undefined) ?? matching[0];
}

/** Buckets of the current windows with a stored limit, for `recommend`'s running-out check. */
export function budgetOutlooks(store: SqliteBudgetStore, now: number): BudgetOutlook[] {
  const rules = store.limits();
  return store.buckets().flatMap(({ bucket, spentMicros }) => {
    const rule = ruleFor(rules, bucket);
    if (!rule || !bucket.endsWith(`|${periodWindow(rule.period, now)}`)) return [];
    const window = windowOf(rule.period, now);
    return [{ bucket, limitMicros: rule.limitMicros, spentMicros, start: window.start, end: window.end }];
  });
}

function bucketOf(options: RuleOptions, now: number): string {
  if ((options.scope === 'global') !== (options.name === undefined)) {
    throw new CliExit(ExitCode.invalid, options.scope === 'global' ? 'a global budget takes no --name' : `--name is needed: which ${options.scope}?`);
  }
  const scopeKey = options.scope === 'global' ? 'global' : `${options.scope}:${options.name}`;
  return `${scopeKey}|${periodWindow(options.period, now)}`;
}

/** `mission budget set`. */
export function budgetSetCommand(options: RuleOptions & { limitUsd: string; alerts?: string; onExhausted: 'fail' | 'pause' }): void {
  const limitMicros = parseUsd(options.limitUsd);
  let rule: BudgetRule;
  try {
    const alerts = options.alerts === undefined ? undefined : options.alerts.split(',').map((item) => Number(item.trim()));
    rule = budgetRuleFrom({ scope: options.scope, name: options.name, period: options.period, limit_usd: limitMicros / 1_000_000, alerts, on_exhausted: options.onExhausted });
  } catch (error) {
    throw new CliExit(ExitCode.invalid, error instanceof CodedError ? error.message : String(error));
  }
  rule.limitMicros = limitMicros;
  const store = SqliteBudgetStore.open(databasePath(options));
  try {
    store.setLimit(rule);
    const who = rule.name === undefined ? (rule.scope === 'global' ? 'global' : `each ${rule.scope}`) : `${rule.scope} ${rule.name}`;
    process.stdout.write(`budget set: ${who}, ${rule.period}, ${formatUsd(rule.limitMicros)}, alerts at ${rule.alerts.map((alert) => `${Math.round(alert * 100)}%`).join(' ')}, on exhaustion ${rule.onExhausted}\n`);
  } finally {
    store.close();
  }
}

/** `mission budget show`. */
export function budgetShowCommand(options: StoreOptions & { json?: boolean }): void {
  const store = SqliteBudgetStore.open(existingDatabase(options));
  try {
    const now = Date.now();
    const limits = store.limits();
    const buckets = store.buckets().map(({ bucket, spentMicros }) => {
      const rule = ruleFor(limits, bucket);
      const state = rule ? store.state([{ bucket, limitMicros: rule.limitMicros }], now)[0] : undefined;
      return { bucket, spentMicros, reservedMicros: state?.reservedMicros ?? 0, limitMicros: rule?.limitMicros, leftMicros: state ? state.limitMicros - state.spentMicros - state.reservedMicros : undefined };
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ limits, buckets })}\n`);
      return;
    }
    if (!limits.length) process.stdout.write('no budgets set with `mission budget set` (configured budgets apply as well)\n');
    for (const rule of limits) {
      process.stdout.write(`${rule.scope}${rule.name === undefined ? '' : ` ${rule.name}`} ${rule.period}: ${formatUsd(rule.limitMicros)} (on exhaustion ${rule.onExhausted})\n`);
    }
    for (const bucket of buckets) {
      const left = bucket.leftMicros === undefined ? '' : `, ${formatUsd(bucket.leftMicros)} left of ${formatUsd(bucket.limitMicros!)}`;
      process.stdout.write(`  ${bucket.bucket}: spent ${formatUsd(bucket.spentMicros)}${left}\n`);
    }
  } finally {
    store.close();
  }
}

/** `mission budget reset`. */
export function budgetResetCommand(options: RuleOptions & { remove?: boolean }): void {
  const bucket = bucketOf(options, Date.now());
  const store = SqliteBudgetStore.open(existingDatabase(options));
  try {
    const reset = store.reset(bucket);
    const removed = options.remove ? store.removeLimit(options) : false;
    process.stdout.write(`${reset ? `spend of ${bucket} reset to $0` : `${bucket} had no spend`}${options.remove ? (removed ? '; budget removed' : '; no budget was set for it') : ''}\n`);
  } finally {
    store.close();
  }
}
