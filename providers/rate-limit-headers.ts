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

const durationUnits: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/**
 * Milliseconds until a reset: a Go duration (`6m0s`, `1.5s`, `20ms`), a bare number of seconds,
 * or an RFC 3339 timestamp (relative to `now`). Undefined for anything else or beyond a day.
 */
export function parseResetTime(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '' || text.length > maxHeaderValueLength) return undefined;
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else if (/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) {
    ms = 0;
    for (const match of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(match[1]) * durationUnits[match[2]];
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) ms = Math.max(0, at - now);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms > maxResetMs) return undefined;
  return Math.ceil(ms);
}

/** Reads OpenAI-style (`x-ratelimit-*`) and Anthropic-style (`anthropic-ratelimit-*`) headers. */
export function readRateLimit(headers: Record<string, string>, now: number = Date.now()): RateLimitInfo | undefined {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.includes('ratelimit')) picked[name] = value;
  }
  if (Object.keys(picked).length === 0) return undefined;
  const count = (...names: string[]): number | undefined => {
    for (const name of names) {
      const value = picked[name];
      if (value === undefined || value.length > maxHeaderValueLength || value.trim() === '') continue;
      const parsed = Number(value);
      if (Number.isFinite(parsed) && parsed >= 0) return parsed;
    }
    return undefined;
  };
  const reset = (...names: string[]): number | undefined => {
    for (const name of names) {
      const parsed = parseResetTime(picked[name], now);
      if (parsed !== undefined) return parsed;
    }
    return undefined;
  };
  const info: RateLimitInfo = {
    limitRequests: count('x-ratelimit-limit-requests', 'anthropic-ratelimit-requests-limit'),
    remainingRequests: count('x-ratelimit-remaining-requests', 'anthropic-ratelimit-requests-remaining'),
    resetRequestsMs: reset('x-ratelimit-reset-requests', 'anthropic-ratelimit-requests-reset'),
    limitTokens: count('x-ratelimit-limit-tokens', 'anthropic-ratelimit-tokens-limit'),
    remainingTokens: count('x-ratelimit-remaining-tokens', 'anthropic-ratelimit-tokens-remaining'),
    resetTokensMs: reset('x-ratelimit-reset-tokens', 'anthropic-ratelimit-tokens-reset'),
    limitInputTokens: count('anthropic-ratelimit-input-tokens-limit'),
    remainingInputTokens: count('anthropic-ratelimit-input-tokens-remaining'),
    resetInputTokensMs: reset('anthropic-ratelimit-input-tokens-reset'),
    limitOutputTokens: count('anthropic-ratelimit-output-tokens-limit'),
    remainingOutputTokens: count('anthropic-ratelimit-output-tokens-remaining'),
    resetOutputTokensMs: reset('anthropic-ratelimit-output-tokens-reset'),
    headers: picked,
  };
  for (const key of Object.keys(info) as (keyof RateLimitInfo)[]) if (info[key] === undefined) delete info[key];
  return info;
}
