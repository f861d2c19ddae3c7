/**
 * Parses Anthropic's named-SSE Messages stream into {@link LlmEvent}s. Dispatch is on the JSON
 * `type` (it always equals the `event:` name, and some proxies drop the `event:` line). Usage and
 * finish are emitted only at `message_stop`, so a stream cut short never looks complete.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { LlmEvent } from '../types.js';
import { eventBatches } from './event-batches.js';
import type { StreamLimits } from '../stream-limits.js';
import { SseDecoder, type SseEvent } from '../wire/sse.js';
import {
  anthropicProvider,
  anthropicStreamError,
  mapAnthropicStopReason,
  mergeAnthropicUsage,
  normaliseAnthropicUsage,
  parseToolArguments,
  type AnthropicUsage,
} from './anthropic-response.js';

interface ToolBlock {
  ordinal: number;
  id: string;
  name: string;
  argumentsText: string;
  initialInput?: Record<string, unknown>;
}

type WireEvent = { type?: unknown; [field: string]: any };

/** Turns decoded SSE events of one Messages stream into LLM events. */
export class AnthropicStreamParser {
  private usage: AnthropicUsage = {};
  private stopReason: string | undefined;
  private finished = false;
  private readonly toolBlocks = new Map<number, ToolBlock>();
  private toolCount = 0;

  /**
   * @param requestId the `request-id` response header, carried into errors.
   * @param start the call's `start` event, held back until `message_start` names the model that
   *   actually serves the call (an alias such as `claude-3-5-haiku-latest` resolves to a dated id).
   */
  constructor(
    private readonly requestId?: string,
    private start?: Extract<LlmEvent, { type: 'start' }>,
  ) {}

  /** The `start` event still held back (no `message_start` yet), handed over once. */
  takePendingStart(): LlmEvent | undefined {
    const start = this.start;
    this.start = undefined;
    return start;
  }

  /** Whether `message_stop` has been seen. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** Handles one SSE event and returns the LLM events it produces. */
  handle(event: SseEvent): LlmEvent[] {
    if (this.finished) return [];
    let data: WireEvent;
    try {
      data = JSON.parse(event.data) as WireEvent;
    } catch (error) {
      throw this.malformed(`an SSE frame that is not JSON (event "${event.event}")`, error);
    }
    if (typeof data !== 'object' || data === null) throw this.malformed(`an SSE frame that is not an object (event "${event.event}")`);
    if (event.event === 'error' || data.type === 'error') throw anthropicStreamError(data, this.requestId);
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start': {
        this.usage = mergeAnthropicUsage(this.usage, data.message?.usage);
        const start = this.start;
        this.start = undefined;
        if (!start) return [];
        const served = data.message?.model;
        return [{ ...start, model: typeof served === 'string' && served !== '' ? served : start.model }];
      }
      case 'content_block_start':
        return this.blockStart(data);
      case 'content_block_delta':
        return this.blockDelta(data);
      case 'content_block_stop':
        return this.blockStop(data);
      case 'message_delta':
        if (typeof data.delta?.stop_reason === 'string') this.stopReason = data.delta.stop_reason;
        this.usage = mergeAnthropicUsage(this.usage, data.usage);
        return [];
      case 'message_stop':
        this.finished = true;
        return [
          { type: 'usage', usage: normaliseAnthropicUsage(this.usage) },
          { type: 'finish', reason: mapAnthropicStopReason(this.stopReason), rawReason: this.stopReason },
        ];
      default:
        // `ping` and event types newer than this parser carry nothing we map.
        return [];
    }
  }

  /** Checks the stream's end: without `message_stop` it was cut short (retryable). */
  end(): void {
    if (!this.finished) {
      throw new LlmError(LlmErrorCode.streamInterrupted, `${anthropicProvider} stream ended before message_stop`, {
        provider: anthropicProvider,
        isRetryable: true,
        requestId: this.requestId,
      });
    }
  }

  private blockStart(data: WireEvent): LlmEvent[] {
    const block = data.content_block ?? {};
    if (block.type === 'tool_use') {
      const index = Number(data.index);
      const tool: ToolBlock = { ordinal: this.toolCount++, id: String(block.id ?? ''), name: String(block.name ?? ''), argumentsText: '' };
      if (isObject(block.input) && Object.keys(block.input).length > 0) tool.initialInput = block.input;
      this.toolBlocks.set(index, tool);
      return [{ type: 'tool-call-delta', index: tool.ordinal, id: tool.id, name: tool.name, argumentsDelta: '' }];
    }
    if (block.type === 'text' && typeof block.text === 'string' && block.text) return [{ type: 'text-delta', text: block.text }];
    if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking) {
      return [{ type: 'reasoning-delta', text: block.thinking }];
    }
    return [];
  }

  private blockDelta(data: WireEvent): LlmEvent[] {
    const delta = data.delta ?? {};
    switch (delta.type) {
      case 'text_delta':
        return typeof delta.text === 'string' && delta.text ? [{ type: 'text-delta', text: delta.text }] : [];
      case 'thinking_delta':
        return typeof delta.thinking === 'string' && delta.thinking ? [{ type: 'reasoning-delta', text: delta.thinking }] : [];
      case 'input_json_delta': {
        const tool = this.toolBlocks.get(Number(data.index));
        if (!tool) throw this.malformed(`input_json_delta for content block ${data.index}, which is not a tool_use block`);
        const piece = typeof delta.partial_json === 'string' ? delta.partial_json : '';
        if (!piece) return [];
        tool.argumentsText += piece;
        return [{ type: 'tool-call-delta', index: tool.ordinal, argumentsDelta: piece }];
      }
      default:
        // signature_delta, citations_delta and future delta types do not map onto the vocabulary.
        return [];
    }
  }

  private blockStop(data: WireEvent): LlmEvent[] {
    const index = Number(data.index);
    const tool = this.toolBlocks.get(index);
    if (!tool) return [];
    this.toolBlocks.delete(index);
    const parsed =
      tool.argumentsText.trim() === '' && tool.initialInput ? tool.initialInput : parseToolArguments(tool.argumentsText, tool.name);
    return [{ type: 'tool-call', call: { id: tool.id, name: tool.name, arguments: parsed } }];
  }

  private malformed(what: string, cause?: unknown): LlmError {
    return new LlmError(LlmErrorCode.malformedResponse, `${anthropicProvider} sent ${what}`, {
      provider: anthropicProvider,
      cause,
      requestId: this.requestId,
    });
  }
}

/**
 * Decodes a Messages SSE body (any chunking, `\n` or `\r\n` framing) into LLM events, one batch
 * per chunk, ending with `usage` and `finish`; nothing after `message_stop` is read. Given the
 * call's `start` event, emits it at `message_start` with the served model. Fails with
 * `LLM_ERR_STREAM_INTERRUPTED` when `message_stop` never came.
 */
export function parseAnthropicStream(
  chunks: AsyncIterable<Uint8Array | string>,
  requestId?: string,
  start?: Extract<LlmEvent, { type: 'start' }>,
  limits?: StreamLimits,
): AsyncGenerator<LlmEvent[]> {
  const decoder = new SseDecoder({ provider: anthropicProvider, maxLineBytes: limits?.maxLineBytes });
  const parser = new AnthropicStreamParser(requestId, start);
  return eventBatches(chunks, {
    get done() {
      return parser.isFinished;
    },
    takePendingStart: () => parser.takePendingStart(),
    push(chunk, out) {
      for (const event of decoder.push(chunk)) out.push(...parser.handle(event));
    },
    end(out) {
      for (const event of decoder.end(true)) {
        try {
          out.push(...parser.handle(event));
        } catch (error) {
          // A half-written final frame is a cut-off stream, not garbage from the provider.
          if (!(error instanceof LlmError && error.code === LlmErrorCode.malformedResponse)) throw error;
        }
      }
      parser.end();
    },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
