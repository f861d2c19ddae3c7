/**
 * One audited model call shared by the `llm`, `agent` and `chain` steps: emits `llm-request`,
 * sends the call through the LLM layer (which retries and fails over per call), shows streamed
 * tokens live, routes the layer's decisions (`llm-retry`, `llm-failover`, …) into the step's
 * audit trail, and emits `llm-response` with the served model, the provider's request id and the
 * raw usage (prompt and completion as erasable payloads).
 */
import { finalize, lastValueFrom, reduce, tap } from 'rxjs';
import { applyEvent, emptyResponse } from '../../../providers/observable.js';
import type { LlmEvent, LlmRequest, LlmResponse } from '../../../providers/types.js';
import type { StepContext } from '../types.js';
import { llmServiceOf } from './llm-service.js';

/** Where a call goes: a configured route, or a provider and model. */
export type ModelChoice = { route: string } | { provider: string; model: string };

/** A provider's raw usage object larger than this (as JSON) is not kept in the audit row. */
const maxRawUsageChars = 4096;

/** What {@link callModel} returns: the reduced response and the layer's id for the call. */
export interface ModelCallResult extends LlmResponse {
  generationId?: string;
}

/** Picks the route or the provider and model a step's parameters name (defaults resolved). */
export function chooseModel(context: StepContext, parameters: { route?: string; provider?: string; model?: string }): ModelChoice {
  if (parameters.route !== undefined) return { route: parameters.route };
  return llmServiceOf(context.services).resolve(parameters.provider, parameters.model);
}

/** `provider` and `model` that served the call (and the `route` it was sent to), for a step's output. */
export function servedBy(choice: ModelChoice, response: LlmResponse): { provider: string; model: string; route?: string } {
  if ('route' in choice) return { route: choice.route, provider: response.provider, model: response.model };
  return { provider: response.provider || choice.provider, model: response.model || choice.model };
}

/** Calls the model and returns the reduced response. */
export async function callModel(context: StepContext, choice: ModelChoice, request: Omit<LlmRequest, 'model'>, live: boolean): Promise<ModelCallResult> {
  const service = llmServiceOf(context.services);
  const startedAt = performance.now();
  const target = 'route' in choice ? { route: choice.route } : { provider: choice.provider, model: choice.model };
  context.emit({
    type: 'llm-request',
    ...target,
    messageCount: request.messages.length,
    toolCount: request.tools?.length ?? 0,
    payload: { messages: request.messages, tools: request.tools, temperature: request.temperature, maxTokens: request.maxTokens },
  });
  let generationId: string | undefined;
  let detach: (() => void) | undefined;
  const onEvent = (event: LlmEvent): void => {
    if (event.type === 'generation') {
      generationId = event.generationId;
      detach = service.attach?.(event.generationId, (record) => context.emit(record));
    } else if (live && event.type === 'text-delta') {
      context.emit({ type: 'text-delta', audit: false, text: event.text });
    } else if (!service.attach && (event.type === 'retry' || event.type === 'failover')) {
      // A layer of the embedder's own records to its own sink: keep the decisions in the step's trail anyway.
      context.emit({ ...event, type: `llm-${event.type}` });
    }
  };
  try {
    const response = await lastValueFrom(
      service
        .stream({ ...request, ...target, origin: { runId: context.runId, stepId: context.stepId } }, { signal: context.signal })
        .pipe(tap(onEvent), reduce(applyEvent, emptyResponse()), finalize(() => detach?.())),
    );
    context.emit({
      type: 'llm-response',
      ...('route' in choice ? { route: choice.route } : {}),
      provider: response.provider || ('provider' in choice ? choice.provider : undefined),
      model: response.model || ('model' in choice ? choice.model : undefined),
      ...(response.requestId ? { requestId: response.requestId } : {}),
      ...(generationId ? { generationId } : {}),
      finishReason: response.finishReason,
      usage: { ...response.usage, raw: boundedRaw(response.usage.raw) },
      durationMs: Math.round(performance.now() - startedAt),
      payload: { content: response.content, toolCalls: response.toolCalls, reasoning: response.reasoning },
    });
    return { ...response, generationId };
  } catch (error) {
    context.emit({
      type: 'llm-error',
      ...target,
      ...(generationId ? { generationId } : {}),
      error: { code: (error as { code?: string }).code, message: (error as Error).message },
      durationMs: Math.round(performance.now() - startedAt),
    });
    throw error;
  }
}

/** The provider's usage object as it came, unless it is too large to be one. */
function boundedRaw(raw: unknown): unknown {
  if (raw === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(raw);
  } catch {
    return undefined;
  }
  return text !== undefined && text.length <= maxRawUsageChars ? raw : { omitted: `larger than ${maxRawUsageChars} characters` };
}
