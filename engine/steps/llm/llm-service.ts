/**
 * What the `llm`, `agent` and `chain` steps need from the LLM layer, as an interface the engine
 * wires in (`services.llm`). Every model call goes through the layer's `createLlm` (routes,
 * per-call retries, failover, circuit breakers, deadlines, rate limits, policy stages).
 */
import type { Observable } from 'rxjs';
import type { ProviderRegistry } from '../../../providers/discovery.js';
import { requiredEnvFor } from '../../../providers/discovery.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import type { Llm, LlmHealthSnapshot } from '../../../providers/layer/create-llm.js';
import type { LayerRequest } from '../../../providers/layer/stage.js';
import type { CallOptions, LlmEvent } from '../../../providers/types.js';
import type { StepEmittedEvent, StepServices } from '../types.js';

/** The LLM layer as steps see it. */
export interface LlmService {
  /**
   * Picks the provider and model a step will use when it names neither or one of them; throws
   * `LLM_ERR_NOT_CONFIGURED` saying which environment variable to set.
   */
  resolve(provider?: string, model?: string): { provider: string; model: string };
  /** Streams one call through the layer; the first event is `generation` (the call's id). */
  stream(request: LayerRequest, options?: CallOptions): Observable<LlmEvent>;
  /** The targets (provider and model) of a configured route; undefined when there is no such route. */
  routeTargets?(route: string): { provider: string; model: string }[] | undefined;
  /**
   * Sends the layer's audit records of one call (by generation id) to a step's emit until the
   * returned function is called. Absent when the layer's records go to a sink of the embedder's.
   */
  attach?(generationId: string, emit: (event: StepEmittedEvent) => void): () => void;
  /** Circuit, latency and rate-limit state of every target called so far. */
  health?(): LlmHealthSnapshot;
  /** Stops the layer's background work (probes of open circuits). */
  close?(): void;
}

/** The LLM service from a step's services, or a clear error when the engine was not given one. */
export function llmServiceOf(services: StepServices): LlmService {
  const service = services.llm as LlmService | undefined;
  if (!service) {
    throw new LlmError(LlmErrorCode.notConfigured, 'no LLM providers are wired into this engine (services.llm is missing)');
  }
  return service;
}

/** Options of {@link llmServiceFromLlm}. */
export interface LlmServiceParts {
  /** The providers the layer calls; resolves defaults for steps that name no provider or model. */
  registry: ProviderRegistry;
  /** Routes layer records to steps; give the same object to `createLlm` as its `sink`. */
  sink?: { attach(generationId: string, emit: (event: StepEmittedEvent) => void): () => void };
}

/** The LLM service over a layer instance (`createLlm`). */
export function llmServiceFromLlm(llm: Llm, parts: LlmServiceParts): LlmService {
  return {
    resolve(provider, model) {
      const resolved = parts.registry.resolveModel(provider, model);
      return { provider: resolved.provider, model: resolved.model };
    },
    stream: (request, options) => llm.stream(request, options),
    routeTargets: (route) => llm.policies.routes.get(route)?.targets.map((target) => ({ provider: target.provider, model: target.model })),
    ...(parts.sink ? { attach: (generationId, emit) => parts.sink!.attach(generationId, emit) } : {}),
    health: () => llm.health(),
    close: () => llm.close(),
  };
}

/**
 * Preflight of the model-calling steps, so a mission fails before it starts, saying which
 * variable to set: a provider (when not a template) must be configured; a route must exist and
 * at least one of its targets' providers must be configured.
 */
export function preflightModel(parameters: Record<string, unknown>, services: StepServices): void {
  const isTemplate = (value: unknown): boolean => typeof value === 'string' && value.includes('{');
  if (isTemplate(parameters.provider) || isTemplate(parameters.model) || isTemplate(parameters.route)) return; // Known only at run time.
  const service = llmServiceOf(services);
  if (typeof parameters.route === 'string') {
    const targets = service.routeTargets?.(parameters.route);
    if (!targets) {
      if (service.routeTargets) throw new LlmError(LlmErrorCode.notConfigured, `route '${parameters.route}' is not configured in llm.routes`);
      return;
    }
    const unavailable: string[] = [];
    for (const target of targets) {
      try {
        service.resolve(target.provider, target.model);
        return;
      } catch {
        unavailable.push(`${target.provider} (set ${requiredEnvFor(target.provider).join(' and ')})`);
      }
    }
    throw new LlmError(LlmErrorCode.notConfigured, `no provider of route '${parameters.route}' is configured: ${unavailable.join('; ')}`);
  }
  service.resolve(parameters.provider as string | undefined, parameters.model as string | undefined);
}
