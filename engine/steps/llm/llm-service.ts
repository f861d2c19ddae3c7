/**
 * What the `llm`, `agent` and `chain` steps need from the LLM layer, as an interface the engine
 * wires in (`services.llm`). Keeping it narrow lets an embedding application hand in its own.
 */
import type { Observable } from 'rxjs';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
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
