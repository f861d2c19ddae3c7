/**
 * The cost part of `mission plan`: the estimate for the providers this environment has
 * (the first configured one, as discovery picks it, for steps that name none), and its text form.
 */
import { providerCatalog, isSet } from '../../providers/discovery-catalog.js';
import { formatUsd } from '../../providers/layer/budget/budget-errors.js';
import type { MissionDefinition } from '../mission/types.js';
import { estimateMissionCost, type MissionCostEstimate } from './estimate-mission-cost.js';

/** The estimate, or undefined when the mission calls no model. */
export async function planCost(mission: MissionDefinition, env: Record<string, string | undefined> = process.env): Promise<MissionCostEstimate | undefined> {
  if (!mission.steps.some((step) => step.kind === 'llm' || step.kind === 'agent' || step.kind === 'chain')) return undefined;
  const configured = providerCatalog.find((entry) => entry.env.every((names) => names.some((name) => isSet(env, name))));
  const estimate = await estimateMissionCost(mission, { defaultProvider: configured?.id ?? 'openai' });
  return estimate.steps.length ? estimate : undefined;
}

/** Lines for the terminal. */
export function formatPlanCost(estimate: MissionCostEstimate): string {
  const lines = [`cost: worst case ${formatUsd(estimate.worstCaseMicros)}, typical ${formatUsd(estimate.typicalMicros)}`];
  for (const step of estimate.steps) {
    const figures = step.worstCaseMicros === null ? 'price unknown' : `worst ${formatUsd(step.worstCaseMicros)}, typical ${formatUsd(step.typicalMicros ?? 0)}`;
    lines.push(`  ${step.id} (${step.provider}/${step.model}, ${step.calls} ${step.calls === 1 ? 'call' : 'calls'}): ${figures}${step.notes.length ? ` — ${step.notes.join('; ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
