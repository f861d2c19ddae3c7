/**
 * Puts injected {@link CallStage}s into the fixed order `stage.ts` describes, whatever order they
 * were given in, and composes them around the call and around each attempt:
 *
 * ```
 * wrapCall:    safety → cache savings → cache → stream recovery → [route, retries, failover]
 * wrapAttempt: budget → cost ledger → adapter
 * ```
 *
 * Stages with other names keep their given order, inside the known ones (nearest the core).
 */
import type { Observable } from 'rxjs';
import type { LlmEvent, LlmRequest } from '../types.js';
import type { AttemptContext, CallContext, CallStage, LayerRequest } from './stage.js';

/** Known stage names, outermost first; aliases share a rank. */
const stageRank: Record<string, number> = {
  safety: 0,
  // Books cache hits in the ledger: outside the cache, since a hit never reaches the stages inside it.
  'cache-savings': 0.5,
  cache: 1,
  'stream-recovery': 2,
  recovery: 2,
  stream: 2,
  budget: 3,
  cost: 4,
  ledger: 4,
  'cost-ledger': 4,
};
const unknownRank = 100;

/** The stages split and ordered, outermost first. */
export interface OrderedStages {
  call: CallStage[];
  attempt: CallStage[];
}

/** Orders stages by their place in the pipeline (stable for equal ranks). */
export function orderStages(stages: readonly CallStage[]): OrderedStages {
  const ranked = stages
    .map((stage, index) => ({ stage, index, rank: stageRank[stage.name] ?? unknownRank }))
    .sort((left, right) => left.rank - right.rank || left.index - right.index)
    .map((entry) => entry.stage);
  return { call: ranked.filter((stage) => stage.wrapCall), attempt: ranked.filter((stage) => stage.wrapAttempt) };
}

/** Wraps the routed call in the call stages (the first stage outermost). */
export function composeCall(
  stages: readonly CallStage[],
  context: CallContext,
  core: (request: LayerRequest) => Observable<LlmEvent>,
): (request: LayerRequest) => Observable<LlmEvent> {
  let next = core;
  for (let index = stages.length - 1; index >= 0; index--) {
    const stage = stages[index];
    const inner = next;
    next = (request) => stage.wrapCall!({ ...context, request }, inner);
  }
  return next;
}

/** Wraps one attempt's adapter call in the attempt stages (the first stage outermost). */
export function composeAttempt(
  stages: readonly CallStage[],
  context: AttemptContext,
  core: (request: LlmRequest) => Observable<LlmEvent>,
): (request: LlmRequest) => Observable<LlmEvent> {
  let next = core;
  for (let index = stages.length - 1; index >= 0; index--) {
    const stage = stages[index];
    const inner = next;
    next = (request) => stage.wrapAttempt!({ ...context, providerRequest: request }, inner);
  }
  return next;
}
