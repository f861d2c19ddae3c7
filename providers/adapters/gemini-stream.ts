/**
 * Parses Gemini `GenerateContentResponse` objects — the chunks of an `alt=sse` stream, or one whole
 * non-streamed response — into {@link LlmEvent}s. Gemini has no end-of-stream sentinel: the last
 * chunk carries `finishReason`, so a body that closes without one was cut short.
 */
import { randomUUID } from 'node:crypto';
import { LlmError, LlmErrorCode } from '../errors.js';
import type { LlmEvent, RateLimitInfo, ToolCall } from '../types.js';
import { eventBatches } from './event-batches.js';
import type { StreamLimits } from '../stream-limits.js';
import { SseDecoder } from '../wire/sse.js';
import { geminiSyntheticIdPrefix } from './gemini-request.js';
import {
  applyPartialArgument,
  geminiProvider,
  geminiStreamError,
  mapGeminiFinishReason,
  normaliseGeminiUsage,
  type GeminiPartialArgument,
  type GeminiUsageMetadata,
} from './gemini-response.js';

interface PendingCall {
  ordinal: number;
  id: string;
  name: string;
  args: Record<string, unknown>;
  signature?: string;
}

interface WireFunctionCall {
  id?: unknown;
  name?: unknown;
  args?: unknown;
  partialArgs?: GeminiPartialArgument[];
  willContinue?: unknown;
}

/** What the parser needs to know about the call it parses. */
export interface GeminiParserContext {
  model: string;
  rateLimit?: RateLimitInfo;
  /** Whether chunks come from a stream (a missing finishReason then means interrupted). */
  streaming: boolean;
}

/** Turns response objects into LLM events; `start` comes with the first object (it names the responseId). */
export class GeminiResponseParser {
  private usage: GeminiUsageMetadata = {};
  private usageSeen = false;
  private finishReason: string | undefined;
  private blockReason: string | undefined;
  private started = false;
  private toolCount = 0;
  private pending: PendingCall | undefined;
  private readonly callIdBase = randomUUID().slice(0, 8);

  constructor(private readonly context: GeminiParserContext) {}

  /** Handles one `GenerateContentResponse` (or in-stream error object). */
  handle(chunk: unknown): LlmEvent[] {
    if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) throw this.malformed('a response chunk that is not an object');
    const response = chunk as Record<string, any>;
    if (response.error !== undefined) throw geminiStreamError(response);
    const events: LlmEvent[] = [];
    if (!this.started) {
      this.started = true;
      const requestId = typeof response.responseId === 'string' ? response.responseId : undefined;
      // `modelVersion` names the model that served the call (an alias resolves to a dated version).
      const served = typeof response.modelVersion === 'string' && response.modelVersion !== '' ? response.modelVersion : this.context.model;
      events.push({ type: 'start', provider: geminiProvider, model: served, requestId, rateLimit: this.context.rateLimit });
    }
    if (typeof response.usageMetadata === 'object' && response.usageMetadata !== null) {
      this.usageSeen = true;
      // Usage is cumulative on every chunk: later values replace earlier ones, never add to them.
      this.usage = { ...this.usage, ...response.usageMetadata };
    }
    if (typeof response.promptFeedback?.blockReason === 'string') this.blockReason = response.promptFeedback.blockReason;
    const candidate = Array.isArray(response.candidates) ? response.candidates[0] : undefined;
    const parts: unknown = candidate?.content?.parts;
    if (parts !== undefined && !Array.isArray(parts)) throw this.malformed('candidate parts that are not an array');
    for (const part of (parts ?? []) as Record<string, any>[]) events.push(...this.part(part));
    if (typeof candidate?.finishReason === 'string') this.finishReason = candidate.finishReason;
    return events;
  }

  /** Emits `usage` and `finish`, or fails when the response never said it was finished. */
  finish(): LlmEvent[] {
    if (this.pending || (!this.finishReason && !this.blockReason)) {
      const what = this.pending ? `function call "${this.pending.name}" was still open` : 'no finishReason arrived';
      if (this.context.streaming) {
        throw new LlmError(LlmErrorCode.streamInterrupted, `gemini stream ended early (${what})`, { provider: geminiProvider, isRetryable: true });
      }
      if (this.pending) throw this.malformed(`a response whose ${what}`);
    }
    const events: LlmEvent[] = [];
    if (!this.started) {
      this.started = true;
      events.push({ type: 'start', provider: geminiProvider, model: this.context.model, rateLimit: this.context.rateLimit });
    }
    // A response without usageMetadata reports no counts: say so rather than report a zero.
    events.push({ type: 'usage', usage: this.usageSeen ? normaliseGeminiUsage(this.usage) : { ...normaliseGeminiUsage({}), raw: undefined, source: 'missing' } });
    if (!this.finishReason && this.blockReason) events.push({ type: 'finish', reason: 'content-filter', rawReason: this.blockReason });
    else events.push({ type: 'finish', reason: mapGeminiFinishReason(this.finishReason, this.toolCount > 0), rawReason: this.finishReason });
    return events;
  }

  private part(part: Record<string, any>): LlmEvent[] {
    // Gemini 3 signs its reasoning on parts; the signature must go back with the part it came on.
    const signature = typeof part.thoughtSignature === 'string' && part.thoughtSignature ? part.thoughtSignature : undefined;
    if (part.functionCall !== undefined) {
      if (typeof part.functionCall !== 'object' || part.functionCall === null) throw this.malformed('a functionCall that is not an object');
      return this.functionCall(part.functionCall as WireFunctionCall, signature);
    }
    const events: LlmEvent[] = [];
    // An empty text part may be there only to carry a signature.
    if (typeof part.text === 'string' && part.text) events.push({ type: part.thought === true ? 'reasoning-delta' : 'text-delta', text: part.text });
    if (signature) events.push({ type: 'signature', signature });
    return events;
  }

  private functionCall(call: WireFunctionCall, signature: string | undefined): LlmEvent[] {
    const streamedArguments = call.willContinue === true || Array.isArray(call.partialArgs) || (this.pending && call.args === undefined);
    if (!streamedArguments) {
      if (call.args !== undefined && !isObject(call.args)) throw this.malformed(`arguments for "${String(call.name)}" that are not an object`);
      const args = (call.args ?? {}) as Record<string, unknown>;
      const opened = this.open(call, signature);
      return [
        { type: 'tool-call-delta', index: opened.ordinal, id: opened.id, name: opened.name, argumentsDelta: JSON.stringify(args) },
        { type: 'tool-call', call: toolCall(opened, args) },
      ];
    }
    // Vertex streams arguments: {name, willContinue} opens, partialArgs fill in, a bare {} closes.
    const events: LlmEvent[] = [];
    if (!this.pending) {
      if (typeof call.name !== 'string') throw this.malformed('streamed function-call arguments before the call was named');
      this.pending = this.open(call, signature);
      events.push({ type: 'tool-call-delta', index: this.pending.ordinal, id: this.pending.id, name: this.pending.name, argumentsDelta: '' });
    }
    const pending = this.pending;
    pending.signature ??= signature;
    for (const fragment of call.partialArgs ?? []) applyPartialArgument(pending.args, fragment);
    if (call.willContinue !== true) {
      this.pending = undefined;
      events.push(
        { type: 'tool-call-delta', index: pending.ordinal, argumentsDelta: JSON.stringify(pending.args) },
        { type: 'tool-call', call: toolCall(pending, pending.args) },
      );
    }
    return events;
  }

  private open(call: WireFunctionCall, signature: string | undefined): PendingCall {
    if (typeof call.name !== 'string' || !call.name) throw this.malformed('a functionCall without a name');
    const ordinal = this.toolCount++;
    // Gemini rarely sends call ids; invented ones are marked so they are never sent back.
    const id = typeof call.id === 'string' && call.id ? call.id : `${geminiSyntheticIdPrefix}${this.callIdBase}-${ordinal}`;
    return { ordinal, id, name: call.name, args: {}, signature };
  }

  private malformed(what: string, cause?: unknown): LlmError {
    return new LlmError(LlmErrorCode.malformedResponse, `gemini sent ${what}`, { provider: geminiProvider, cause });
  }
}

/**
 * Decodes an `alt=sse` body (CRLF or LF framing, any chunking) into LLM events, one batch per
 * chunk. The stream has no sentinel, so it ends when the body does; a final event without its
 * blank line still counts.
 */
export function parseGeminiStream(
  chunks: AsyncIterable<Uint8Array | string>,
  context: Omit<GeminiParserContext, 'streaming'>,
  limits?: StreamLimits,
): AsyncGenerator<LlmEvent[]> {
  const decoder = new SseDecoder({ provider: geminiProvider, maxLineBytes: limits?.maxLineBytes });
  const parser = new GeminiResponseParser({ ...context, streaming: true });
  const handle = (data: string): LlmEvent[] => {
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch (error) {
      throw new LlmError(LlmErrorCode.malformedResponse, 'gemini sent an SSE frame that is not JSON', { provider: geminiProvider, cause: error });
    }
    return parser.handle(chunk);
  };
  return eventBatches(chunks, {
    done: false,
    push(piece, out) {
      for (const event of decoder.push(piece)) out.push(...handle(event.data));
    },
    end(out) {
      for (const event of decoder.end(true)) {
        try {
          out.push(...handle(event.data));
        } catch (error) {
          // A half-written final frame means the body was cut off, not that the provider sent garbage.
          if (!(error instanceof LlmError && error.code === LlmErrorCode.malformedResponse)) throw error;
          throw new LlmError(LlmErrorCode.streamInterrupted, 'gemini stream ended inside a frame', { provider: geminiProvider, isRetryable: true, cause: error });
        }
      }
      out.push(...parser.finish());
    },
  });
}

function toolCall(pending: PendingCall, args: Record<string, unknown>): ToolCall {
  return pending.signature ? { id: pending.id, name: pending.name, arguments: args, signature: pending.signature } : { id: pending.id, name: pending.name, arguments: args };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
