/**
 * The provider-neutral vocabulary of the LLM layer: what a caller asks for ({@link LlmRequest}) and
 * what comes back, as a stream of {@link LlmEvent}s. Every adapter maps its wire format onto these
 * types and nothing else, so the layer, the engine and the audit store speak one language.
 */
import type { Observable } from 'rxjs';
import type { StreamLimits } from './stream-limits.js';

/** One part of a multi-part user message. */
export type ContentPart = { type: 'text'; text: string } | { type: 'image'; url: string; mediaType?: string };

/** A tool call as it appears in an assistant message of the conversation history. */
export interface ToolCall {
  /** Provider-assigned id (synthesised where the provider has none, e.g. Ollama, Gemini). */
  id: string;
  name: string;
  /** Parsed arguments; always an object (an empty argument string becomes `{}`). */
  arguments: Record<string, unknown>;
  /**
   * Opaque proof of the reasoning behind the call (Gemini's `thoughtSignature`). It must travel
   * back unchanged with the call in the next request's history, or the provider rejects the turn.
   */
  signature?: string;
}

/** One message of a conversation. */
export type LlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | {
      role: 'assistant';
      content: string;
      toolCalls?: ToolCall[];
      /** The {@link LlmResponse.signature} of this answer, sent back as it came. */
      signature?: string;
    }
  | { role: 'tool'; toolCallId: string; toolName: string; content: string; isError?: boolean };

/** A function the model may call. `parameters` is a JSON Schema for its arguments object. */
export interface LlmTool {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/** How the model may use tools: freely, never, at least one, or this one. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** A request to a model, identical for every provider. */
export interface LlmRequest {
  /** The model id as the provider knows it (for Azure, the deployment name may stand in). */
  model: string;
  messages: LlmMessage[];
  tools?: LlmTool[];
  toolChoice?: ToolChoice;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  /** Ask for JSON output; with a schema, providers that support it constrain the output to it. */
  responseFormat?: { type: 'json'; schema?: Record<string, unknown>; name?: string };
  /** Free-form labels carried into the audit trail (never sent to a provider). */
  metadata?: Record<string, string>;
}

/** Why the model stopped, normalised across providers. */
export type FinishReason =
  | 'stop'
  | 'length'
  | 'tool-calls'
  | 'content-filter'
  | 'error'
  | 'other';

/**
 * Token usage, normalised so that `inputTokens` always *includes* cached tokens
 * (Anthropic and Bedrock report them separately; we add them) and `outputTokens` always
 * *includes* reasoning tokens (Gemini reports thoughts separately; we add them).
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (part of `inputTokens`). */
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (part of `inputTokens`). */
  cacheWriteInputTokens: number;
  /** Output tokens spent on reasoning (part of `outputTokens`). */
  reasoningTokens: number;
  totalTokens: number;
  /** The provider's own usage object, verbatim. */
  raw?: unknown;
  /**
   * Where the counts come from: the provider (`undefined` or `'provider'`), nowhere (`'missing'`:
   * the provider sent none, e.g. Shimmy or a cut stream; the counts are placeholders, never a
   * real zero) or a tokenizer (`'estimated'`, filled in by the cost policy).
   */
  source?: 'provider' | 'missing' | 'estimated';
}

/** Rate-limit state read off response headers (`x-ratelimit-*`, `anthropic-ratelimit-*`). */
export interface RateLimitInfo {
  limitRequests?: number;
  remainingRequests?: number;
  limitTokens?: number;
  remainingTokens?: number;
  /** Milliseconds (from the response) until the request allowance resets (`x-ratelimit-reset-requests: 6m0s`). */
  resetRequestsMs?: number;
  /** Milliseconds until the token allowance resets. */
  resetTokensMs?: number;
  /** Anthropic's separate input-token allowance (`anthropic-ratelimit-input-tokens-*`). */
  limitInputTokens?: number;
  remainingInputTokens?: number;
  resetInputTokensMs?: number;
  /** Anthropic's separate output-token allowance (`anthropic-ratelimit-output-tokens-*`). */
  limitOutputTokens?: number;
  remainingOutputTokens?: number;
  resetOutputTokensMs?: number;
  /** Raw header values, for anything not normalised above. */
  headers: Record<string, string>;
}

/**
 * One event of an LLM call. Adapters emit `start`, deltas, `tool-call`, `usage` and `finish`;
 * the layer adds `retry`, `failover`, `cache-hit`, `budget-warning` and `safety-intervention`.
 * Errors travel as the Observable's error channel (an {@link import('./errors.js').LlmError}).
 */
export type LlmEvent =
  | { type: 'start'; provider: string; model: string; requestId?: string; rateLimit?: RateLimitInfo }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'tool-call'; call: ToolCall }
  /** An opaque signature of the reasoning behind the answer's text (Gemini's `thoughtSignature`). */
  | { type: 'signature'; signature: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; rawReason?: string }
  | { type: 'retry'; attempt: number; delayMs: number; errorCode: string; target?: string; reason?: string }
  | { type: 'failover'; from: string; to: string; errorCode: string }
  /** A circuit breaker changed state (`target` is `provider/model`). */
  | { type: 'circuit-open' | 'circuit-half-open' | 'circuit-closed'; target: string; reason?: string }
  /** The layer's id for this call (the audit store's generation id); first event of every layer call. */
  | { type: 'generation'; generationId: string; route?: string }
  /** A streamed answer was cut after content and continues on `to` from `deliveredChars`. */
  | { type: 'stream-resume'; attempt: number; from: string; to: string; deliveredChars: number; errorCode: string }
  | { type: 'cache-hit'; key: string }
  | { type: 'budget-warning'; scope: string; percent: number }
  | { type: 'safety-intervention'; action: 'block' | 'redact' | 'warn' | 'log'; rule: string; where?: 'input' | 'output'; reason?: string };

/** What {@link complete} reduces a stream to. */
export interface LlmResponse {
  provider: string;
  model: string;
  content: string;
  reasoning?: string;
  toolCalls: ToolCall[];
  /** Opaque reasoning signature of the text; pass it back on the assistant message of the history. */
  signature?: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage: Usage;
  requestId?: string;
}

/** Options of one call. */
export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Flow control for pull-based consumers: when given, a streaming adapter awaits it before it
   * reads the next network chunk, so a slow consumer slows the socket instead of filling memory.
   */
  demand?: () => Promise<void> | void;
  /**
   * Bounds on what the provider may send for this call (line, frame, answer and error-body
   * sizes, idle time); each missing field takes its default from `stream-limits.ts`.
   */
  limits?: StreamLimits;
}

/**
 * A provider adapter: maps {@link LlmRequest} to one provider's wire format and its bytes back to
 * {@link LlmEvent}s. Adapters do not retry; the layer does.
 */
export interface ProviderAdapter {
  /** Stable provider id: `openai`, `azure`, `anthropic`, `ollama`, `shimmy`, `gemini`, `bedrock`. */
  readonly id: string;
  /** Streams one call. The Observable is cold: each subscription sends one request. */
  stream(request: LlmRequest, options?: CallOptions): Observable<LlmEvent>;
  /** Lists the models the provider offers, where its API can say. */
  listModels?(options?: CallOptions): Promise<string[]>;
}

/** A usage object with every count zero. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0, totalTokens: 0 };
}
