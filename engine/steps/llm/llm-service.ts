/**
 * What the `llm`, `agent` and `chain` steps need from the LLM layer, as an interface the engine
 * wires in (`services.llm`). Keeping it narrow lets an embedding application hand in its own.
 */
import type { Observable } from 'rxjs';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import type { ProviderRegistry } from '../../../providers/discovery.js';
import type { CallOptions, LlmEvent, LlmRequest } from '../../../providers/types.js';
import type { StepServices } from '../types.js';

/** The LLM layer as steps see it. */
export interface LlmService {
  /**
   * Picks the provider and model a step will use when it names neither or one of them; throws
   * `LLM_ERR_NOT_CONFIGURED` saying which environment variable to set.
   */
  resolve(provider?: string, model?: string): { provider: string; model: string };
  /** Streams one call to `provider`. */
  stream(provider: string, request: LlmRequest, options?: CallOptions): Observable<LlmEvent>;
}

/** The LLM service from a step's services, or a clear error when the engine was not given one. */
export function llmServiceOf(services: StepServices): LlmService {
  const service = services.llm as LlmService | undefined;
  if (!service) {
    throw new LlmError(LlmErrorCode.notConfigured, 'no LLM providers are wired into this engine (services.llm is missing)');
  }
  return service;
}

/** The LLM service over a provider registry (what discovery builds, or one an embedder fills). */
export function llmServiceFromProviders(registry: ProviderRegistry): LlmService {
  return {
    resolve(provider, model) {
      const resolved = registry.resolveModel(provider, model);
      return { provider: resolved.provider, model: resolved.model };
    },
    stream: (provider, request, options) => registry.get(provider).stream(request, options),
  };
}

/**
 * Preflight of the model-calling steps: the provider (when not a template) must be configured,
 * so a mission fails before it starts, saying which variable to set.
 */
export function preflightModel(parameters: Record<string, unknown>, services: StepServices): void {
  const isTemplate = (value: unknown): boolean => typeof value === 'string' && value.includes('{');
  if (isTemplate(parameters.provider) || isTemplate(parameters.model)) return; // Known only at run time.
  llmServiceOf(services).resolve(parameters.provider as string | undefined, parameters.model as string | undefined);
}
