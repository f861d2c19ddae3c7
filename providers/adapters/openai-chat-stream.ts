/**
 * Parses a streamed Chat Completions body (SSE of `chat.completion.chunk`s ending in `[DONE]`) into
 * {@link LlmEvent}s. Shared by OpenAI, Azure OpenAI and OpenAI-compatible servers, so it tolerates
 * all their variants: `choices: []` chunks (usage; Azure's prompt-filter chunk), explicit `null`
 * delta fields (Shimmy), tool-call `index` starting anywhere, whole arguments in one delta, and
 * reasoning under `reasoning_content` or `reasoning`.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import { emptyUsage, type LlmEvent, type ToolCall, type Usage } from '../types.js';
import type { StreamLimits } from '../stream-limits.js';
import { SseDecoder, type SseEvent } from '../wire/sse.js';
import { eventBatches, type ChunkParser } from './event-batches.js';
import { chatFinishReason, chatUsage, inBodyError, parseToolArguments, reasoningText, record } from './openai-chat-response.js';

interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Turns the body's bytes (or already-decoded text, for fixtures) into events — `start` first when
 * given, held back until the first chunk names the model that serves the call (its `model`) —
 * deltas, one `tool-call` per completed call, one `usage` and one `finish`, one batch per chunk.
 * A body that ends before `[DONE]` fails with a retryable `LLM_ERR_STREAM_INTERRUPTED`; garbage
 * fails with `LLM_ERR_MALFORMED_RESPONSE`; an error object in the stream becomes its typed error.
 */
export function chatCompletionEventBatches(
  provider: string,
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  requestId?: string,
  start?: Extract<LlmEvent, { type: 'start' }>,
  limits?: StreamLimits,
): AsyncGenerator<LlmEvent[]> {
  return eventBatches(chunks, new ChatStreamParser(provider, requestId, start, limits));
}

/** The state of one streamed answer; feed it the body's chunks in order. */
export class ChatStreamParser implements ChunkParser {
  /** True once `[DONE]` was seen and the closing events were produced. */
  done = false;
  private readonly decoder: SseDecoder;
  private readonly toolCalls = new Map<number, PendingToolCall>();
  private toolCallsEmitted = false;
  private rawFinishReason: string | undefined;
  private usage: Usage | undefined;

  /**
   * @param start the call's `start` event, emitted with the first chunk's `model` (the served
   *   model: an alias or an Azure deployment resolves to a dated model id).
   */
  constructor(
    private readonly provider: string,
    private readonly requestId?: string,
    private start?: Extract<LlmEvent, { type: 'start' }>,
    limits?: StreamLimits,
  ) {
    this.decoder = new SseDecoder({ provider, maxLineBytes: limits?.maxLineBytes });
  }

  /** The `start` event still held back (no chunk yet), handed over once. */
  takePendingStart(): LlmEvent | undefined {
    const start = this.start;
    this.start = undefined;
    return start;
  }

  private emitStart(out: LlmEvent[], served?: unknown): void {
    const start = this.start;
    if (!start) return;
    this.start = undefined;
    out.push({ ...start, model: typeof served === 'string' && served !== '' ? served : start.model });
  }

  push(chunk: Uint8Array | string, out: LlmEvent[]): void {
    this.handleAll(this.decoder.push(chunk), out);
  }

  end(out: LlmEvent[]): void {
    const tail = this.decoder.end(true);
    // A half-written final frame means the body was cut off, not that the server sent garbage.
    if (tail.some((event) => !isWholeFrame(event.data))) throw this.interrupted('ended inside a frame');
    this.handleAll(tail, out);
    if (!this.done) throw this.interrupted('ended before [DONE]');
  }

  private interrupted(how: string): LlmError {
    return new LlmError(LlmErrorCode.streamInterrupted, `${this.provider} stream ${how}`, { provider: this.provider, requestId: this.requestId, isRetryable: true });
  }

  /** Appends the events of SSE events to `out`, in order, stopping after `[DONE]`. */
  private handleAll(events: SseEvent[], out: LlmEvent[]): void {
    for (let index = 0; index < events.length && !this.done; index++) this.handleInto(events[index], out);
  }

  /**
   * Appends the events one SSE event produces to `out`. If it throws, `out` holds what came
   * before the failure.
   */
  private handleInto(event: SseEvent, out: LlmEvent[]): void {
    const data = event.data.trim();
    if (data === '[DONE]') {
      this.finish(out);
      return;
    }
    const payload = this.parse(data);
    // openai-node treats both an `event: error` frame and a payload with `error` as a failure.
    if (event.event === 'error' || payload.error) throw inBodyError(this.provider, payload, this.requestId);
    // Azure opens with a prompt-filter chunk whose model is empty: wait for one that names it,
    // but never let content overtake the start.
    if (typeof payload.model === 'string' && payload.model !== '') this.emitStart(out, payload.model);
    else if (Array.isArray(payload.choices) && payload.choices.length > 0) this.emitStart(out);
    const usage = payload.usage;
    if (usage && typeof usage === 'object') this.usage = chatUsage(usage);
    const choices = payload.choices;
    if (!Array.isArray(choices)) return;
    for (let index = 0; index < choices.length; index++) {
      const choice = record(choices[index]);
      // Only the first choice is this call's answer (n > 1 is not part of the request vocabulary).
      if (choice.index !== undefined && choice.index !== 0) continue;
      this.delta(record(choice.delta), out);
      const finishReason = choice.finish_reason;
      if (typeof finishReason === 'string' && finishReason) {
        this.rawFinishReason = finishReason;
        this.completedToolCalls(out);
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

  private delta(delta: Record<string, unknown>, out: LlmEvent[]): void {
    const reasoning = reasoningText(delta);
    if (reasoning) out.push({ type: 'reasoning-delta', text: reasoning });
    const content = delta.content;
    if (typeof content === 'string' && content) out.push({ type: 'text-delta', text: content });
    // A refusal is what the model said instead of an answer; the caller must see it as text.
    const refusal = delta.refusal;
    if (typeof refusal === 'string' && refusal) out.push({ type: 'text-delta', text: refusal });
    const toolCalls = delta.tool_calls;
    if (!Array.isArray(toolCalls)) return;
    for (const entry of toolCalls) {
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
      out.push(event);
    }
  }

  private completedToolCalls(out: LlmEvent[]): void {
    if (this.toolCallsEmitted) return;
    this.toolCallsEmitted = true;
    if (this.toolCalls.size === 0) return;
    const ordered = [...this.toolCalls.entries()].sort(([left], [right]) => left - right);
    for (const [index, pending] of ordered) {
      const call: ToolCall = {
        id: pending.id || `call_${index}`,
        name: pending.name,
        arguments: parseToolArguments(this.provider, pending.name, pending.arguments),
      };
      out.push({ type: 'tool-call', call });
    }
  }

  private finish(out: LlmEvent[]): void {
    this.done = true;
    this.emitStart(out);
    this.completedToolCalls(out);
    // Without include_usage (or on servers that never report it, such as Shimmy) the stream
    // carries no usage: say so rather than report a zero.
    out.push({ type: 'usage', usage: this.usage ?? { ...emptyUsage(), source: 'missing' } });
    const reason = chatFinishReason(this.rawFinishReason, this.toolCalls.size > 0);
    out.push(this.rawFinishReason === undefined ? { type: 'finish', reason } : { type: 'finish', reason, rawReason: this.rawFinishReason });
  }
}

/** Whether an SSE frame's data is complete: the sentinel, or JSON that parses. */
function isWholeFrame(data: string): boolean {
  const trimmed = data.trim();
  if (trimmed === '[DONE]') return true;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
