/**
 * HTTP plumbing shared by every adapter: one keep-alive undici pool per origin, request sending
 * with abort and timeouts, and the mapping of failed responses and transport faults to
 * {@link LlmError}s (including Retry-After in all its forms).
 */
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { LlmError, LlmErrorCode, type LlmErrorCodeValue } from './errors.js';
import type { RateLimitInfo } from './types.js';

/** Pool settings; applied to pools created after the call. */
export interface PoolSettings {
  /** Connections per origin. */
  connections: number;
  /** Milliseconds to wait for response headers. */
  headersTimeoutMs: number;
  /** Milliseconds a response body may stay silent before the call fails as stalled. */
  bodyTimeoutMs: number;
}

const poolSettings: PoolSettings = { connections: 16, headersTimeoutMs: 600_000, bodyTimeoutMs: 300_000 };
const pools = new Map<string, Pool>();

/** Changes the settings of pools created from now on (existing pools keep theirs). */
export function configurePools(settings: Partial<PoolSettings>): void {
  Object.assign(poolSettings, settings);
}

/** The shared keep-alive pool for an origin (`scheme://host:port`). */
export function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, {
      connections: poolSettings.connections,
      headersTimeout: poolSettings.headersTimeoutMs,
      bodyTimeout: poolSettings.bodyTimeoutMs,
      keepAliveTimeout: 30_000,
    });
    pools.set(origin, pool);
  }
  return pool;
}

/** Closes every pool (lets a CLI process or a test exit promptly). */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.close().catch(() => undefined)));
}

/** An HTTP request an adapter wants sent. */
export interface HttpRequest {
  provider: string;
  url: URL;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Values (API keys, tokens) scrubbed from any error this request throws: servers echo them. */
  secrets?: string[];
}

/** A response whose status was 2xx; its body is still unread. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * Sends a request through the origin's pool. A non-2xx status is read and thrown as an
 * {@link LlmError}; transport faults become retryable connection or timeout errors.
 */
export async function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  try {
    return await send(request);
  } catch (error) {
    throw request.secrets ? withoutSecrets(error, request.secrets) : error;
  }
}

async function send(request: HttpRequest): Promise<HttpResponse> {
  let response: Dispatcher.ResponseData;
  try {
    response = await poolFor(request.url.origin).request({
      path: request.url.pathname + request.url.search,
      method: request.method ?? 'POST',
      headers: request.headers,
      body: request.body,
      signal: request.signal,
    });
  } catch (error) {
    throw transportError(request.provider, error, request.signal);
  }
  const headers = flattenHeaders(response.headers);
  if (response.statusCode >= 200 && response.statusCode < 300) {
    return { status: response.statusCode, headers, body: response.body };
  }
  let text = '';
  try {
    text = await response.body.text();
  } catch {
    // The error status is what matters; an unreadable error body changes nothing.
  }
  throw errorFromResponse(request.provider, response.statusCode, headers, text);
}

/** Reads a whole 2xx body as JSON, failing with a typed error on garbage. */
export async function readJson(provider: string, response: HttpResponse, signal?: AbortSignal): Promise<unknown> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw transportError(provider, error, signal);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${provider} returned a body that is not JSON: ${preview(text)}`, {
      provider,
      cause: error,
    });
  }
}

/**
 * Iterates a 2xx body's chunks; a connection that drops or stalls mid-body becomes a retryable
 * {@link LlmError} (`LLM_ERR_STREAM_INTERRUPTED` or `LLM_ERR_TIMEOUT`).
 */
export function bodyChunks(provider: string, response: HttpResponse, signal?: AbortSignal): AsyncIterableIterator<Uint8Array> {
  // A plain iterator rather than an async generator: one promise hop less per network chunk.
  const body = response.body;
  const chunks = body[Symbol.asyncIterator]();
  let finished = false;
  const settle = (result: IteratorResult<unknown>): IteratorResult<Uint8Array> => {
    if (result.done) finished = true;
    return result as IteratorResult<Uint8Array>;
  };
  const fail = (error: unknown): never => {
    finished = true;
    throw transportError(provider, error, signal, true);
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => chunks.next().then(settle, fail),
    // The consumer stopped early (an SSE sentinel, an error, an unsubscribe).
    async return(): Promise<IteratorResult<Uint8Array>> {
      if (!finished) {
        finished = true;
        await stopReading(body, chunks);
      }
      return { done: true, value: undefined };
    },
  };
}

/**
 * Stops reading a body. One that has fully arrived is read to its end, which finishes it
 * quietly; returning from the middle of its iterator would destroy it with an AbortError (and
 * build that error's stack trace) on every call that stops at a sentinel such as `[DONE]`. A body
 * still arriving is destroyed, which aborts the request.
 */
async function stopReading(body: HttpResponse['body'], chunks: AsyncIterator<unknown>): Promise<void> {
  const state = (body as unknown as { _readableState?: { ended?: boolean } })._readableState;
  if (state?.ended === true && !body.destroyed) {
    try {
      while (!(await chunks.next()).done);
      return;
    } catch {
      // Whatever failed, the fallback below releases the body.
    }
  }
  await chunks.return?.();
}

/** Maps an undici/transport failure to a typed error. */
export function transportError(provider: string, error: unknown, signal?: AbortSignal, midStream = false): LlmError {
  if (error instanceof LlmError) return error;
  if (signal?.aborted || (error as Error)?.name === 'AbortError' || error instanceof undiciErrors.RequestAbortedError) {
    return new LlmError(LlmErrorCode.aborted, `${provider} call was cancelled`, { provider, cause: error });
  }
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new LlmError(LlmErrorCode.timeout, `${provider} stopped answering (${(error as Error).message})`, {
      provider,
      cause: error,
      isRetryable: true,
    });
  }
  const code: LlmErrorCodeValue = midStream ? LlmErrorCode.streamInterrupted : LlmErrorCode.connection;
  const what = midStream ? 'connection dropped mid-response' : 'could not be reached';
  return new LlmError(code, `${provider} ${what}: ${(error as Error)?.message ?? String(error)}`, {
    provider,
    cause: error,
    isRetryable: true,
  });
}

/** Flattens undici's header record (arrays joined with ", ", names lower-cased). */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * The delay a response asks for, in milliseconds: `retry-after-ms` first, then `retry-after` as
 * seconds or an HTTP date. Undefined when absent or unparseable.
 */
export function parseRetryAfter(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  const milliseconds = headers['retry-after-ms'];
  if (milliseconds !== undefined) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const retryAfter = headers['retry-after']?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number.parseFloat(retryAfter) * 1000);
  // Every HTTP-date form starts with a day name. Date.parse alone would read "-1" or "soon 1" as a
  // past date, i.e. "retry at once", where the right reading is "no hint".
  if (!httpDateStart.test(retryAfter)) return undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait a 429 implies through rate-limit reset headers, when it carries no Retry-After:
 * OpenAI's `x-ratelimit-reset-requests`/`-tokens` (Go durations such as `6m0s`, `1.5s`, `120ms`)
 * and Anthropic's `anthropic-ratelimit-*-reset` (RFC 3339 times). The limits whose `remaining` is
 * 0 decide (the longest of them); when none says so, the shortest reset is taken, and the retry
 * brings fresh headers.
 */
export function parseRateLimitReset(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  const exhausted: number[] = [];
  const all: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    let wait: number | undefined;
    let remainingName: string | undefined;
    const openai = /^x-ratelimit-reset-(.+)$/.exec(name);
    const anthropic = /^anthropic-ratelimit-(.+)-reset$/.exec(name);
    if (openai) {
      wait = parseGoDuration(value);
      remainingName = `x-ratelimit-remaining-${openai[1]}`;
    } else if (anthropic) {
      const at = /^\d{4}-\d{2}-\d{2}T/.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
      wait = Number.isNaN(at) ? undefined : Math.max(0, at - now);
      remainingName = `anthropic-ratelimit-${anthropic[1]}-remaining`;
    }
    if (wait === undefined) continue;
    all.push(wait);
    if (remainingName && headers[remainingName]?.trim() === '0') exhausted.push(wait);
  }
  if (exhausted.length > 0) return Math.max(...exhausted);
  return all.length > 0 ? Math.min(...all) : undefined;
}

/** Parses a Go duration (`1h2m3.5s`, `6m0s`, `120ms`) to milliseconds; undefined when it is not one. */
export function parseGoDuration(value: string): number | undefined {
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(text)) return undefined;
  const factors: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) total += Number.parseFloat(match[1]) * factors[match[2]];
  return Math.round(total);
}

/** IMF-fixdate, RFC 850 and asctime dates (RFC 9110 §5.6.7) all open with the day of the week. */
const httpDateStart = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/** Parses a protobuf-JSON duration such as `"34.4s"` (Gemini's RetryInfo) to milliseconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number.parseFloat(match[1]) * 1000) : undefined;
}

/** Reads OpenAI-style (`x-ratelimit-*`) and Anthropic-style (`anthropic-ratelimit-*`) headers. */
export function readRateLimit(headers: Record<string, string>): RateLimitInfo | undefined {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.includes('ratelimit')) picked[name] = value;
  }
  if (Object.keys(picked).length === 0) return undefined;
  const number = (...names: string[]): number | undefined => {
    for (const name of names) {
      const value = picked[name];
      if (value !== undefined && Number.isFinite(Number(value))) return Number(value);
    }
    return undefined;
  };
  return {
    limitRequests: number('x-ratelimit-limit-requests', 'anthropic-ratelimit-requests-limit'),
    remainingRequests: number('x-ratelimit-remaining-requests', 'anthropic-ratelimit-requests-remaining'),
    limitTokens: number('x-ratelimit-limit-tokens', 'anthropic-ratelimit-tokens-limit'),
    remainingTokens: number('x-ratelimit-remaining-tokens', 'anthropic-ratelimit-tokens-remaining'),
    headers: picked,
  };
}

/** The provider's error code, type and message, dug out of the common error body shapes. */
export interface ProviderErrorBody {
  providerCode?: string;
  message?: string;
  /** Gemini's `google.rpc.RetryInfo` delay, where present. */
  retryDelayMs?: number;
}

/** Reads `{error:{code,type,message}}` (OpenAI, Anthropic, Gemini), `{error:"…"}` (Ollama) and `{message}` (AWS). */
export function parseErrorBody(text: string): ProviderErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: text ? preview(text) : undefined };
  }
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string') return { message: error };
  if (typeof error === 'object' && error !== null) {
    const inner = error as Record<string, unknown>;
    const details = Array.isArray(inner.details) ? (inner.details as Record<string, unknown>[]) : [];
    const retryInfo = details.find((detail) => String(detail['@type'] ?? '').endsWith('google.rpc.RetryInfo'));
    const nestedCode = (inner.details as Record<string, unknown> | undefined)?.error_code;
    // Google bodies carry the HTTP number as `code` and the meaningful name (RESOURCE_EXHAUSTED) as `status`.
    const googleStatus = typeof inner.code === 'number' ? stringOrUndefined(inner.status) : undefined;
    return {
      providerCode:
        stringOrUndefined(nestedCode) ?? googleStatus ?? stringOrUndefined(inner.code) ?? stringOrUndefined(inner.status) ?? stringOrUndefined(inner.type),
      message: stringOrUndefined(inner.message),
      retryDelayMs: parseDuration(retryInfo?.retryDelay),
    };
  }
  return {
    providerCode: stringOrUndefined(record.__type) ?? stringOrUndefined(record.code),
    message: stringOrUndefined(record.message) ?? stringOrUndefined(record.Message),
  };
}

const nonRetryable429 = new Set(['insufficient_quota', 'enforced_spend_limit_reached', 'billing_hard_limit_reached']);

/** Builds the typed error for a non-2xx response. */
export function errorFromResponse(provider: string, status: number, headers: Record<string, string>, bodyText: string): LlmError {
  const body = parseErrorBody(bodyText);
  const providerCode = body.providerCode ?? headers['x-amzn-errortype']?.split(':')[0];
  const retryAfterMs = parseRetryAfter(headers) ?? body.retryDelayMs ?? (status === 429 ? parseRateLimitReset(headers) : undefined);
  const code = codeForStatus(status, providerCode, body.message);
  let isRetryable = [408, 409, 429, 500, 502, 503, 504, 529].includes(status);
  const shouldRetry = headers['x-should-retry'];
  if (shouldRetry === 'true') isRetryable = true;
  if (shouldRetry === 'false') isRetryable = false;
  // An exhausted quota or balance is not cured by waiting, whatever the server's retry hint says.
  if (code === LlmErrorCode.quotaExceeded) isRetryable = false;
  const detail = body.message ? `: ${body.message}` : '';
  return new LlmError(code, `${provider} answered HTTP ${status}${providerCode ? ` (${providerCode})` : ''}${detail}`, {
    provider,
    status,
    providerCode,
    retryAfterMs,
    isRetryable,
    rateLimit: readRateLimit(headers),
    requestId: headers['x-request-id'] ?? headers['request-id'] ?? headers['x-amzn-requestid'] ?? headers['apim-request-id'],
  });
}

function codeForStatus(status: number, providerCode: string | undefined, message: string | undefined): LlmErrorCodeValue {
  if (status === 429) {
    if (providerCode && nonRetryable429.has(providerCode)) return LlmErrorCode.quotaExceeded;
    return LlmErrorCode.rateLimited;
  }
  if (status === 402 || providerCode === 'billing_error') return LlmErrorCode.quotaExceeded;
  if (status === 529 || providerCode === 'overloaded_error') return LlmErrorCode.overloaded;
  if (status === 401) return LlmErrorCode.authentication;
  if (status === 403) return LlmErrorCode.permissionDenied;
  if (status === 404) return LlmErrorCode.notFound;
  if (status === 408 || status === 504) return LlmErrorCode.timeout;
  if (status === 400 || status === 413 || status === 422) {
    if (providerCode === 'context_length_exceeded' || /context (length|window)|too many tokens|prompt is too long/i.test(message ?? '')) {
      return LlmErrorCode.contextLength;
    }
    return LlmErrorCode.badRequest;
  }
  if (status === 503 && /overload/i.test(message ?? '')) return LlmErrorCode.overloaded;
  return LlmErrorCode.server;
}

function stringOrUndefined(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * The values of headers whose names say they carry a credential (`authorization`, `x-api-key`,
 * `cookie`, …), without a `Bearer`/`Basic` prefix: what to scrub from errors when the caller
 * supplies its own headers, e.g. for an authenticating proxy in front of a key-less local server.
 */
export function credentialHeaderValues(headers: Record<string, string> | undefined): string[] {
  return Object.entries(headers ?? {})
    .filter(([name, value]) => /authorization|key|token|secret|cookie/i.test(name) && value.length >= 4)
    .map(([, value]) => value.replace(/^(Bearer|Basic)\s+/i, ''));
}

/**
 * Scrubs secrets out of an error's message and stack. Servers sometimes echo the key they were
 * sent (a 401 "Incorrect API key provided: …"), and messages end up in logs and the audit store.
 */
export function withoutSecrets(error: unknown, secrets: string[]): unknown {
  if (!(error instanceof Error)) return error;
  error.message = scrubSecrets(error.message, secrets);
  if (error.stack) error.stack = scrubSecrets(error.stack, secrets);
  return error;
}

/** `text` with every secret (of at least 4 characters: shorter ones would mangle words) replaced. */
export function scrubSecrets(text: string, secrets: string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  return result;
}
