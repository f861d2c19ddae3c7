/**
 * Reads Chat Completions answers: the non-streaming JSON body, the usage object, finish reasons,
 * tool-call argument strings, and error objects that arrive inside a 200 response.
 */
import { LlmError, LlmErrorCode, type LlmErrorCodeValue } from '../errors.js';
import { errorFromResponse } from '../http.js';
import { emptyUsage, type FinishReason, type LlmResponse, type ToolCall, type Usage } from '../types.js';

/**
 * Normalises a Chat Completions `usage` object. `prompt_tokens` already includes cached tokens and
 * `completion_tokens` normally includes reasoning tokens. Some compatible servers (xAI) report
 * reasoning *outside* `completion_tokens`; their `total_tokens` then equals prompt + completion +
 * reasoning, which is how we tell them apart and add the reasoning back in.
 */
export function chatUsage(raw: unknown): Usage {
  if (typeof raw !== 'object' || raw === null) return emptyUsage();
  const usage = raw as Record<string, unknown>;
  const promptDetails = record(usage.prompt_tokens_details);
  const completionDetails = record(usage.completion_tokens_details);
  const inputTokens = count(usage.prompt_tokens);
  const completionTokens = count(usage.completion_tokens);
  const reasoningTokens = count(completionDetails.reasoning_tokens);
  const reportedTotal = typeof usage.total_tokens === 'number' ? usage.total_tokens : undefined;
  const reasoningOutside =
    reasoningTokens > 0 && reportedTotal !== undefined && reportedTotal === inputTokens + completionTokens + reasoningTokens;
  const outputTokens = reasoningOutside ? completionTokens + reasoningTokens : completionTokens;
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: count(promptDetails.cached_tokens),
    cacheWriteInputTokens: 0,
    reasoningTokens,
    totalTokens: reportedTotal ?? inputTokens + outputTokens,
    raw,
  };
}

/** Maps a Chat Completions `finish_reason`; tool calls win over a plain `stop` (compatible servers send that). */
export function chatFinishReason(rawReason: string | undefined, hasToolCalls: boolean): FinishReason {
  switch (rawReason) {
    case 'stop':
      return hasToolCalls ? 'tool-calls' : 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case undefined:
      return hasToolCalls ? 'tool-calls' : 'other';
    default:
      return 'other';
  }
}

/** Parses a tool call's argument string: empty means `{}`; anything but a JSON object is malformed. */
export function parseToolArguments(provider: string, name: string, text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${provider} returned arguments for tool ${name} that are not valid JSON`, {
      provider,
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${provider} returned arguments for tool ${name} that are not a JSON object`, {
      provider,
    });
  }
  return value as Record<string, unknown>;
}

const statusForErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_exceeded: 429,
  rate_limit_error: 429,
  insufficient_quota: 429,
  overloaded_error: 529,
  server_error: 500,
  api_error: 500,
};

/**
 * Turns an `{"error":{…}}` object found inside a 200 response (mid-stream, or as a JSON body) into
 * the same typed error an HTTP status would have produced: Azure puts the status in `code` as a
 * string, OpenAI names a `type`/`code`; unknown errors count as retryable server errors.
 */
export function inBodyError(provider: string, payload: Record<string, unknown>, requestId?: string): LlmError {
  const error = record(payload.error);
  const numericCode = Number(error.code);
  const status =
    Number.isInteger(numericCode) && numericCode >= 400 && numericCode < 600
      ? numericCode
      : (statusForErrorType[String(error.code)] ?? statusForErrorType[String(error.type)] ?? 500);
  const typed = errorFromResponse(provider, status, {}, JSON.stringify(payload));
  const text = typeof payload.error === 'string' ? payload.error : error.message;
  const detail = typeof text === 'string' && text ? `: ${text}` : '';
  const provided = typed.providerCode ? ` (${typed.providerCode})` : '';
  return new LlmError(typed.code as LlmErrorCodeValue, `${provider} reported an error inside the response${provided}${detail}`, {
    provider,
    providerCode: typed.providerCode,
    isRetryable: typed.isRetryable,
    requestId,
  });
}

/** Maps a non-streaming `chat.completion` body to a response. */
export function chatCompletionResponse(provider: string, model: string, body: unknown, requestId?: string): LlmResponse {
  if (typeof body !== 'object' || body === null) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${provider} returned a body that is not a JSON object`, { provider });
  }
  const completion = body as Record<string, unknown>;
  if (completion.error) throw inBodyError(provider, completion, requestId);
  const choice = Array.isArray(completion.choices) ? record(completion.choices[0]) : undefined;
  if (!choice || typeof choice.message !== 'object' || choice.message === null) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${provider} returned a completion without a message`, { provider, requestId });
  }
  const message = choice.message as Record<string, unknown>;
  const toolCalls: ToolCall[] = (Array.isArray(message.tool_calls) ? message.tool_calls : []).map((entry, index) => {
    const call = record(entry);
    const fn = record(call.function);
    const name = typeof fn.name === 'string' ? fn.name : '';
    return {
      id: typeof call.id === 'string' && call.id ? call.id : `call_${index}`,
      name,
      arguments: parseToolArguments(provider, name, typeof fn.arguments === 'string' ? fn.arguments : ''),
    };
  });
  const reasoning = reasoningText(message);
  const rawFinishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
  const response: LlmResponse = {
    provider,
    // The model that served the call (a dated id behind an alias or an Azure deployment).
    model: typeof completion.model === 'string' && completion.model !== '' ? completion.model : model,
    // A refusal replaces the answer; the caller must see it rather than an empty string.
    content: typeof message.content === 'string' ? message.content : typeof message.refusal === 'string' ? message.refusal : '',
    toolCalls,
    finishReason: chatFinishReason(rawFinishReason, toolCalls.length > 0),
    rawFinishReason,
    usage: completion.usage ? chatUsage(completion.usage) : { ...emptyUsage(), source: 'missing' },
    requestId,
  };
  if (reasoning) response.reasoning = reasoning;
  return response;
}

/** Reasoning text of a message or delta: `reasoning_content` (xAI, DeepSeek) or `reasoning` (Ollama). */
export function reasoningText(message: Record<string, unknown>): string | undefined {
  if (typeof message.reasoning_content === 'string') return message.reasoning_content;
  if (typeof message.reasoning === 'string') return message.reasoning;
  return undefined;
}

/** The value as a record, or an empty record. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
