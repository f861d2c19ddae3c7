/**
 * One attempt of a call against one target: the provider-level request and the attempt stages
 * (budget, cost ledger) around the adapter. The call runner applies the deadlines to the events it
 * receives.
 */
import type { Observable } from 'rxjs';
import { CodedError, LlmError, LlmErrorCode, type LlmErrorCodeValue } from '../errors.js';
import type { CallOptions, LlmEvent, LlmMessage, LlmRequest, ProviderAdapter } from '../types.js';
import { composeAttempt } from './compose-stages.js';
import type { ResolvedTarget } from './resolve-policies.js';
import type { AttemptContext, CallContext, CallStage, LayerRequest } from './stage.js';
import { continuationRequest } from './stream/continuation.js';

/** The request a target receives: layer-only fields removed, the model set, a continuation applied. */
export function providerRequestFor(request: LayerRequest, target: ResolvedTarget): LlmRequest {
  const { route: _route, provider: _provider, origin: _origin, continuation, model: _model, ...rest } = request;
  const base: LlmRequest = { ...rest, model: target.model };
  return continuation ? continuationRequest(base, continuation.deliveredText, target.provider) : base;
}

/** What an attempt needs from the call. */
export interface AttemptSetup {
  context: CallContext;
  attempt: number;
  target: ResolvedTarget;
  routeName: string | undefined;
  adapter: ProviderAdapter;
  stages: readonly CallStage[];
  options: CallOptions | undefined;
}

/** The events of one attempt: the attempt stages around the adapter's stream. */
export function attemptEvents(setup: AttemptSetup): Observable<LlmEvent> {
  const { target, adapter, options } = setup;
  const providerRequest = providerRequestFor(setup.context.request, target);
  if (setup.stages.length === 0) return adapter.stream(providerRequest, options);
  const send = (request: LlmRequest): Observable<LlmEvent> => adapter.stream(request, options);
  const attemptContext: AttemptContext = {
    ...setup.context,
    attempt: setup.attempt,
    target: { provider: target.provider, model: target.model, route: setup.routeName },
    providerRequest,
  };
  return composeAttempt(setup.stages, attemptContext, send)(providerRequest);
}

/** A rough token count for rate-limit reservations (four characters a token, plus the output cap). */
export function estimateTokens(request: LlmRequest): number {
  let characters = 0;
  for (const message of request.messages) characters += messageLength(message);
  return Math.ceil(characters / 4) + (request.maxTokens ?? 1024);
}

function messageLength(message: LlmMessage): number {
  if (typeof message.content === 'string') return message.content.length;
  let length = 0;
  for (const part of message.content) length += part.type === 'text' ? part.text.length : 1000;
  return length;
}

/** Any failure as an `LlmError` (stages and adapters should throw typed errors; this covers the rest). */
export function asLlmError(error: unknown, provider: string): LlmError {
  if (error instanceof LlmError) return error;
  if (error instanceof CodedError) {
    // A stage's own coded error (a budget or safety refusal) keeps its code, so the call machine sees it.
    return new LlmError(error.code as LlmErrorCodeValue, error.message, { provider, cause: error, isRetryable: error.isRetryable });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError(LlmErrorCode.malformedResponse, `${provider} call failed: ${message}`, { provider, cause: error });
}
