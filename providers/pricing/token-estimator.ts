/**
 * Token counts for when a provider sends none (Shimmy, a cut stream, a Bedrock stream without
 * `metadata`) and for budget reservations before a call. OpenAI-family models are counted with
 * their own tokenizer (`js-tiktoken`, pure JS: o200k_base, or cl100k_base for GPT-4/3.5); other
 * families are counted with o200k_base and scaled by a documented ratio (see docs/cost.md),
 * rounded up, because an estimate that errs low would let a budget overshoot.
 *
 * The tokenizer's tables take a second or more to load, so they load lazily, once, on first use.
 */
import type { Tiktoken } from 'js-tiktoken/lite';
import type { LlmRequest } from '../types.js';

type EncodingName = 'o200k_base' | 'cl100k_base';

const encoders = new Map<EncodingName, Tiktoken>();
const loading = new Map<EncodingName, Promise<Tiktoken>>();

/** Loads an encoding (cached); await it before counting synchronously on a hot path. */
export function loadTokenizer(name: EncodingName = 'o200k_base'): Promise<Tiktoken> {
  const ready = encoders.get(name);
  if (ready) return Promise.resolve(ready);
  let pending = loading.get(name);
  if (!pending) {
    pending = (async () => {
      const { Tiktoken } = await import('js-tiktoken/lite');
      const ranks = name === 'cl100k_base' ? (await import('js-tiktoken/ranks/cl100k_base')).default : (await import('js-tiktoken/ranks/o200k_base')).default;
      const encoder = new Tiktoken(ranks);
      encoders.set(name, encoder);
      return encoder;
    })();
    loading.set(name, pending);
  }
  return pending;
}

/**
 * Tokens of other families per o200k_base token. Measured on English prose and code: Claude's
 * tokenizer yields about 20 % more, Llama/Mistral-family models about 10 % more, Gemini about the
 * same. Rounded up so estimates err high.
 */
export const tokenRatios: Readonly<Record<string, number>> = {
  openai: 1,
  anthropic: 1.2,
  gemini: 1.05,
  llama: 1.1,
  default: 1.15,
};

/** Per-message framing tokens (role, separators), as OpenAI documents for its chat format. */
const tokensPerMessage = 4;
/** Tokens that prime the assistant's reply. */
const replyPrimingTokens = 3;
/** Past this many characters, text is counted by a conservative ratio instead of tokenized, bounding the time spent. */
const maxTokenizedChars = 2_000_000;

function familyOf(provider: string, model: string): { encoding: EncodingName; ratio: number } {
  const name = model.toLowerCase();
  if (/(^|[./])(gpt-4(?!o|\.1|\.5)|gpt-3\.5)/.test(name)) return { encoding: 'cl100k_base', ratio: 1 };
  if (provider === 'openai' || provider === 'azure' || /(^|[./])(gpt-|o\d|chatgpt)/.test(name)) return { encoding: 'o200k_base', ratio: 1 };
  if (provider === 'anthropic' || name.includes('claude')) return { encoding: 'o200k_base', ratio: tokenRatios.anthropic };
  if (provider === 'gemini' || name.includes('gemini') || name.includes('gemma')) return { encoding: 'o200k_base', ratio: tokenRatios.gemini };
  if (/llama|mistral|mixtral|qwen|phi|deepseek/.test(name)) return { encoding: 'o200k_base', ratio: tokenRatios.llama };
  return { encoding: 'o200k_base', ratio: tokenRatios.default };
}

const estimators = new Map<string, TokenEstimator>();

/** Counts tokens of text for a model; the tokenizer must have been loaded (see {@link loadTokenizer}). */
export class TokenEstimator {
  /**
   * Prompt counts by messages list: the budget and ledger stages count the same request one after
   * the other, and tokenizing costs tens of microseconds a message.
   */
  private readonly promptCounts = new WeakMap<object, { tools: unknown; responseFormat: unknown; tokens: number }>();

  private constructor(
    private readonly encoder: Tiktoken,
    /** Tokens of the model's family per tokenizer token (1 for OpenAI models). */
    readonly ratio: number,
  ) {}

  /** An estimator for a provider's model, loading its tokenizer if needed. */
  static async for(provider: string, model: string): Promise<TokenEstimator> {
    const family = familyOf(provider, model);
    const key = `${family.encoding}:${family.ratio}`;
    let estimator = estimators.get(key);
    if (!estimator) estimators.set(key, (estimator = new TokenEstimator(await loadTokenizer(family.encoding), family.ratio)));
    return estimator;
  }

  /** Tokens of a piece of text (rounded up after the family ratio). */
  countText(text: string): number {
    if (!text) return 0;
    // One token per character is a hard upper bound of BPE counts; used past the cap to stay bounded.
    const raw = text.length > maxTokenizedChars ? text.length : this.encoder.encode(text, 'all').length;
    return Math.ceil(raw * this.ratio);
  }

  /** Tokens of a request's prompt: messages with their framing, tool definitions and the schema asked for. */
  countPrompt(request: Pick<LlmRequest, 'messages' | 'tools' | 'responseFormat'>): number {
    const cached = this.promptCounts.get(request.messages);
    if (cached && cached.tools === request.tools && cached.responseFormat === request.responseFormat) return cached.tokens;
    const tokens = this.countPromptUncached(request);
    this.promptCounts.set(request.messages, { tools: request.tools, responseFormat: request.responseFormat, tokens });
    return tokens;
  }

  private countPromptUncached(request: Pick<LlmRequest, 'messages' | 'tools' | 'responseFormat'>): number {
    let tokens = replyPrimingTokens;
    for (const message of request.messages) {
      tokens += tokensPerMessage;
      if (typeof message.content === 'string') tokens += this.countText(message.content);
      else for (const part of message.content) tokens += part.type === 'text' ? this.countText(part.text) : imageTokens;
      if (message.role === 'assistant' && message.toolCalls?.length) tokens += this.countText(JSON.stringify(message.toolCalls));
      if (message.role === 'tool') tokens += this.countText(message.toolName);
    }
    if (request.tools?.length) tokens += this.countText(JSON.stringify(request.tools));
    if (request.responseFormat?.schema) tokens += this.countText(JSON.stringify(request.responseFormat.schema));
    return tokens;
  }
}

/** What an image in a prompt is assumed to cost (a 1024×1024 high-detail tile set at OpenAI's rate). */
const imageTokens = 1_105;
