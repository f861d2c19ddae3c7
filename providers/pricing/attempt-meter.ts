/**
 * Follows one attempt's events and turns them into priced usage: the provider's figures when it
 * sent them, a tokenizer's count of the prompt and of what streamed when it did not (marked
 * `estimated`, never zero). The budget and ledger stages each keep one per attempt.
 */
import { createHash } from 'node:crypto';
import type { LlmEvent, LlmRequest, Usage } from '../types.js';
import { computeCost } from './cost.js';
import type { PriceTable } from './price-table.js';
import type { TokenEstimator } from './token-estimator.js';
import type { PriceMatch } from './types.js';

/** Priced usage of an attempt. */
export interface MeteredUsage {
  usage: Usage;
  estimated: boolean;
  /** Integer micro-dollars, or null when the model's price is unknown. */
  costMicros: number | null;
  lookup: PriceMatch;
  /** The model that served the call (from `start`), else the one asked for. */
  model: string;
}

/** Streamed text is tokenized in batches of about this many characters. */
const batchChars = 256;
/** Characters per token assumed for text not tokenized yet: below the 4 of English prose, to err high. */
const charsPerTokenBound = 3;

/** Meters one attempt. */
export class AttemptMeter {
  private servedModel?: string;
  private providerUsage?: Usage;
  private streamedOutputTokens = 0;
  private streamedReasoningTokens = 0;
  /** Streamed text not tokenized yet: deltas are batched, as each tokenizer call has a fixed cost. */
  private pendingText = '';
  private pendingReasoning = '';
  /** Characters of answer text seen (for `deliveredChars`). */
  deliveredChars = 0;
  /** True once content (text, reasoning, tool calls) has streamed. */
  hasContent = false;

  constructor(
    private readonly provider: string,
    private readonly requestedModel: string,
    private readonly promptTokens: number,
    private readonly estimator: TokenEstimator,
    private readonly prices: PriceTable,
  ) {}

  /** Takes one event into account. */
  observe(event: LlmEvent): void {
    switch (event.type) {
      case 'start':
        if (event.model) this.servedModel = event.model;
        break;
      case 'text-delta':
        this.hasContent = true;
        this.deliveredChars += event.text.length;
        this.pendingText += event.text;
        break;
      case 'reasoning-delta':
        this.hasContent = true;
        this.pendingReasoning += event.text;
        break;
      case 'tool-call-delta':
        this.hasContent = true;
        this.pendingText += (event.name ?? '') + event.argumentsDelta;
        break;
      case 'tool-call':
        // Adapters that send whole calls without deltas: count the call once.
        if (!this.hasContent) this.streamedOutputTokens += this.estimator.countText(event.call.name + JSON.stringify(event.call.arguments));
        this.hasContent = true;
        break;
      case 'usage':
        if (!isMissingUsage(event.usage)) this.providerUsage = event.usage;
        break;
      default:
        break;
    }
  }

  /** Tokenizes batched text once enough has gathered (or always, with `all`). */
  private drain(all: boolean): void {
    if (this.pendingText.length >= batchChars || (all && this.pendingText)) {
      this.streamedOutputTokens += this.estimator.countText(this.pendingText);
      this.pendingText = '';
    }
    if (this.pendingReasoning.length >= batchChars || (all && this.pendingReasoning)) {
      const tokens = this.estimator.countText(this.pendingReasoning);
      this.streamedOutputTokens += tokens;
      this.streamedReasoningTokens += tokens;
      this.pendingReasoning = '';
    }
  }

  /**
   * Output tokens the stream has carried so far: the tokenizer's count of what it has tokenized,
   * plus one token per {@link charsPerTokenBound} characters of what it has not yet (erring high).
   */
  get outputTokensSoFar(): number {
    if (this.providerUsage) return this.providerUsage.outputTokens;
    this.drain(false);
    const pending = this.pendingText.length + this.pendingReasoning.length;
    return this.streamedOutputTokens + Math.ceil((pending / charsPerTokenBound) * this.estimator.ratio);
  }

  /** The served model id. */
  get model(): string {
    return this.servedModel ?? this.requestedModel;
  }

  /** The usage to bill: the provider's, or an estimate marked `estimated`. */
  usage(): { usage: Usage; estimated: boolean } {
    if (this.providerUsage) return { usage: this.providerUsage, estimated: this.providerUsage.source === 'estimated' };
    this.drain(true);
    const usage: Usage = {
      inputTokens: this.promptTokens,
      outputTokens: this.streamedOutputTokens,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: this.streamedReasoningTokens,
      totalTokens: this.promptTokens + this.streamedOutputTokens,
      source: 'estimated',
    };
    return { usage, estimated: true };
  }

  /** True when the attempt produced nothing billable: no provider usage and no content. */
  get isEmpty(): boolean {
    return !this.providerUsage && !this.hasContent;
  }

  /**
   * Priced usage. A failed attempt that produced nothing (`failedEmpty`) is billed nothing: the
   * provider refused it before generating (an HTTP error, a dropped connection).
   */
  result(failedEmpty = false): MeteredUsage {
    if (failedEmpty && this.isEmpty) {
      const usage: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0, totalTokens: 0 };
      return { usage, estimated: false, costMicros: 0, lookup: this.prices.lookup(this.provider, this.model), model: this.model };
    }
    const { usage, estimated } = this.usage();
    const lookup = this.prices.lookup(this.provider, this.model);
    const costMicros = lookup.price ? computeCost(usage, lookup.price).costMicros : null;
    return { usage, estimated, costMicros, lookup, model: this.model };
  }
}

/**
 * True when a usage event carries no real figures: marked `missing`, or all zero (a prompt is
 * never zero tokens — Shimmy and some OpenAI-compatible servers send zeros for "unknown").
 */
export function isMissingUsage(usage: Usage): boolean {
  return usage.source === 'missing' || (usage.inputTokens === 0 && usage.outputTokens === 0);
}

/** SHA-256 of what makes two prompts the same answer: model, messages, tools, format, temperature. */
export function promptHash(provider: string, request: LlmRequest): string {
  const hash = createHash('sha256');
  hash.update(`${provider}/${request.model}\n`);
  hash.update(JSON.stringify([request.messages, request.tools ?? null, request.responseFormat ?? null, request.temperature ?? null, request.toolChoice ?? null]));
  return hash.digest('hex');
}
