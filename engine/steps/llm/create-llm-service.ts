/**
 * Builds the engine's LLM service: the layer (`createLlm`) with the merged configuration, the
 * discovered providers, a rate limiter over `llm.limits`, the policy stages, and a sink that turns
 * the layer's audit records into events of the step that made the call.
 */
import type { ProviderRegistry } from '../../../providers/discovery.js';
import { mergeLlmConfig } from '../../../providers/layer/config/merge-config.js';
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import { createLlm, type Llm } from '../../../providers/layer/create-llm.js';
import { createRateLimiter } from '../../../providers/layer/rate-limit/rate-limiter.js';
import type { CallStage, LayerClock, RateLimiter } from '../../../providers/layer/stage.js';
import type { MissionDefinition } from '../../mission/types.js';
import { stagesFromConfig, type StageDependencies } from './llm-stages.js';
import { llmServiceFromLlm, type LlmService } from './llm-service.js';
import { StepAuditSink } from './step-audit-sink.js';

/** Options of {@link createLlmService}. */
export interface CreateLlmServiceOptions {
  /** The providers (what `discoverProviders` finds, or a registry an embedder fills). */
  providers: ProviderRegistry;
  /** The project's `llm:` block (mission.config.yaml), or an embedder's configuration. */
  config?: LlmConfig;
  /** The mission whose `llm:` block is layered over `config`. */
  mission?: Pick<MissionDefinition, 'llm'>;
  /** An embedder's own layer instance: used as it is (its records go to its own sink). */
  llm?: Llm;
  /** Replaces the rate limiter built from `llm.limits`. */
  rateLimiter?: RateLimiter;
  /** Extra stages, after those the configuration turns on. */
  stages?: CallStage[];
  clock?: LayerClock;
  /** The run database (ledger, budgets, cache) and what else the policy stages need. */
  stageDependencies?: StageDependencies;
}

/** The LLM service for a run: the layer configured as the mission and the project say. */
export function createLlmService(options: CreateLlmServiceOptions): LlmService {
  if (options.llm) return llmServiceFromLlm(options.llm, { registry: options.providers });
  const config = mergeLlmConfig(options.config, options.mission?.llm);
  const sink = new StepAuditSink();
  const rateLimiter = options.rateLimiter ?? createRateLimiter({ limits: config.limits, clock: options.clock });
  const policies = stagesFromConfig(config, { clock: options.clock, ...options.stageDependencies });
  const llm = createLlm({
    config,
    providers: options.providers,
    rateLimiter,
    sink,
    clock: options.clock,
    stages: [...policies.stages, ...(options.stages ?? [])],
  });
  const service = llmServiceFromLlm(llm, { registry: options.providers, sink });
  return {
    ...service,
    close() {
      service.close?.();
      policies.close();
    },
  };
}

/** The LLM service over a provider registry with the default configuration (what tests and simple embedders use). */
export function llmServiceFromProviders(registry: ProviderRegistry, config?: LlmConfig): LlmService {
  return createLlmService({ providers: registry, config });
}
