/**
 * One audited model call shared by the `llm`, `agent` and `chain` steps: emits `llm-request`,
 * shows streamed tokens live, reduces the stream, emits `llm-response` (prompt and completion as
 * erasable payloads).
 */
import { lastValueFrom, reduce, tap } from 'rxjs';
import { applyEvent, emptyResponse } from '../../../providers/observable.js';
import type { LlmRequest, LlmResponse } from '../../../providers/types.js';
import type { StepContext } from '../types.js';
import { llmServiceOf } from './llm-service.js';

/** Calls the model and returns the reduced response. */
export async function callModel(context: StepContext, provider: string, request: LlmRequest, live: boolean): Promise<LlmResponse> {
  const service = llmServiceOf(context.services);
  const startedAt = performance.now();
  context.emit({
    type: 'llm-request',
    provider,
    model: request.model,
    messageCount: request.messages.length,
    toolCount: request.tools?.length ?? 0,
    payload: { messages: request.messages, tools: request.tools, temperature: request.temperature, maxTokens: request.maxTokens },
  });
  try {
    const response = await lastValueFrom(
      service.stream(provider, request, { signal: context.signal }).pipe(
        tap((event) => {
          if (live && event.type === 'text-delta') context.emit({ type: 'text-delta', audit: false, text: event.text });
          if (event.type === 'retry' || event.type === 'failover') context.emit({ ...event, type: `llm-${event.type}` });
        }),
        reduce(applyEvent, emptyResponse()),
      ),
    );
    context.emit({
      type: 'llm-response',
      provider: response.provider || provider,
      model: response.model || request.model,
      finishReason: response.finishReason,
      usage: { ...response.usage, raw: undefined },
      durationMs: Math.round(performance.now() - startedAt),
      payload: { content: response.content, toolCalls: response.toolCalls, reasoning: response.reasoning },
    });
    return response;
  } catch (error) {
    context.emit({
      type: 'llm-error',
      provider,
      model: request.model,
      error: { code: (error as { code?: string }).code, message: (error as Error).message },
      durationMs: Math.round(performance.now() - startedAt),
    });
    throw error;
  }
}
