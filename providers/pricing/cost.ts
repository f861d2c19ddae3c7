/**
 * A call's cost, in integer micro-dollars. Rates are micro-dollars per million tokens, so
 * `tokens × rate` is an exact integer in pico-dollars; the sum over all token classes is rounded
 * **once per call**, half up, to micro-dollars. No floating-point money anywhere.
 */
import type { Usage } from '../types.js';
import type { ModelPrice, PriceRates } from './types.js';

const picosPerMicro = 1_000_000;

/** The rates that apply to a call whose prompt has `promptTokens` tokens (long-context tiers). */
export function ratesFor(price: ModelPrice, promptTokens: number): PriceRates {
  let rates = price.rates;
  for (const tier of price.tiers ?? []) {
    if (promptTokens > tier.aboveInputTokens) rates = { ...rates, ...tier.rates };
  }
  return rates;
}

/** Rounds pico-dollars to micro-dollars, half up (the one rounding of a call). */
export function picosToMicros(picos: number): number {
  return Math.floor((picos + picosPerMicro / 2) / picosPerMicro);
}

/** Splits cache-write tokens into 5-minute and 1-hour writes, from Anthropic's raw usage where it says. */
export function cacheWriteSplit(usage: Usage): { fiveMinute: number; oneHour: number } {
  const raw = usage.raw as { cache_creation?: { ephemeral_1h_input_tokens?: unknown } } | undefined;
  const oneHourRaw = raw?.cache_creation?.ephemeral_1h_input_tokens;
  const oneHour = typeof oneHourRaw === 'number' && oneHourRaw >= 0 ? Math.min(oneHourRaw, usage.cacheWriteInputTokens) : 0;
  return { fiveMinute: usage.cacheWriteInputTokens - oneHour, oneHour };
}

/** What one call costs, by token class, in pico-dollars, and in total micro-dollars. */
export interface CostBreakdown {
  costMicros: number;
  picos: { input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number };
}

const nonNegative = (value: number): number => (Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/**
 * Prices normalised usage (`inputTokens` includes cached and cache-write tokens, `outputTokens`
 * includes reasoning tokens, as `Usage` promises).
 */
export function computeCost(usage: Usage, price: ModelPrice): CostBreakdown {
  const inputTokens = nonNegative(usage.inputTokens);
  const cached = Math.min(nonNegative(usage.cachedInputTokens), inputTokens);
  const writes = cacheWriteSplit({ ...usage, cacheWriteInputTokens: Math.min(nonNegative(usage.cacheWriteInputTokens), inputTokens - cached) });
  const uncached = inputTokens - cached - writes.fiveMinute - writes.oneHour;
  const outputTokens = nonNegative(usage.outputTokens);
  const reasoningTokens = Math.min(nonNegative(usage.reasoningTokens), outputTokens);
  const rates = ratesFor(price, inputTokens);
  const cacheWrite5m = rates.cacheWrite5m ?? rates.input;
  const picos = {
    input: uncached * rates.input,
    cacheRead: cached * (rates.cacheRead ?? rates.input),
    cacheWrite: writes.fiveMinute * cacheWrite5m + writes.oneHour * (rates.cacheWrite1h ?? cacheWrite5m),
    output: (outputTokens - reasoningTokens) * rates.output,
    reasoning: reasoningTokens * (rates.reasoning ?? rates.output),
  };
  const total = picos.input + picos.cacheRead + picos.cacheWrite + picos.output + picos.reasoning;
  return { costMicros: picosToMicros(total), picos };
}

/**
 * The most a call can cost: every prompt token uncached at the tier the prompt falls in, and
 * `maxOutputTokens` at the dearer of the output and reasoning rates. Rounded up, so a
 * reservation of this amount always covers the call's real cost.
 */
export function worstCaseCostMicros(price: ModelPrice, promptTokens: number, maxOutputTokens: number): number {
  const rates = ratesFor(price, promptTokens);
  const outputRate = Math.max(rates.output, rates.reasoning ?? 0);
  const inputRate = Math.max(rates.input, rates.cacheWrite5m ?? 0, rates.cacheWrite1h ?? 0);
  return Math.ceil((nonNegative(promptTokens) * inputRate + nonNegative(maxOutputTokens) * outputRate) / picosPerMicro);
}

/** The most output tokens `micros` can pay for after the prompt, at the prompt's tier. */
export function affordableOutputTokens(price: ModelPrice, promptTokens: number, micros: number): number {
  const rates = ratesFor(price, promptTokens);
  const outputRate = Math.max(rates.output, rates.reasoning ?? 0);
  const inputRate = Math.max(rates.input, rates.cacheWrite5m ?? 0, rates.cacheWrite1h ?? 0);
  const left = micros * picosPerMicro - nonNegative(promptTokens) * inputRate;
  if (left <= 0) return 0;
  return outputRate === 0 ? Number.MAX_SAFE_INTEGER : Math.floor(left / outputRate);
}
