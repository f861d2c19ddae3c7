/**
 * Parses a streamed Chat Completions body (SSE of `chat.completion.chunk`s ending in `[DONE]`) into
 * {@link LlmEvent}s. Shared by OpenAI, Azure OpenAI and OpenAI-compatible servers, so it tolerates
 * all their variants: `choices: []` chunks (usage; Azure's prompt-filter chunk), explicit `null`
 * delta fields (Shimmy), tool-call `index` starting anywhere, whole arguments in one delta, and
 * reasoning under `reasoning_content` or `reasoning`.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import { emptyUsage, type LlmEvent, type ToolCall, type Usage } from '../types.js';
import { SseDecoder, type SseEvent } from '../wire/sse.js';
import { chatFinishReason, chatUsage, inBodyError, parseToolArguments, reasoningText, record } from './openai-chat-response.js';

interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Turns the body's bytes (or already-decoded text, for fixtures) into events after `start`:
 * deltas, one `tool-call` per completed call, one `usage` and one `finish`. A body that ends before
 * `[DONE]` fails with a retryable `LLM_ERR_STREAM_INTERRUPTED`; garbage fails with
 * `LLM_ERR_MALFORMED_RESPONSE`; an error object in the stream becomes its typed error.
 */
export async function* chatCompletionEvents(
  provider: string,
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  requestId?: string,
): AsyncGenerator<LlmEvent> {
  const parser = new ChatStreamParser(provider, requestId);
  const decoder = new SseDecoder();
  for await (const chunk of chunks) {
    for (const event of decoder.push(chunk)) {
      yield* parser.handle(event);
      // Stop reading at the sentinel: anything after [DONE] is not part of this answer.
      if (parser.done) return;
    }
  }
  for (const event of decoder.end(true)) {
    yield* parser.handle(event);
    if (parser.done) return;
  }
  throw new LlmError(LlmErrorCode.streamInterrupted, `${provider} stream ended before [DONE]`, {
    provider,
    requestId,
    isRetryable: true,
  });
}

/** The state of one streamed answer; feed it SSE events in order. */
export class ChatStreamParser {
  /** True once `[DONE]` was seen and the closing events were produced. */
  done = false;
  private readonly toolCalls = new Map<number, PendingToolCall>();
  private toolCallsEmitted = false;
  private rawFinishReason: string | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly provider: string,
    private readonly requestId?: string,
  ) {}

  /** Events produced by one SSE event. */
  *handle(event: SseEvent): Generator<LlmEvent> {
    const data = event.data.trim();
    if (data === '[DONE]') {
      yield* this.finish();
      return;
    }
    const payload = this.parse(data);
    // openai-node treats both an `event: error` frame and a payload with `error` as a failure.
    if (event.event === 'error' || payload.error) throw inBodyError(this.provider, payload, this.requestId);
    if (payload.usage && typeof payload.usage === 'object') this.usage = chatUsage(payload.usage);
    const choices = Array.isArray(payload.choices) ? payload.choices : [];
    for (const entry of choices) {
      const choice = record(entry);
      // Only the first choice is this call's answer (n > 1 is not part of the request vocabulary).
      if (choice.index !== undefined && choice.index !== 0) continue;
      yield* this.delta(record(choice.delta));
      if (typeof choice.finish_reason === 'string' && choice.finish_reason) {
        this.rawFinishReason = choice.finish_reason;
        yield* this.completedToolCalls();
      }
    }
  }

  private parse(data: string): Record<string, unknown> {
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch (error) {
      throw new LlmError(LlmErrorCode.malformedResponse, `${this.provider} sent a stream frame that is not JSON: ${preview(data)}`, {
        provider: this.provider,
        requestId: this.requestId,
        cause: error,
      });
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new LlmError(LlmErrorCode.malformedResponse, `${this.provider} sent a stream frame that is not a JSON object`, {
        provider: this.provider,
        requestId: this.requestId,
      });
    }
    return payload as Record<string, unknown>;
  }

  private *delta(delta: Record<string, unknown>): Generator<LlmEvent> {
    const reasoning = reasoningText(delta);
    if (reasoning) yield { type: 'reasoning-delta', text: reasoning };
    if (typeof delta.content === 'string' && delta.content) yield { type: 'text-delta', text: delta.content };
    // A refusal is what the model said instead of an answer; the caller must see it as text.
    if (typeof delta.refusal === 'string' && delta.refusal) yield { type: 'text-delta', text: delta.refusal };
    if (!Array.isArray(delta.tool_calls)) return;
    for (const entry of delta.tool_calls) {
      const fragment = record(entry);
      const fn = record(fragment.function);
      // Key by the wire index: compatible servers may start at 1 or interleave parallel calls.
      const index = typeof fragment.index === 'number' ? fragment.index : this.toolCalls.size;
      let pending = this.toolCalls.get(index);
      const isNew = pending === undefined;
      if (!pending) {
        pending = { id: '', name: '', arguments: '' };
        this.toolCalls.set(index, pending);
      }
      if (typeof fragment.id === 'string' && fragment.id) pending.id = fragment.id;
      // Some compatible servers repeat the name on every fragment; the first one names the call.
      if (typeof fn.name === 'string' && fn.name && !pending.name) pending.name = fn.name;
      const argumentsDelta = typeof fn.arguments === 'string' ? fn.arguments : '';
      pending.arguments += argumentsDelta;
      if (!isNew && !argumentsDelta) continue;
      const event: LlmEvent = { type: 'tool-call-delta', index, argumentsDelta };
      if (isNew) {
        if (pending.id) event.id = pending.id;
        if (pending.name) event.name = pending.name;
      }
      yield event;
    }
  }

  private *completedToolCalls(): Generator<LlmEvent> {
    if (this.toolCallsEmitted) return;
    this.toolCallsEmitted = true;
    const ordered = [...this.toolCalls.entries()].sort(([left], [right]) => left - right);
    for (const [index, pending] of ordered) {
      const call: ToolCall = {
        id: pending.id || `call_${index}`,
        name: pending.name,
        arguments: parseToolArguments(this.provider, pending.name, pending.arguments),
      };
      yield { type: 'tool-call', call };
    }
  }

  private *finish(): Generator<LlmEvent> {
    this.done = true;
    yield* this.completedToolCalls();
    // Without include_usage (or on servers that never report it) the stream carries no usage.
    yield { type: 'usage', usage: this.usage ?? emptyUsage() };
    const reason = chatFinishReason(this.rawFinishReason, this.toolCalls.size > 0);
    yield this.rawFinishReason === undefined ? { type: 'finish', reason } : { type: 'finish', reason, rawReason: this.rawFinishReason };
  }
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
