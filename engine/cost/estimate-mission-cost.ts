/**
 * `mission plan`'s cost estimate: before a mission runs, what its model calls can cost at most
 * (worst case) and what they usually cost (typical). Prompts are counted with the tokenizer as
 * written (templates unrendered: what they expand to is unknown until the run). The worst case
 * assumes every call writes its whole `max_tokens` (4096 when unset, as the budget stage sends)
 * and every agent runs all its iterations with its context growing each turn; the typical case
 * uses the ledger's history of the same mission step when there is one, else
 * {@link typicalOutputTokens} per call and three agent turns.
 */
import { defaultModels } from '../../providers/discovery-catalog.js';
import { defaultMaxTokens } from '../../providers/layer/budget/budget-stage.js';
import type { LlmConfig } from '../../providers/layer/config-types.js';
import type { LedgerEntry } from '../../providers/layer/ledger/ledger-types.js';
import { computeCost, worstCaseCostMicros } from '../../providers/pricing/cost.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import type { PricingConfig } from '../../providers/pricing/pricing-config.js';
import { TokenEstimator } from '../../providers/pricing/token-estimator.js';
import type { MissionDefinition, StepDefinition } from '../mission/types.js';

/** Output tokens a call is assumed to write when the ledger has no history of its step. */
export const typicalOutputTokens = 400;
/** Agent turns assumed typical without history. */
const typicalAgentTurns = 3;
/** Tool results fed back to an agent are cut at 20,000 characters (about 5,000 tokens). */
const toolResultTokens = 5_000;

/** One model-calling step's estimate. */
export interface StepCostEstimate {
  id: string;
  provider: string;
  model: string;
  /** Calls the step makes at most (agent iterations × `for_each` items when known). */
  calls: number;
  promptTokens: number;
  maxTokens: number;
  /** Null when the model's price is unknown. */
  worstCaseMicros: number | null;
  typicalMicros: number | null;
  notes: string[];
}

/** A mission's estimate. Sums leave out steps whose price is unknown (listed in `unknownCostSteps`). */
export interface MissionCostEstimate {
  worstCaseMicros: number;
  typicalMicros: number;
  steps: StepCostEstimate[];
  unknownCostSteps: string[];
  priceVersion: string;
}

/** What the estimate reads besides the mission. */
export interface EstimateConfig {
  llm?: Pick<LlmConfig, 'routes'> & { pricing?: unknown };
  /** The provider steps without `provider:` use (the first configured one). */
  defaultProvider?: string;
  prices?: PriceTable;
  /** Earlier ledger rows, for typical figures. */
  history?: Iterable<LedgerEntry>;
}

const modelKinds = new Set(['llm', 'agent', 'chain']);

function textOf(parameters: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['system', 'prompt', 'objective']) if (typeof parameters[key] === 'string') parts.push(parameters[key] as string);
  if (Array.isArray(parameters.messages)) for (const message of parameters.messages) if (typeof message?.content === 'string') parts.push(message.content);
  return parts.join('\n');
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Estimates what a mission's model calls cost. */
export async function estimateMissionCost(mission: MissionDefinition, config: EstimateConfig = {}): Promise<MissionCostEstimate> {
  const prices = config.prices ?? PriceTable.load(config.llm?.pricing as PricingConfig | undefined);
  const history = new Map<string, { output: number; calls: number; runs: Set<string> }>();
  for (const row of config.history ?? []) {
    if (row.mission !== mission.name || row.stepId === undefined || row.outcome !== 'ok') continue;
    const seen = history.get(row.stepId) ?? { output: 0, calls: 0, runs: new Set<string>() };
    seen.output += row.outputTokens;
    seen.calls++;
    if (row.runId) seen.runs.add(row.runId);
    history.set(row.stepId, seen);
  }
  const steps: StepCostEstimate[] = [];
  for (const step of mission.steps) {
    if (!modelKinds.has(step.kind) || (step.kind === 'chain' && typeof step.parameters.prompt !== 'string')) continue;
    steps.push(await estimateStep(step, config, prices, history.get(step.id)));
  }
  const known = steps.filter((step) => step.worstCaseMicros !== null);
  return {
    worstCaseMicros: known.reduce((sum, step) => sum + step.worstCaseMicros!, 0),
    typicalMicros: known.reduce((sum, step) => sum + step.typicalMicros!, 0),
    steps,
    unknownCostSteps: steps.filter((step) => step.worstCaseMicros === null).map((step) => step.id),
    priceVersion: prices.version,
  };
}

async function estimateStep(
  step: StepDefinition,
  config: EstimateConfig,
  prices: PriceTable,
  history: { output: number; calls: number; runs: Set<string> } | undefined,
): Promise<StepCostEstimate> {
  const parameters = step.parameters;
  const notes: string[] = [];
  const route = typeof parameters.route === 'string' ? config.llm?.routes?.[parameters.route] : undefined;
  const targets = route?.targets.map((target) => ({ provider: target.provider, model: target.model })) ?? [
    (() => {
      const provider = typeof parameters.provider === 'string' ? parameters.provider : (config.defaultProvider ?? 'openai');
      return { provider, model: typeof parameters.model === 'string' ? parameters.model : (defaultModels[provider] ?? 'unknown') };
    })(),
  ];
  const text = textOf(parameters);
  if (text.includes('{{')) notes.push('prompt has templates: counted as written');
  const maxTokens = positiveInteger(parameters.max_tokens) ?? defaultMaxTokens;
  const iterations = step.kind === 'agent' ? (positiveInteger(parameters.max_iterations) ?? 10) : 1;
  let items = 1;
  if (Array.isArray(step.forEach)) items = step.forEach.length;
  else if (step.forEach !== undefined) notes.push('for_each list known only at run time: figures are per item');

  // The dearest target sets the worst case (failover may end there); the first one the typical case.
  let worst: number | null = 0;
  let typical: number | null = null;
  let promptTokens = 0;
  for (const [index, target] of targets.entries()) {
    const estimator = await TokenEstimator.for(target.provider, target.model);
    promptTokens = estimator.countPrompt({ messages: [{ role: 'user', content: text }] });
    const price = prices.lookup(target.provider, target.model).price;
    if (!price) {
      worst = null;
      notes.push(`no price for ${target.provider}/${target.model}`);
      break;
    }
    let targetWorst = 0;
    for (let turn = 0; turn < iterations; turn++) {
      // Each agent turn sends the history so far: earlier answers and tool results.
      targetWorst += worstCaseCostMicros(price, promptTokens + turn * (maxTokens + toolResultTokens), maxTokens);
    }
    worst = Math.max(worst ?? 0, targetWorst);
    if (index === 0) {
      const output = history?.calls ? Math.round(history.output / history.calls) : Math.min(maxTokens, typicalOutputTokens);
      const turns = step.kind === 'agent' ? (history?.runs.size ? Math.max(1, Math.round(history.calls / history.runs.size)) : Math.min(typicalAgentTurns, iterations)) : 1;
      if (history?.calls) notes.push(`typical from ${history.calls} earlier calls`);
      let cost = 0;
      for (let turn = 0; turn < turns; turn++) {
        const usage = { inputTokens: promptTokens + turn * output, outputTokens: output, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0, totalTokens: 0 };
        cost += computeCost(usage, price).costMicros;
      }
      typical = cost;
    }
  }
  return {
    id: step.id,
    provider: targets[0].provider,
    model: targets[0].model,
    calls: iterations * items,
    promptTokens,
    maxTokens,
    worstCaseMicros: worst === null ? null : worst * items,
    typicalMicros: worst === null || typical === null ? null : typical * items,
    notes,
  };
}
