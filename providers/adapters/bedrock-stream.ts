/**
 * Turns decoded ConverseStream event-stream messages into {@link LlmEvent}s. Bedrock sends
 * `messageStart`, `contentBlockStart` (tool blocks only, on Claude), `contentBlockDelta`,
 * `contentBlockStop`, `messageStop` and — *after* `messageStop` — `metadata` with the usage, so
 * usage and finish are emitted when the stream ends, not at `messageStop`.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import { emptyUsage, type LlmEvent } from '../types.js';
import { headerValue, type EventStreamMessage } from '../wire/aws-event-stream.js';
import { mapStopReason, normaliseUsage, parseToolArguments, streamExceptionError } from './bedrock-response.js';

const provider = 'bedrock';

interface ToolBlock {
  /** Position among this response's tool calls (the `index` of `tool-call-delta`). */
  toolIndex: number;
  id: string;
  name: string;
  arguments: string;
  done: boolean;
}

/** Stateful parser of one ConverseStream response. */
export class ConverseStreamParser {
  private readonly toolBlocks = new Map<number, ToolBlock>();
  private stopReason: string | undefined;
  private sawMessageStop = false;
  private usage: unknown;

  /** Events for one decoded message; throws a typed {@link LlmError} for exception frames or garbage. */
  handle(message: EventStreamMessage): LlmEvent[] {
    const messageType = headerValue(message, ':message-type') ?? 'event';
    if (messageType === 'exception') {
      const exceptionType = headerValue(message, ':exception-type') ?? 'unknownException';
      throw streamExceptionError(exceptionType, this.parsePayload(message, true));
    }
    if (messageType === 'error') {
      const errorCode = headerValue(message, ':error-code') ?? 'InternalFailure';
      throw streamExceptionError(errorCode, { message: headerValue(message, ':error-message') ?? '' });
    }
    const eventType = headerValue(message, ':event-type');
    const payload = this.parsePayload(message, false) as Record<string, any>;
    switch (eventType) {
      case 'contentBlockStart':
        return this.onBlockStart(payload);
      case 'contentBlockDelta':
        return this.onBlockDelta(payload);
      case 'contentBlockStop':
        return this.onBlockStop(payload.contentBlockIndex);
      case 'messageStop':
        this.sawMessageStop = true;
        this.stopReason = typeof payload.stopReason === 'string' ? payload.stopReason : undefined;
        return this.flushToolBlocks();
      case 'metadata':
        if (payload.usage !== undefined) this.usage = payload.usage;
        return [];
      default:
        // messageStart carries only the role; unknown future events are ignored, not fatal.
        return [];
    }
  }

  /**
   * Events at the end of the stream: `usage` then `finish`. A stream that never said
   * `messageStop` was cut off, which is a retryable interruption.
   */
  finish(): LlmEvent[] {
    if (!this.sawMessageStop) {
      throw new LlmError(LlmErrorCode.streamInterrupted, 'bedrock stream ended before messageStop', { provider, isRetryable: true });
    }
    const events: LlmEvent[] = [...this.flushToolBlocks()];
    // A stream without `metadata` (it comes after messageStop, and some proxies drop it) carries no
    // counts: say so rather than report a zero.
    events.push({ type: 'usage', usage: this.usage !== undefined ? normaliseUsage(this.usage) : { ...emptyUsage(), source: 'missing' } });
    events.push({ type: 'finish', reason: mapStopReason(this.stopReason), rawReason: this.stopReason });
    return events;
  }

  private onBlockStart(payload: Record<string, any>): LlmEvent[] {
    const toolUse = payload.start?.toolUse;
    if (!toolUse) return [];
    const index = blockIndex(payload.contentBlockIndex);
    const block: ToolBlock = {
      toolIndex: this.toolBlocks.size,
      id: String(toolUse.toolUseId ?? ''),
      name: String(toolUse.name ?? ''),
      arguments: '',
      done: false,
    };
    this.toolBlocks.set(index, block);
    return [{ type: 'tool-call-delta', index: block.toolIndex, id: block.id, name: block.name, argumentsDelta: '' }];
  }

  private onBlockDelta(payload: Record<string, any>): LlmEvent[] {
    const delta = payload.delta ?? {};
    if (typeof delta.text === 'string') return delta.text ? [{ type: 'text-delta', text: delta.text }] : [];
    if (delta.reasoningContent) {
      const text = delta.reasoningContent.text;
      return typeof text === 'string' && text ? [{ type: 'reasoning-delta', text }] : [];
    }
    if (delta.toolUse) {
      const block = this.toolBlocks.get(blockIndex(payload.contentBlockIndex));
      if (!block) {
        throw new LlmError(LlmErrorCode.malformedResponse, 'bedrock sent tool input for a block that never started', { provider });
      }
      const fragment = typeof delta.toolUse.input === 'string' ? delta.toolUse.input : '';
      block.arguments += fragment;
      return [{ type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: fragment }];
    }
    return [];
  }

  private onBlockStop(index: unknown): LlmEvent[] {
    const block = this.toolBlocks.get(blockIndex(index));
    return block ? this.completeTool(block) : [];
  }

  private flushToolBlocks(): LlmEvent[] {
    return [...this.toolBlocks.values()].flatMap((block) => this.completeTool(block));
  }

  private completeTool(block: ToolBlock): LlmEvent[] {
    if (block.done) return [];
    block.done = true;
    return [{ type: 'tool-call', call: { id: block.id, name: block.name, arguments: parseToolArguments(block.arguments, block.name) } }];
  }

  private parsePayload(message: EventStreamMessage, lenient: boolean): unknown {
    const text = Buffer.from(message.payload).toString('utf8');
    try {
      const value = text ? JSON.parse(text) : {};
      if (typeof value !== 'object' || value === null) throw new Error('payload is not a JSON object');
      // Bedrock pads every payload with a random-length `p` field to hide lengths; it means nothing.
      delete (value as Record<string, unknown>).p;
      return value;
    } catch (error) {
      if (lenient) return { message: text.slice(0, 200) };
      throw new LlmError(LlmErrorCode.malformedResponse, 'bedrock sent an event whose payload is not a JSON object', { provider, cause: error });
    }
  }
}

function blockIndex(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
