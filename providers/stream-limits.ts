/**
 * Bounds on what a provider may send back. Hostile or broken upstreams are normal input: an
 * endless SSE line, an endless run of deltas, a 20 MB error body or a stream of nothing but
 * keep-alive comments must each end in a typed error, with memory bounded, without any
 * configuration. The defaults are far above what any real model sends.
 */
import { LlmError, LlmErrorCode } from './errors.js';

/** The limits one call runs under (`CallOptions.limits`); every field has a default. */
export interface StreamLimits {
  /** Longest SSE or NDJSON line, and longest SSE event data, in bytes. */
  maxLineBytes?: number;
  /** Largest AWS event-stream frame, in bytes. */
  maxFrameBytes?: number;
  /** Largest answer (text, reasoning and tool-call arguments together), in characters. */
  maxResponseChars?: number;
  /** How much of an error response body is read, in bytes. */
  maxErrorBodyBytes?: number;
  /** Largest non-streamed (JSON) response body, in bytes. */
  maxBodyBytes?: number;
  /** Longest an error message quotes from a provider, in characters. */
  maxErrorMessageChars?: number;
  /**
   * Milliseconds a stream may go without producing an event (a delta, a tool call, usage, the
   * finish). Keep-alive comments and pings do not count: a server that only pings is stalled.
   * Time the consumer spends not pulling (backpressure) does not count either.
   */
  idleMs?: number;
}

/** {@link StreamLimits} with every field set. */
export type ResolvedStreamLimits = Required<StreamLimits>;

/**
 * The defaults. A line of 1 MiB is ~250k tokens of JSON-escaped text in one delta; 4 million
 * characters is ten times the longest answer any current model can give; 45 s of silence is a
 * dead stream for a server that pings (Anthropic every ~15 s), and keeps the "ends within a
 * minute" promise for an endless keep-alive stream. Models that think silently for longer than
 * that need a larger `idle_ms` (see docs/streams.md).
 */
export const defaultStreamLimits: Readonly<ResolvedStreamLimits> = Object.freeze({
  maxLineBytes: 1024 * 1024,
  maxFrameBytes: 16 * 1024 * 1024 + 128 * 1024 + 16,
  maxResponseChars: 4_000_000,
  maxErrorBodyBytes: 64 * 1024,
  maxBodyBytes: 64 * 1024 * 1024,
  maxErrorMessageChars: 2048,
  idleMs: 45_000,
});

/** `limits` over the defaults; a missing, non-finite or non-positive value takes its default. */
export function resolveStreamLimits(limits: StreamLimits | undefined): ResolvedStreamLimits {
  if (!limits) return defaultStreamLimits;
  const resolved = { ...defaultStreamLimits };
  for (const key of Object.keys(resolved) as (keyof ResolvedStreamLimits)[]) {
    const value = limits[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) resolved[key] = Math.floor(value);
  }
  return resolved;
}

/** The typed error of a response over one of its limits (not retryable: the same call would do it again). */
export function responseTooLarge(provider: string, what: string, limit: number, unit: string): LlmError {
  return new LlmError(LlmErrorCode.responseTooLarge, `${provider} sent ${what} over the limit of ${limit} ${unit}`, { provider });
}

/** `text` cut to `maxChars` characters, marked when cut (error messages quote providers). */
export function boundedText(text: string, maxChars: number = defaultStreamLimits.maxErrorMessageChars): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)`;
}
