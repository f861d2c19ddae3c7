/**
 * Gemini response vocabulary: usage normalisation (thoughts are reported outside
 * `candidatesTokenCount`), finish reasons (a function call ends with plain `STOP`), in-stream
 * error bodies, and Vertex-style streamed function-call arguments (`partialArgs`).
 */
import { LlmError, LlmErrorCode, type LlmErrorCodeValue } from '../errors.js';
import { errorFromResponse } from '../http.js';
import type { FinishReason, Usage } from '../types.js';

/** The provider id every Gemini event and error carries. */
export const geminiProvider = 'gemini';

/** Gemini's `usageMetadata` (every field optional). */
export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  [field: string]: unknown;
}

/**
 * Normalises Gemini usage: output includes thoughts (reported separately), input includes
 * tool-use prompt tokens (billed as input); `raw` keeps the provider's object.
 */
export function normaliseGeminiUsage(usage: GeminiUsageMetadata): Usage {
  const inputTokens = count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount);
  const reasoningTokens = count(usage.thoughtsTokenCount);
  const outputTokens = count(usage.candidatesTokenCount) + reasoningTokens;
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: count(usage.cachedContentTokenCount),
    cacheWriteInputTokens: 0,
    reasoningTokens,
    totalTokens: typeof usage.totalTokenCount === 'number' ? usage.totalTokenCount : inputTokens + outputTokens,
    raw: usage,
  };
}

const contentFilterReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);
const toolErrorReasons = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

/** Maps `finishReason`; `STOP` after function calls means `tool-calls` (Gemini has no own value). */
export function mapGeminiFinishReason(reason: string | undefined, sawToolCalls: boolean): FinishReason {
  if (reason === 'STOP') return sawToolCalls ? 'tool-calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && contentFilterReasons.has(reason)) return 'content-filter';
  if (reason && toolErrorReasons.has(reason)) return 'error';
  return 'other';
}

/**
 * Turns an `{"error":{code,message,status,details}}` chunk received after HTTP 200 into the same
 * typed error its HTTP form would give (status code, retryability, RetryInfo delay).
 */
export function geminiStreamError(chunk: { error?: unknown }): LlmError {
  const error = chunk.error as { code?: unknown } | string | undefined;
  const status = typeof error === 'object' && typeof error?.code === 'number' ? error.code : 500;
  const base = errorFromResponse(geminiProvider, status, {}, JSON.stringify(chunk));
  const detail = base.message.replace(/^gemini answered HTTP \d+/, '');
  return new LlmError(base.code as LlmErrorCodeValue, `gemini reported an error mid-stream${detail}`, {
    provider: geminiProvider,
    status: base.status,
    providerCode: base.providerCode,
    retryAfterMs: base.retryAfterMs,
    isRetryable: base.isRetryable,
  });
}

/** One Vertex `partialArgs` fragment. */
export interface GeminiPartialArgument {
  jsonPath?: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: unknown;
  willContinue?: boolean;
}

/**
 * Applies a streamed argument fragment: string fragments for one path concatenate (a value can
 * arrive over several chunks); other scalars are set.
 */
export function applyPartialArgument(target: Record<string, unknown>, fragment: GeminiPartialArgument): void {
  const path = parseJsonPath(fragment.jsonPath ?? '');
  if (path.length === 0) {
    throw new LlmError(LlmErrorCode.malformedResponse, `gemini sent a streamed argument without a usable jsonPath`, { provider: geminiProvider });
  }
  let value: unknown;
  let append = false;
  if (typeof fragment.stringValue === 'string') {
    value = fragment.stringValue;
    append = true;
  } else if (typeof fragment.numberValue === 'number') value = fragment.numberValue;
  else if (typeof fragment.boolValue === 'boolean') value = fragment.boolValue;
  else if ('nullValue' in fragment) value = null;
  else return;
  let container: Record<string, unknown> | unknown[] = target;
  for (let index = 0; index < path.length - 1; index++) {
    const key = path[index];
    const nextIsIndex = typeof path[index + 1] === 'number';
    const current = (container as Record<string | number, unknown>)[key];
    if (typeof current !== 'object' || current === null) (container as Record<string | number, unknown>)[key] = nextIsIndex ? [] : {};
    container = (container as Record<string | number, unknown>)[key] as Record<string, unknown> | unknown[];
  }
  const last = path[path.length - 1];
  const existing = (container as Record<string | number, unknown>)[last];
  (container as Record<string | number, unknown>)[last] = append && typeof existing === 'string' ? existing + (value as string) : value;
}

const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses `$.a.b[0]['c d']` into `['a', 'b', 0, 'c d']`. */
function parseJsonPath(path: string): (string | number)[] {
  if (!path.startsWith('$')) return [];
  const segments: (string | number)[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let position = 1;
  while (position < path.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(path);
    if (!match) return [];
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else {
      const key = match[1] ?? match[3] ?? match[4];
      // Model output must never reach Object.prototype.
      if (unsafeKeys.has(key)) return [];
      segments.push(key);
    }
    position = pattern.lastIndex;
  }
  return segments;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
