/**
 * Anthropic response vocabulary: usage normalisation (Anthropic's `input_tokens` excludes cache
 * reads and writes), stop reasons, tool-argument parsing, in-stream error bodies, and the mapping
 * of a whole non-streamed message to an {@link LlmResponse}.
 */
import { LlmError, LlmErrorCode, type LlmErrorCodeValue } from '../errors.js';
import type { FinishReason, LlmResponse, ToolCall, Usage } from '../types.js';

/** The provider id every Anthropic event and error carries. */
export const anthropicProvider = 'anthropic';

/** Anthropic's usage object as it appears on the wire (every field may be absent or null). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  [field: string]: unknown;
}

/**
 * Overlays the non-null fields of a later usage report on an earlier one. `message_delta` usage is
 * cumulative, so the latest value of each field wins; summing would double-count.
 */
export function mergeAnthropicUsage(earlier: AnthropicUsage, later: AnthropicUsage | null | undefined): AnthropicUsage {
  const merged: AnthropicUsage = { ...earlier };
  for (const [field, value] of Object.entries(later ?? {})) {
    if (value !== null && value !== undefined) merged[field] = value;
  }
  return merged;
}

/** Normalises Anthropic usage: input includes cache reads and writes; `raw` keeps the original. */
export function normaliseAnthropicUsage(usage: AnthropicUsage): Usage {
  const uncached = count(usage.input_tokens);
  const cachedInputTokens = count(usage.cache_read_input_tokens);
  const cacheWriteInputTokens = count(usage.cache_creation_input_tokens);
  const inputTokens = uncached + cachedInputTokens + cacheWriteInputTokens;
  const outputTokens = count(usage.output_tokens);
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens,
    cacheWriteInputTokens,
    reasoningTokens: count(usage.output_tokens_details?.thinking_tokens),
    totalTokens: inputTokens + outputTokens,
    raw: usage,
  };
}

/** Maps Anthropic's `stop_reason` to the normalised finish reason. */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * Parses streamed tool arguments. A tool without arguments streams only `""`, which means `{}`;
 * anything that is not a JSON object is a malformed response.
 */
export function parseToolArguments(text: string, toolName: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${anthropicProvider} sent invalid JSON arguments for tool "${toolName}"`, {
      provider: anthropicProvider,
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${anthropicProvider} sent arguments for tool "${toolName}" that are not an object`, {
      provider: anthropicProvider,
    });
  }
  return parsed as Record<string, unknown>;
}

const streamErrorCodes: Record<string, { code: LlmErrorCodeValue; status: number; isRetryable: boolean }> = {
  overloaded_error: { code: LlmErrorCode.overloaded, status: 529, isRetryable: true },
  api_error: { code: LlmErrorCode.server, status: 500, isRetryable: true },
  rate_limit_error: { code: LlmErrorCode.rateLimited, status: 429, isRetryable: true },
  timeout_error: { code: LlmErrorCode.timeout, status: 504, isRetryable: true },
  invalid_request_error: { code: LlmErrorCode.badRequest, status: 400, isRetryable: false },
  authentication_error: { code: LlmErrorCode.authentication, status: 401, isRetryable: false },
  permission_error: { code: LlmErrorCode.permissionDenied, status: 403, isRetryable: false },
  not_found_error: { code: LlmErrorCode.notFound, status: 404, isRetryable: false },
  billing_error: { code: LlmErrorCode.quotaExceeded, status: 402, isRetryable: false },
};

/**
 * Turns an `event: error` body received after HTTP 200 into a typed error. Overloaded and other
 * transient types stay retryable, as the SDK treats their HTTP equivalents (529, 5xx, 429).
 */
export function anthropicStreamError(data: unknown, requestId?: string): LlmError {
  const error = (data as { error?: { type?: unknown; message?: unknown } } | undefined)?.error;
  const type = typeof error?.type === 'string' ? error.type : 'unknown_error';
  const message = typeof error?.message === 'string' ? error.message : 'no message';
  const mapping = streamErrorCodes[type] ?? { code: LlmErrorCode.server, status: undefined, isRetryable: true };
  return new LlmError(mapping.code, `${anthropicProvider} reported ${type} mid-stream: ${message}`, {
    provider: anthropicProvider,
    providerCode: type,
    status: mapping.status,
    isRetryable: mapping.isRetryable,
    requestId,
  });
}

/** The JSON of a non-streamed Anthropic message (only what is mapped). */
export interface AnthropicMessageResponse {
  id?: string;
  model?: string;
  content?: { type: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown }[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

/** Maps a whole non-streamed message to a response; unknown block types are ignored. */
export function anthropicMessageToResponse(message: AnthropicMessageResponse, requestModel: string, requestId?: string): LlmResponse {
  if (typeof message !== 'object' || message === null || !Array.isArray(message.content)) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${anthropicProvider} returned a message without a content array`, {
      provider: anthropicProvider,
      requestId,
    });
  }
  let content = '';
  let reasoning: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text' && typeof block.text === 'string') content += block.text;
    else if (block.type === 'thinking' && typeof block.thinking === 'string') reasoning = (reasoning ?? '') + block.thinking;
    else if (block.type === 'tool_use') {
      const input = block.input;
      if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
        throw new LlmError(LlmErrorCode.malformedResponse, `${anthropicProvider} returned tool input that is not an object`, {
          provider: anthropicProvider,
          requestId,
        });
      }
      toolCalls.push({ id: String(block.id ?? ''), name: String(block.name ?? ''), arguments: (input ?? {}) as Record<string, unknown> });
    }
  }
  const rawFinishReason = message.stop_reason ?? undefined;
  return {
    provider: anthropicProvider,
    model: message.model || requestModel,
    content,
    ...(reasoning === undefined ? {} : { reasoning }),
    toolCalls,
    finishReason: mapAnthropicStopReason(rawFinishReason),
    rawFinishReason,
    usage: normaliseAnthropicUsage(message.usage ?? {}),
    requestId,
  };
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
