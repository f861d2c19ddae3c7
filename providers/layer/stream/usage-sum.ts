/**
 * Usage over the attempts of one recovered call: each attempt was billed, so the call's one
 * `usage` event carries the sum.
 */
import type { Usage } from '../../types.js';

/**
 * `left + right`, count by count. The raw provider objects are kept side by side
 * (`raw: {summedUsage: true, attempts: [...]}`, one per attempt that reported usage). The source
 * is the weaker of the two: an attempt without a provider count makes the sum a placeholder
 * (`missing`) or an estimate, never a reported figure.
 */
export function addUsage(left: Usage, right: Usage): Usage {
  const sum: Usage = {
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    cachedInputTokens: left.cachedInputTokens + right.cachedInputTokens,
    cacheWriteInputTokens: left.cacheWriteInputTokens + right.cacheWriteInputTokens,
    reasoningTokens: left.reasoningTokens + right.reasoningTokens,
    totalTokens: left.totalTokens + right.totalTokens,
    raw: { summedUsage: true, attempts: [...attemptsOf(left.raw), ...attemptsOf(right.raw)] },
  };
  const source = weakerSource(left.source, right.source);
  if (source !== undefined) sum.source = source;
  return sum;
}

const strength = { provider: 2, estimated: 1, missing: 0 } as const;

function weakerSource(left: Usage['source'], right: Usage['source']): Usage['source'] {
  const l = strength[left ?? 'provider'];
  const r = strength[right ?? 'provider'];
  const weaker = l <= r ? left : right;
  return weaker === 'provider' ? left ?? right : weaker;
}

/** The per-attempt raw usages inside a raw value (itself, unless it is already a sum). */
function attemptsOf(raw: unknown): unknown[] {
  const summed = raw as { summedUsage?: unknown; attempts?: unknown } | undefined;
  if (summed?.summedUsage === true && Array.isArray(summed.attempts)) return summed.attempts;
  return [raw];
}
