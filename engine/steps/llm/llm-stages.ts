/**
 * The one place where the LLM layer's policy stages are built from the configuration. The call
 * pipeline orders them itself (`orderStages`); this list only says which are on.
 */
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import type { CallStage } from '../../../providers/layer/stage.js';

/** What stages may need besides the configuration (stores the engine owns). */
export interface StageDependencies {
  /** The audit store or other engine-owned stores, as policies come to need them. */
  [name: string]: unknown;
}

/**
 * The stages for a configuration. Budget, cache, safety and cost-ledger stages are added here
 * as their policies land (each from its part of the config: `budgets`, `cache`, `safety`, `pricing`).
 */
export function stagesFromConfig(_config: LlmConfig, _dependencies: StageDependencies = {}): CallStage[] {
  const stages: CallStage[] = [];
  return stages;
}
