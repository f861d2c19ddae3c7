/**
 * HTTP plumbing shared by every adapter: one keep-alive undici pool per origin, request sending
 * with abort and timeouts, and the mapping of failed responses and transport faults to
 * {@link LlmError}s (including Retry-After in all its forms).
 */
import { Pool, errors as undiciErrors } from 'undici';
import { LlmError, LlmErrorCode, type LlmErrorCodeValue } from './errors.js';
import { readRateLimit } from './rate-limit-headers.js';
import { boundedText, defaultStreamLimits, resolveStreamLimits, type StreamLimits } from './stream-limits.js';
import { scrubSecrets } from './secret-scrub.js';
import { readBounded } from './http-body.js';
import { dispatchRequest, type DispatchedResponse, type ResponseBody } from './response-body.js';

// Body reading lives in http-body.ts; adapters import it from here as before.
export { bodyChunks, readBounded, readJson } from './http-body.js';

/** Pool settings; applied to pools created after the call. */
export interface PoolSettings {
  /** Connections per origin. */
  connections: number;
  /** Milliseconds to wait for response headers. */
  headersTimeoutMs: number;
  /** Milliseconds a response body may stay silent before the call fails as stalled. */
  bodyTimeoutMs: number;
}

/**
 * HTTP/1.1 carries one streamed answer per connection at a time, so the pool must hold as many
 * connections as calls run at once: 1,024 lets 1,000 concurrent streams to one provider run
 * without queueing behind each other (connections are opened lazily and closed when idle).
 */
const poolSettings: PoolSettings = { connections: 1024, headersTimeoutMs: 600_000, bodyTimeoutMs: 300_000 };
const pools = new Map<string, Pool>();
const socketHighWaterMark = 16 * 1024;

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
      // What a socket reads ahead of a paused response: 16 KiB, as undici already uses for TLS
      // (its plain-TCP default is 64 KiB), so a thousand slow streams do not hold 64 MiB of it.
      connect: { highWaterMark: socketHighWaterMark } as Pool.Options['connect'],
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
  /** Bounds on the error body read (`maxErrorBodyBytes`) and on quoted messages; defaults apply. */
  limits?: StreamLimits;
}

/** A response whose status was 2xx; its body is still unread. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: ResponseBody;
}

/**
 * One provider request as debug logs see it: never headers, bodies or the query string, which
 * carry credentials (Gemini's `?key=`) and prompts.
 */
export interface HttpExchange {
  provider: string;
  method: string;
  /** Origin and path only. */
  url: string;
  /** The response status, when one arrived. */
  status?: number;
  /** Until the response headers (a streamed body is read later). */
  durationMs: number;
  /** The error code, when the request failed. */
  error?: string;
}

let exchangeObserver: ((exchange: HttpExchange) => void) | undefined;

/**
 * Installs an observer told about every provider request once its response headers arrive or it
 * fails (the CLI logs them at `--log-level debug`); `undefined` removes it. What it throws is ignored.
 */
export function observeHttpExchanges(observer: ((exchange: HttpExchange) => void) | undefined): void {
  exchangeObserver = observer;
}

function tellObserver(request: HttpRequest, startedAt: number, outcome: { status?: number; error?: string }): void {
  try {
    exchangeObserver?.({
      provider: request.provider,
      method: request.method ?? 'POST',
      url: `${request.url.origin}${request.url.pathname}`,
      durationMs: Math.round(performance.now() - startedAt),
      ...outcome,
    });
  } catch {
    // A debug aid must never fail a request.
  }
}

/**
 * Sends a request through the origin's pool. A non-2xx status is read and thrown as an
 * {@link LlmError}; transport faults become retryable connection or timeout errors.
 */
export async function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  const startedAt = performance.now();
  let response: DispatchedResponse;
  try {
    response = await dispatchRequest(
      poolFor(request.url.origin),
      { path: request.url.pathname + request.url.search, method: request.method ?? 'POST', headers: request.headers, body: request.body },
      request.signal,
    );
  } catch (error) {
    throw failed(request, startedAt, transportError(request.provider, error, request.signal));
  }
  const headers = flattenHeaders(response.headers);
  if (response.statusCode >= 200 && response.statusCode < 300) {
    if (exchangeObserver) tellObserver(request, startedAt, { status: response.statusCode });
    return { status: response.statusCode, headers, body: response.body };
  }
  throw failed(request, startedAt, await errorResponse(request, response, headers));
}

/** The error a request ends in, scrubbed of its secrets and told to the exchange observer. */
function failed(request: HttpRequest, startedAt: number, error: unknown): unknown {
  const scrubbed = request.secrets ? withoutSecrets(error, request.secrets) : error;
  if (exchangeObserver) tellObserver(request, startedAt, { status: (scrubbed as { status?: number }).status, error: (scrubbed as { code?: string }).code });
  return scrubbed;
}

/** Reads the head of a non-2xx response's body and maps it to a typed error. */
async function errorResponse(request: HttpRequest, response: DispatchedResponse, headers: Record<string, string>): Promise<LlmError> {
  const limits = resolveStreamLimits(request.limits);
  let text = '';
  try {
    // Only the head of an error body is read: a 20 MB error page must not cost 20 MB or the
    // time to download it, and the message that matters is at its start.
    text = (await readBounded(response.body, limits.maxErrorBodyBytes)).text;
  } catch {
    // The error status is what matters; an unreadable error body changes nothing.
  }
  return errorFromResponse(request.provider, response.statusCode, headers, text, limits.maxErrorMessageChars);
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
  // Once per response: no entry arrays, and no new name when it is lower-case already (undici's are).
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    flat[isLowerCase(name) ? name : name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function isLowerCase(name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    if (code >= 65 && code <= 90) return false;
  }
  return true;
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

export { readRateLimit, parseResetTime } from './rate-limit-headers.js';

/** The provider's error code, type and message, dug out of the common error body shapes. */
export interface ProviderErrorBody {
  providerCode?: string;
  message?: string;
  /** Gemini's `google.rpc.RetryInfo` delay, where present. */
  retryDelayMs?: number;
  /** Google's `google.rpc.ErrorInfo` reason (`API_KEY_INVALID`, …). */
  reason?: string;
  /** Google's `google.rpc.QuotaFailure` quota ids (`GenerateRequestsPerDayPerProjectPerModel-FreeTier`, …). */
  quotaIds?: string[];
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
    const errorInfo = details.find((detail) => String(detail['@type'] ?? '').endsWith('google.rpc.ErrorInfo'));
    const quotaFailure = details.find((detail) => String(detail['@type'] ?? '').endsWith('google.rpc.QuotaFailure'));
    const violations = Array.isArray(quotaFailure?.violations) ? (quotaFailure.violations as Record<string, unknown>[]).slice(0, 20) : [];
    const quotaIds = violations.map((violation) => stringOrUndefined(violation.quotaId)).filter((id): id is string => id !== undefined);
    return {
      providerCode:
        stringOrUndefined(nestedCode) ?? googleStatus ?? stringOrUndefined(inner.code) ?? stringOrUndefined(inner.status) ?? stringOrUndefined(inner.type),
      message: stringOrUndefined(inner.message),
      retryDelayMs: parseDuration(retryInfo?.retryDelay),
      ...(errorInfo ? { reason: stringOrUndefined(errorInfo.reason) } : {}),
      ...(quotaIds.length > 0 ? { quotaIds } : {}),
    };
  }
  return {
    providerCode: stringOrUndefined(record.__type) ?? stringOrUndefined(record.code),
    message: stringOrUndefined(record.message) ?? stringOrUndefined(record.Message),
  };
}

const nonRetryable429 = new Set(['insufficient_quota', 'enforced_spend_limit_reached', 'billing_hard_limit_reached']);

/**
 * Builds the typed error for a non-2xx response. The provider's message is quoted up to
 * `maxMessageChars` (default 2,048): error messages end up in logs, outputs and audit rows.
 */
export function errorFromResponse(
  provider: string,
  status: number,
  headers: Record<string, string>,
  bodyText: string,
  maxMessageChars: number = defaultStreamLimits.maxErrorMessageChars,
): LlmError {
  const body = parseErrorBody(bodyText);
  const providerCode = body.providerCode ?? headers['x-amzn-errortype']?.split(':')[0];
  const retryAfterMs = parseRetryAfter(headers) ?? body.retryDelayMs ?? (status === 429 ? parseRateLimitReset(headers) : undefined);
  const code = codeForStatus(status, providerCode, body);
  let isRetryable = [408, 409, 429, 500, 502, 503, 504, 529].includes(status);
  const shouldRetry = headers['x-should-retry'];
  if (shouldRetry === 'true') isRetryable = true;
  if (shouldRetry === 'false') isRetryable = false;
  // An exhausted quota or balance is not cured by waiting, whatever the server's retry hint says.
  if (code === LlmErrorCode.quotaExceeded) isRetryable = false;
  const detail = body.message ? `: ${boundedText(body.message, maxMessageChars)}` : '';
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

function codeForStatus(status: number, providerCode: string | undefined, body: ProviderErrorBody): LlmErrorCodeValue {
  const message = body.message;
  // Google answers a bad key with 400 INVALID_ARGUMENT; only ErrorInfo's reason says what it is.
  if (body.reason === 'API_KEY_INVALID' || (status === 400 && /API key not valid/i.test(message ?? ''))) return LlmErrorCode.authentication;
  if (status === 429) {
    if (providerCode && nonRetryable429.has(providerCode)) return LlmErrorCode.quotaExceeded;
    // A per-day quota (QuotaFailure `…PerDay…`) is not cured by a retry within the day.
    if (body.quotaIds?.some((id) => /PerDay/i.test(id))) return LlmErrorCode.quotaExceeded;
    return LlmErrorCode.rateLimited;
  }
  if (status === 402 || providerCode === 'billing_error') return LlmErrorCode.quotaExceeded;
  if (status === 529 || providerCode === 'overloaded_error') return LlmErrorCode.overloaded;
  if (status === 401) return LlmErrorCode.authentication;
  if (status === 403) return LlmErrorCode.permissionDenied;
  if (status === 404) return LlmErrorCode.notFound;
  if (status === 408 || status === 504) return LlmErrorCode.timeout;
  if (status === 400 || status === 413 || status === 422) {
    if (providerCode === 'context_length_exceeded' || /context (length|window)|too many tokens|prompt is too long|input token count.*exceeds/i.test(message ?? '')) {
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

/** `text` with every secret replaced; see {@link scrubSecrets} in `secret-scrub.ts`. */
export { scrubSecrets } from './secret-scrub.js';
