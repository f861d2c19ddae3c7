/**
 * The parts of Bedrock's answers shared by Converse and ConverseStream: stop-reason and usage
 * normalisation, exception-name → typed error mapping, and the non-streaming response mapping.
 */
import { LlmError, LlmErrorCode, type LlmErrorCodeValue } from '../errors.js';
import { emptyUsage, type FinishReason, type LlmResponse, type ToolCall, type Usage } from '../types.js';

const provider = 'bedrock';

/** Normalises a Converse `stopReason`. */
export function mapStopReason(raw: string | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content-filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      return 'error';
    default:
      return 'other';
  }
}

/**
 * Normalises Converse `usage`: Bedrock's `inputTokens` *excludes* cache reads and writes, so they
 * are added back (both the current and the legacy `…Count` field names are read).
 */
export function normaliseUsage(raw: unknown): Usage {
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const count = (...names: string[]): number => {
    for (const name of names) {
      const value = record[name];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
    }
    return 0;
  };
  const cachedInputTokens = count('cacheReadInputTokens', 'cacheReadInputTokenCount');
  const cacheWriteInputTokens = count('cacheWriteInputTokens', 'cacheWriteInputTokenCount');
  const inputTokens = count('inputTokens') + cachedInputTokens + cacheWriteInputTokens;
  const outputTokens = count('outputTokens');
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens,
    cacheWriteInputTokens,
    reasoningTokens: 0,
    totalTokens: inputTokens + outputTokens,
    raw,
  };
}

/** How each Bedrock exception maps to our codes (keys lower-cased; names from the AWS SDK). */
const exceptionCodes: Record<string, { code: LlmErrorCodeValue; isRetryable: boolean; status: number }> = {
  throttlingexception: { code: LlmErrorCode.rateLimited, isRetryable: true, status: 429 },
  modelnotreadyexception: { code: LlmErrorCode.overloaded, isRetryable: true, status: 429 },
  servicequotaexceededexception: { code: LlmErrorCode.quotaExceeded, isRetryable: false, status: 400 },
  modelstreamerrorexception: { code: LlmErrorCode.server, isRetryable: true, status: 424 },
  modelerrorexception: { code: LlmErrorCode.server, isRetryable: false, status: 424 },
  internalserverexception: { code: LlmErrorCode.server, isRetryable: true, status: 500 },
  serviceunavailableexception: { code: LlmErrorCode.server, isRetryable: true, status: 503 },
  modeltimeoutexception: { code: LlmErrorCode.timeout, isRetryable: true, status: 408 },
  validationexception: { code: LlmErrorCode.badRequest, isRetryable: false, status: 400 },
  conflictexception: { code: LlmErrorCode.badRequest, isRetryable: false, status: 400 },
  accessdeniedexception: { code: LlmErrorCode.permissionDenied, isRetryable: false, status: 403 },
  resourcenotfoundexception: { code: LlmErrorCode.notFound, isRetryable: false, status: 404 },
  unrecognizedclientexception: { code: LlmErrorCode.authentication, isRetryable: false, status: 403 },
  invalidsignatureexception: { code: LlmErrorCode.authentication, isRetryable: false, status: 403 },
  signaturedoesnotmatch: { code: LlmErrorCode.authentication, isRetryable: false, status: 403 },
  expiredtokenexception: { code: LlmErrorCode.authentication, isRetryable: false, status: 403 },
  incompletesignature: { code: LlmErrorCode.authentication, isRetryable: false, status: 400 },
};

/** `ThrottlingException:http://…` or `com.amazon…#ThrottlingException` → `ThrottlingException`. */
export function exceptionName(raw: string): string {
  const withoutNamespace = raw.includes('#') ? raw.slice(raw.lastIndexOf('#') + 1) : raw;
  return withoutNamespace.split(':')[0].trim();
}

/** The mapping of a known exception name, or undefined. */
export function exceptionMapping(name: string): { code: LlmErrorCodeValue; isRetryable: boolean; status: number } | undefined {
  return exceptionCodes[exceptionName(name).toLowerCase()];
}

/**
 * The code of a Bedrock exception with its message: a bad request that says the input is too long
 * ("Input is too long for requested model.") is a context-length error.
 */
export function exceptionCode(mappedCode: LlmErrorCodeValue, message: string): LlmErrorCodeValue {
  return mappedCode === LlmErrorCode.badRequest && /too long|too many tokens|context (length|window)/i.test(message)
    ? LlmErrorCode.contextLength
    : mappedCode;
}

/** The typed error for an in-stream exception frame (`:message-type: exception`). */
export function streamExceptionError(exceptionType: string, payload: unknown): LlmError {
  const record = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const message = typeof record.message === 'string' ? record.message : typeof record.Message === 'string' ? record.Message : '';
  const mapping = exceptionMapping(exceptionType) ?? { code: LlmErrorCode.server, isRetryable: false, status: undefined };
  const code = exceptionCode(mapping.code, message);
  return new LlmError(code, `bedrock stream failed with ${exceptionType}${message ? `: ${message}` : ''}`, {
    provider,
    providerCode: exceptionType,
    isRetryable: mapping.isRetryable,
    status: typeof record.originalStatusCode === 'number' ? record.originalStatusCode : mapping.status,
  });
}

/** Parses streamed tool arguments: empty → `{}`; anything but a JSON object is malformed. */
export function parseToolArguments(text: string, toolName: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LlmError(LlmErrorCode.malformedResponse, `bedrock sent tool "${toolName}" arguments that are not JSON`, { provider, cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LlmError(LlmErrorCode.malformedResponse, `bedrock sent tool "${toolName}" arguments that are not an object`, { provider });
  }
  return value as Record<string, unknown>;
}

/** Maps a Converse (non-streaming) JSON response. */
export function mapConverseResponse(json: unknown, model: string, requestId: string | undefined): LlmResponse {
  const record = (typeof json === 'object' && json !== null ? json : {}) as Record<string, any>;
  const content = record.output?.message?.content;
  if (!Array.isArray(content)) {
    throw new LlmError(LlmErrorCode.malformedResponse, 'bedrock Converse response has no output.message.content', { provider, requestId });
  }
  let text = '';
  let reasoning: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of content as Record<string, any>[]) {
    if (typeof block?.text === 'string') text += block.text;
    else if (block?.toolUse) {
      const toolUse = block.toolUse as { toolUseId?: unknown; name?: unknown; input?: unknown };
      const name = String(toolUse.name ?? '');
      const input = typeof toolUse.input === 'string' ? parseToolArguments(toolUse.input, name) : (toolUse.input ?? {});
      if (typeof input !== 'object' || Array.isArray(input)) {
        throw new LlmError(LlmErrorCode.malformedResponse, `bedrock sent tool "${name}" input that is not an object`, { provider, requestId });
      }
      toolCalls.push({ id: String(toolUse.toolUseId ?? ''), name, arguments: input as Record<string, unknown> });
    } else if (typeof block?.reasoningContent?.reasoningText?.text === 'string') {
      reasoning = (reasoning ?? '') + block.reasoningContent.reasoningText.text;
    }
  }
  const rawFinishReason = typeof record.stopReason === 'string' ? record.stopReason : undefined;
  return {
    provider,
    model,
    content: text,
    ...(reasoning !== undefined ? { reasoning } : {}),
    toolCalls,
    finishReason: mapStopReason(rawFinishReason),
    rawFinishReason,
    usage: record.usage === undefined ? { ...emptyUsage(), source: 'missing' } : normaliseUsage(record.usage),
    requestId,
  };
}
