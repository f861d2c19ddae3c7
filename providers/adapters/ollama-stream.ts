/**
 * Parsing of Ollama `/api/chat` responses: NDJSON stream chunks to {@link LlmEvent}s, and the
 * non-streaming JSON object to an {@link LlmResponse}. Tool calls arrive whole (arguments as an
 * object, no deltas) and often without ids, so ids are synthesised.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { NdjsonItem } from '../wire/ndjson.js';
import type { FinishReason, LlmEvent, LlmResponse, ToolCall, Usage } from '../types.js';

const provider = 'ollama';

/**
 * Maps `done_reason`. `stop` with tool calls means the model stopped to call them. `load`,
 * `unload` and an empty reason come from model housekeeping, not generation → `other`.
 */
export function mapOllamaDoneReason(doneReason: string | undefined, sawToolCalls: boolean): FinishReason {
  if (sawToolCalls && (doneReason === 'stop' || !doneReason)) return 'tool-calls';
  if (doneReason === 'stop') return 'stop';
  if (doneReason === 'length') return 'length';
  return 'other';
}

const usageFields = ['prompt_eval_count', 'eval_count', 'total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const;

/**
 * Usage from a final chunk. `prompt_eval_count` is omitted by the server when 0 (a fully cached
 * prompt), so absence means zero, not unknown. `raw` holds the counts and durations (ns) verbatim.
 */
export function ollamaUsage(chunk: Record<string, unknown>): Usage {
  const inputTokens = countOf(chunk.prompt_eval_count);
  const outputTokens = countOf(chunk.eval_count);
  const raw: Record<string, unknown> = {};
  for (const field of usageFields) if (chunk[field] !== undefined) raw[field] = chunk[field];
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    totalTokens: inputTokens + outputTokens,
    raw,
  };
}

/** The typed error for an `{"error":"…"}` object (mid-stream line or non-streaming body). */
export function ollamaInStreamError(message: string): LlmError {
  if (/context (length|window)|too long|exceeds? .*context/i.test(message)) {
    return new LlmError(LlmErrorCode.contextLength, `ollama failed mid-response: ${message}`, { provider });
  }
  // The server already sent 200; a model failure mid-generation is a server fault worth retrying.
  return new LlmError(LlmErrorCode.server, `ollama failed mid-response: ${message}`, { provider, isRetryable: true });
}

/** Turns the chunks of one streamed `/api/chat` response into events, in order. */
export class OllamaStreamParser {
  private done = false;
  private toolCallCount = 0;

  /** Whether the `done:true` chunk has been seen. */
  get finished(): boolean {
    return this.done;
  }

  /** Events for one decoded NDJSON line; throws a typed error for error lines and garbage. */
  accept(item: NdjsonItem): LlmEvent[] {
    // Whatever follows the done line is not part of this response.
    if (this.done) return [];
    if (!item.ok) {
      throw new LlmError(LlmErrorCode.malformedResponse, `ollama sent a stream line that is not JSON: ${preview(item.line)}`, {
        provider,
        cause: item.error,
      });
    }
    const chunk = asRecord(item.value);
    if (!chunk) throw new LlmError(LlmErrorCode.malformedResponse, 'ollama sent a stream line that is not an object', { provider });
    if (typeof chunk.error === 'string') throw ollamaInStreamError(chunk.error);
    const events: LlmEvent[] = [];
    const message = asRecord(chunk.message);
    if (message) {
      if (typeof message.thinking === 'string' && message.thinking) events.push({ type: 'reasoning-delta', text: message.thinking });
      if (typeof message.content === 'string' && message.content) events.push({ type: 'text-delta', text: message.content });
      for (const call of toolCallsOf(message, this.toolCallCount)) {
        this.toolCallCount++;
        events.push({ type: 'tool-call', call });
      }
    }
    if (chunk.done === true) {
      this.done = true;
      const rawReason = typeof chunk.done_reason === 'string' ? chunk.done_reason : undefined;
      events.push({ type: 'usage', usage: ollamaUsage(chunk) });
      events.push({ type: 'finish', reason: mapOllamaDoneReason(rawReason, this.toolCallCount > 0), rawReason });
    }
    return events;
  }

  /** Call at end of body: a stream without its `done:true` line was cut short. */
  end(): void {
    if (!this.done) {
      throw new LlmError(LlmErrorCode.streamInterrupted, 'ollama stream ended before its final (done) line', { provider, isRetryable: true });
    }
  }
}

/** Maps a non-streaming `/api/chat` body (`stream:false`) to a response. */
export function ollamaResponseFromJson(body: unknown, model: string): LlmResponse {
  const record = asRecord(body);
  if (!record) throw new LlmError(LlmErrorCode.malformedResponse, 'ollama returned a body that is not an object', { provider });
  if (typeof record.error === 'string') throw ollamaInStreamError(record.error);
  const message = asRecord(record.message);
  if (!message) throw new LlmError(LlmErrorCode.malformedResponse, 'ollama returned a body without a message', { provider });
  const toolCalls = toolCallsOf(message, 0);
  const rawFinishReason = typeof record.done_reason === 'string' ? record.done_reason : undefined;
  const response: LlmResponse = {
    provider,
    model: typeof record.model === 'string' && record.model ? record.model : model,
    content: typeof message.content === 'string' ? message.content : '',
    toolCalls,
    finishReason: mapOllamaDoneReason(rawFinishReason, toolCalls.length > 0),
    rawFinishReason,
    usage: ollamaUsage(record),
  };
  if (typeof message.thinking === 'string' && message.thinking) response.reasoning = message.thinking;
  return response;
}

/** Tool calls of a message; `firstIndex` numbers synthesised ids across a whole response. */
function toolCallsOf(message: Record<string, unknown>, firstIndex: number): ToolCall[] {
  if (message.tool_calls === undefined || message.tool_calls === null) return [];
  if (!Array.isArray(message.tool_calls)) {
    throw new LlmError(LlmErrorCode.malformedResponse, 'ollama sent tool_calls that is not an array', { provider });
  }
  return message.tool_calls.map((raw, offset) => {
    const call = asRecord(raw);
    const fn = asRecord(call?.function);
    if (!fn || typeof fn.name !== 'string') {
      throw new LlmError(LlmErrorCode.malformedResponse, 'ollama sent a tool call without a function name', { provider });
    }
    const id = typeof call?.id === 'string' && call.id ? call.id : `call_${firstIndex + offset}`;
    return { id, name: fn.name, arguments: argumentsOf(fn.arguments, fn.name) };
  });
}

/** Arguments are an object on the wire; tolerate a JSON string (some proxies re-encode them). */
function argumentsOf(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new LlmError(LlmErrorCode.malformedResponse, `ollama sent invalid JSON arguments for tool '${name}'`, { provider, cause: error });
    }
  }
  const record = asRecord(parsed);
  if (!record) throw new LlmError(LlmErrorCode.malformedResponse, `ollama sent arguments for tool '${name}' that are not an object`, { provider });
  return record;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
