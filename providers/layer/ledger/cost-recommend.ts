/**
 * `mission cost recommend`: where the ledger says money could have been saved over the period —
 * prompts a response cache would have answered, steps paying a large model for short answers,
 * routes whose cheaper target succeeded as often, and budgets about to run out. Each
 * recommendation carries the micro-dollars it would have saved (or, for budgets, the projected
 * overrun).
 */
import { computeCost } from '../../pricing/cost.js';
import type { PriceTable } from '../../pricing/price-table.js';
import type { Usage } from '../../types.js';
import type { LedgerEntry } from './ledger-types.js';

/** One recommendation. */
export interface CostRecommendation {
  kind: 'cache-repeated-prompts' | 'cheaper-model-short-answers' | 'cheaper-route-target' | 'budget-running-out';
  /** A sentence saying what to do. */
  message: string;
  /** What following it would have saved over the period (budgets: the projected overrun). */
  savedMicros: number;
  details: Record<string, unknown>;
}

/** A budget bucket's state, for the running-out check. */
export interface BudgetOutlook {
  bucket: string;
  limitMicros: number;
  spentMicros: number;
  /** Window bounds, epoch ms (`end` is Infinity for a total budget). */
  start: number;
  end: number;
}

/** Smaller models of the same provider to suggest for short answers (checked against the price table). */
const smallerModels: Record<string, string[]> = {
  openai: ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-nano'],
  azure: ['gpt-4o-mini', 'gpt-4.1-mini'],
  anthropic: ['claude-haiku-4-5', 'claude-3-5-haiku-20241022'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-flash-lite'],
  bedrock: ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.nova-lite-v1:0'],
};
/** An answer this short (average output tokens) rarely needs a large model. */
const shortAnswerTokens = 200;
/** A model whose output costs at least this (micro-dollars per million tokens, $5) counts as expensive. */
const expensiveOutputRate = 5_000_000;
const minimumCalls = 3;

const usageOf = (entry: LedgerEntry): Usage => ({
  inputTokens: entry.inputTokens,
  outputTokens: entry.outputTokens,
  cachedInputTokens: entry.cachedInputTokens,
  cacheWriteInputTokens: entry.cacheWriteInputTokens,
  reasoningTokens: entry.reasoningTokens,
  totalTokens: entry.inputTokens + entry.outputTokens,
});

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    if (name === undefined) continue;
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

const sumCost = (entries: LedgerEntry[]): number => entries.reduce((sum, entry) => sum + (entry.costMicros ?? 0), 0);

function repeatedPrompts(paid: LedgerEntry[]): CostRecommendation[] {
  let saved = 0;
  let repeats = 0;
  let prompts = 0;
  for (const group of groupBy(paid, (entry) => (entry.outcome === 'ok' ? entry.promptHash : undefined)).values()) {
    if (group.length < 2) continue;
    prompts++;
    repeats += group.length - 1;
    saved += sumCost(group.slice(1));
  }
  if (!repeats || saved <= 0) return [];
  return [{ kind: 'cache-repeated-prompts', message: `enable the response cache (llm.cache): ${repeats} calls repeated ${prompts} earlier prompts exactly`, savedMicros: saved, details: { prompts, repeats } }];
}

function shortAnswers(paid: LedgerEntry[], prices: PriceTable): CostRecommendation[] {
  const found: CostRecommendation[] = [];
  const groups = groupBy(paid, (entry) => (entry.stepId === undefined || entry.outcome !== 'ok' ? undefined : `${entry.mission ?? ''}\u0000${entry.stepId}\u0000${entry.provider}\u0000${entry.model}`));
  for (const group of groups.values()) {
    if (group.length < minimumCalls) continue;
    const { provider, model, stepId, mission } = group[0];
    const averageOutput = group.reduce((sum, entry) => sum + entry.outputTokens, 0) / group.length;
    if (averageOutput > shortAnswerTokens) continue;
    const current = prices.lookup(provider, model).price;
    if (!current || current.rates.output < expensiveOutputRate) continue;
    const spent = sumCost(group);
    let best: { model: string; cost: number } | undefined;
    for (const candidate of smallerModels[provider] ?? []) {
      if (candidate === model) continue;
      const price = prices.lookup(provider, candidate).price;
      if (!price) continue;
      const cost = group.reduce((sum, entry) => sum + computeCost(usageOf(entry), price).costMicros, 0);
      if (!best || cost < best.cost) best = { model: candidate, cost };
    }
    // Only worth saying when the smaller model costs at most half.
    if (!best || best.cost * 2 > spent) continue;
    found.push({
      kind: 'cheaper-model-short-answers',
      message: `step ${mission ? `${mission}/` : ''}${stepId} answers in ${Math.round(averageOutput)} tokens on average: ${provider}/${best.model} instead of ${model}`,
      savedMicros: spent - best.cost,
      details: { mission, step: stepId, provider, model, suggested: best.model, calls: group.length, averageOutputTokens: Math.round(averageOutput) },
    });
  }
  return found;
}

function cheaperTargets(entries: LedgerEntry[]): CostRecommendation[] {
  const found: CostRecommendation[] = [];
  for (const [route, routed] of groupBy(entries, (entry) => (entry.cacheHit ? undefined : entry.route))) {
    const targets = [...groupBy(routed, (entry) => `${entry.provider}/${entry.model}`)].map(([target, attempts]) => {
      const succeeded = attempts.filter((entry) => entry.outcome === 'ok' && entry.costMicros !== null);
      return { target, attempts: attempts.length, succeeded: succeeded.length, rate: succeeded.length / attempts.length, average: succeeded.length ? sumCost(succeeded) / succeeded.length : Infinity };
    });
    for (const dear of targets) {
      const cheaper = targets
        .filter((other) => other !== dear && other.attempts >= minimumCalls && other.rate >= dear.rate && other.average < dear.average)
        .sort((a, b) => a.average - b.average)[0];
      if (!cheaper || dear.succeeded < minimumCalls) continue;
      const saved = Math.round(dear.succeeded * (dear.average - cheaper.average));
      if (saved <= 0) continue;
      found.push({
        kind: 'cheaper-route-target',
        message: `route ${route}: ${cheaper.target} succeeded as often as ${dear.target} (${Math.round(cheaper.rate * 100)} % vs ${Math.round(dear.rate * 100)} %) for less; put it first or weight it up`,
        savedMicros: saved,
        details: { route, target: dear.target, cheaper: cheaper.target, successRate: dear.rate, cheaperSuccessRate: cheaper.rate },
      });
    }
  }
  return found;
}

function runningOut(budgets: BudgetOutlook[], now: number): CostRecommendation[] {
  const found: CostRecommendation[] = [];
  for (const budget of budgets) {
    if (budget.limitMicros <= 0) continue;
    const used = budget.spentMicros / budget.limitMicros;
    const elapsed = Math.max(now - budget.start, 1);
    const projected = Number.isFinite(budget.end) ? Math.round(budget.spentMicros + (budget.spentMicros / elapsed) * Math.max(budget.end - now, 0)) : budget.spentMicros;
    if (used < 0.8 && projected < budget.limitMicros) continue;
    found.push({
      kind: 'budget-running-out',
      message: `budget ${budget.bucket} is ${Math.round(used * 100)} % spent` + (projected > budget.limitMicros ? ` and on course for ${Math.round((projected / budget.limitMicros) * 100)} % by the end of its period` : ''),
      savedMicros: Math.max(projected - budget.limitMicros, 0),
      details: { bucket: budget.bucket, limitMicros: budget.limitMicros, spentMicros: budget.spentMicros, projectedMicros: projected },
    });
  }
  return found;
}

/** Every recommendation for the rows given (one period), the biggest saving first. */
export async function recommend(
  entries: Iterable<LedgerEntry> | AsyncIterable<LedgerEntry>,
  options: { prices: PriceTable; budgets?: BudgetOutlook[]; now: number; maxEntries?: number; onTruncated?: (read: number) => void },
): Promise<CostRecommendation[]> {
  // The analysis holds the period's rows in memory: past the cap it works on the first ones and says so.
  const maxEntries = options.maxEntries ?? 1_000_000;
  const all: LedgerEntry[] = [];
  for await (const entry of entries) {
    if (all.length >= maxEntries) {
      options.onTruncated?.(all.length);
      break;
    }
    all.push(entry);
  }
  const paid = all.filter((entry) => !entry.cacheHit && entry.costMicros !== null);
  return [...repeatedPrompts(paid), ...shortAnswers(paid, options.prices), ...cheaperTargets(all), ...runningOut(options.budgets ?? [], options.now)].sort(
    (a, b) => b.savedMicros - a.savedMicros,
  );
}
