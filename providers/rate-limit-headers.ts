/**
 * Reads the rate-limit headers providers send with every response: OpenAI-style `x-ratelimit-*`
 * (resets as Go durations such as `6m0s` or `20ms`) and Anthropic's
 * `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * (resets as RFC 3339 timestamps). The layer's rate limiter learns the live limits from them.
 */
import type { RateLimitInfo } from './types.js';

/** Longest reset we believe: a day. A header claiming more is treated as no reset at all. */
const maxResetMs = 24 * 60 * 60 * 1000;
/** Header values longer than this are not parsed (hostile input is normal input). */
const maxHeaderValueLength = 64;

const timestampPattern = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Milliseconds until a reset: a Go duration (`6m0s`, `1.5s`, `20ms`), a bare number of seconds,
 * or an RFC 3339 timestamp (relative to `now`). Undefined for anything else or beyond a day.
 */
export function parseResetTime(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '' || text.length > maxHeaderValueLength) return undefined;
  let ms: number | undefined;
  if (timestampPattern.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) ms = Math.max(0, at - now);
  } else {
    ms = durationMs(text);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms > maxResetMs) return undefined;
  return Math.ceil(ms);
}

/**
 * Milliseconds of a Go duration (`6m0s`, `1.5s`, `20ms`, `3us`) or of a bare number of seconds;
 * undefined for anything else. Scanned by hand: it runs on every response, and the regular
 * expressions it replaced cost more than the rest of the header reading.
 */
function durationMs(text: string): number | undefined {
  const length = text.length;
  let total = 0;
  let index = 0;
  while (index < length) {
    const start = index;
    while (index < length && isDigit(text.charCodeAt(index))) index++;
    if (index === start) return undefined;
    if (index < length && text.charCodeAt(index) === 46) {
      const fraction = ++index;
      while (index < length && isDigit(text.charCodeAt(index))) index++;
      if (index === fraction) return undefined;
    }
    const value = Number(text.slice(start, index));
    // A bare number is seconds; a number without a unit after a unit is not a duration.
    if (index === length) return start === 0 ? value * 1000 : undefined;
    const unit = text[index];
    const next = text[index + 1];
    let scale: number | undefined;
    let unitLength = 1;
    switch (unit) {
      case 'h':
        scale = 3_600_000;
        break;
      case 's':
        scale = 1000;
        break;
      case 'm':
        if (next === 's') [scale, unitLength] = [1, 2];
        else scale = 60_000;
        break;
      case 'u':
      case 'µ':
        if (next === 's') [scale, unitLength] = [0.001, 2];
        break;
      case 'n':
        if (next === 's') [scale, unitLength] = [0.000001, 2];
        break;
      default:
        break;
    }
    if (scale === undefined) return undefined;
    index += unitLength;
    total += value * scale;
  }
  return total;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The fields of {@link RateLimitInfo} and the headers each is read from, first match wins. */
const countFields: ReadonlyArray<readonly [keyof RateLimitInfo, string, string?]> = [
  ['limitRequests', 'x-ratelimit-limit-requests', 'anthropic-ratelimit-requests-limit'],
  ['remainingRequests', 'x-ratelimit-remaining-requests', 'anthropic-ratelimit-requests-remaining'],
  ['limitTokens', 'x-ratelimit-limit-tokens', 'anthropic-ratelimit-tokens-limit'],
  ['remainingTokens', 'x-ratelimit-remaining-tokens', 'anthropic-ratelimit-tokens-remaining'],
  ['limitInputTokens', 'anthropic-ratelimit-input-tokens-limit'],
  ['remainingInputTokens', 'anthropic-ratelimit-input-tokens-remaining'],
  ['limitOutputTokens', 'anthropic-ratelimit-output-tokens-limit'],
  ['remainingOutputTokens', 'anthropic-ratelimit-output-tokens-remaining'],
];
const resetFields: ReadonlyArray<readonly [keyof RateLimitInfo, string, string?]> = [
  ['resetRequestsMs', 'x-ratelimit-reset-requests', 'anthropic-ratelimit-requests-reset'],
  ['resetTokensMs', 'x-ratelimit-reset-tokens', 'anthropic-ratelimit-tokens-reset'],
  ['resetInputTokensMs', 'anthropic-ratelimit-input-tokens-reset'],
  ['resetOutputTokensMs', 'anthropic-ratelimit-output-tokens-reset'],
];

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || value.length > maxHeaderValueLength || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

/**
 * Reads OpenAI-style (`x-ratelimit-*`) and Anthropic-style (`anthropic-ratelimit-*`) headers.
 * Every response carries them, so this runs once per call: one pass over the names, then lookups.
 */
export function readRateLimit(headers: Record<string, string>, now: number = Date.now()): RateLimitInfo | undefined {
  let picked: Record<string, string> | undefined;
  for (const name in headers) {
    if (name.includes('ratelimit')) (picked ??= {})[name] = headers[name];
  }
  if (!picked) return undefined;
  const info: RateLimitInfo = { headers: picked };
  const fields = info as unknown as Record<string, unknown>;
  for (const [field, first, second] of countFields) {
    const value = parseCount(picked[first]) ?? (second === undefined ? undefined : parseCount(picked[second]));
    if (value !== undefined) fields[field] = value;
  }
  for (const [field, first, second] of resetFields) {
    const value = parseResetTime(picked[first], now) ?? (second === undefined ? undefined : parseResetTime(picked[second], now));
    if (value !== undefined) fields[field] = value;
  }
  return info;
}
