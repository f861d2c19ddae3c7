/**
 * The `budgets:` list of an `llm:` block or of `mission.config.yaml`, checked and normalised.
 * `schemas/llm/budgets.schema.json` is the source of truth for the shape users write.
 */
import { LlmError, LlmErrorCode } from '../../errors.js';
import { budgetPeriods, budgetScopes, type BudgetPeriod, type BudgetScope } from './budget-vocabulary.js';

export { budgetPeriods, budgetScopes, type BudgetPeriod, type BudgetScope } from './budget-vocabulary.js';

/** One budget as users write it. */
export interface BudgetConfigEntry {
  scope: BudgetScope;
  /** Restricts the budget to one mission, run id, user, session or tag; without it, each gets its own. */
  name?: string;
  period?: BudgetPeriod;
  limit_usd: number;
  /** Fractions of the limit that raise an alert, or those with a webhook. */
  alerts?: number[] | { at?: number[]; webhook_url?: string; secret_env?: string };
  /** `fail` (default): the call fails with `LLM_ERR_BUDGET_EXHAUSTED`; `pause`: the run pauses. */
  on_exhausted?: 'fail' | 'pause';
}

/** A budget, normalised. */
export interface BudgetRule {
  scope: BudgetScope;
  name?: string;
  period: BudgetPeriod;
  limitMicros: number;
  /** Ascending fractions in (0, 1). */
  alerts: number[];
  onExhausted: 'fail' | 'pause';
  webhook?: { url: string; secretEnv?: string };
}

/** The alert levels when a budget names none. */
export const defaultAlerts: readonly number[] = [0.5, 0.8, 0.95];
const maxBudgets = 1_000;
const maxLimitUsd = 1_000_000_000;

function invalid(where: string, message: string): LlmError {
  return new LlmError(LlmErrorCode.invalidConfig, `budgets${where}: ${message}`);
}

/** USD (a decimal) to integer micro-dollars, rounded to the nearest micro-dollar. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

function alertsOf(value: BudgetConfigEntry['alerts'], where: string): Pick<BudgetRule, 'alerts' | 'webhook'> {
  const list = Array.isArray(value) ? value : (value?.at ?? defaultAlerts);
  if (!Array.isArray(list) || list.length > 20 || !list.every((item) => typeof item === 'number' && item > 0 && item < 1)) {
    throw invalid(where, 'alerts must be at most 20 fractions between 0 and 1, e.g. [0.5, 0.8, 0.95]');
  }
  const rule: Pick<BudgetRule, 'alerts' | 'webhook'> = { alerts: [...new Set(list)].sort((a, b) => a - b) };
  if (!Array.isArray(value) && value?.webhook_url !== undefined) {
    let url: URL;
    try {
      url = new URL(value.webhook_url);
    } catch {
      throw invalid(where, 'alerts.webhook_url must be an http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(where, 'alerts.webhook_url must be an http(s) URL');
    if (value.secret_env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(value.secret_env)) {
      throw invalid(where, 'alerts.secret_env must name an environment variable (the secret itself never goes in a file)');
    }
    rule.webhook = { url: url.toString(), secretEnv: value.secret_env };
  }
  return rule;
}

/** Normalises one entry; throws `LLM_ERR_INVALID_CONFIG` naming what is wrong. */
export function budgetRuleFrom(entry: BudgetConfigEntry, where = ''): BudgetRule {
  if (typeof entry !== 'object' || entry === null) throw invalid(where, 'each budget must be an object');
  if (!budgetScopes.includes(entry.scope)) throw invalid(where, `scope must be one of ${budgetScopes.join(', ')}`);
  const period = entry.period ?? 'total';
  if (!budgetPeriods.includes(period)) throw invalid(where, `period must be one of ${budgetPeriods.join(', ')}`);
  if (typeof entry.limit_usd !== 'number' || !Number.isFinite(entry.limit_usd) || entry.limit_usd < 0 || entry.limit_usd > maxLimitUsd) {
    throw invalid(where, `limit_usd must be a number of dollars between 0 and ${maxLimitUsd}`);
  }
  if (entry.name !== undefined && (typeof entry.name !== 'string' || entry.name.length === 0 || entry.name.length > 200)) {
    throw invalid(where, 'name must be a non-empty string of at most 200 characters');
  }
  if (entry.name !== undefined && entry.scope === 'global') throw invalid(where, 'a global budget takes no name');
  const onExhausted = entry.on_exhausted ?? 'fail';
  if (onExhausted !== 'fail' && onExhausted !== 'pause') throw invalid(where, 'on_exhausted must be fail or pause');
  return { scope: entry.scope, name: entry.name, period, limitMicros: usdToMicros(entry.limit_usd), onExhausted, ...alertsOf(entry.alerts, where) };
}

/** Normalises the whole `budgets:` list (undefined → none). */
export function budgetRulesFrom(config: unknown): BudgetRule[] {
  if (config === undefined || config === null) return [];
  if (!Array.isArray(config)) throw invalid('', 'must be a list of budgets');
  if (config.length > maxBudgets) throw invalid('', `at most ${maxBudgets} budgets`);
  return config.map((entry, index) => budgetRuleFrom(entry as BudgetConfigEntry, `[${index}]`));
}

/** The identity of a budget: rules with the same one replace each other (command line over config). */
export function ruleIdentity(rule: Pick<BudgetRule, 'scope' | 'name' | 'period'>): string {
  return `${rule.scope}:${rule.name ?? '*'}:${rule.period}`;
}
