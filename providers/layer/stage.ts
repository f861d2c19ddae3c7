/**
 * The contract between the LLM layer's call pipeline and the policies that wrap it (cache, budget,
 * cost ledger, safety). A stage is an RxJS interceptor, in the spirit of undici's
 * `Dispatcher.compose`: it receives the call (or one attempt of it) and the `next` step of the
 * pipeline, and returns the events the caller will see. Stages never import each other; the
 * pipeline composes them in a fixed order:
 *
 * ```
 * wrapCall:    safety (input, output hold-back) → cache → stream recovery → [route, retries, failover]
 * wrapAttempt: budget reserve/meter/settle → cost ledger → adapter
 * ```
 *
 * Rule of the inner call: before an attempt has emitted content (`text-delta`, `reasoning-delta`,
 * `tool-call-delta`, `tool-call`), a retryable failure is retried or failed over invisibly. After
 * content, the inner call never retries (that would repeat text): it errors with an `LlmError`
 * whose `incomplete` is true and `deliveredChars` counts the text delivered, and the stream
 * recovery stage decides whether to continue the answer.
 */
import type { Observable } from 'rxjs';
import type { LlmEvent, LlmMessage, LlmRequest, RateLimitInfo } from '../types.js';

/** The target one attempt goes to. */
export interface CallTarget {
  provider: string;
  model: string;
  /** The route the target was picked from, when the request named one. */
  route?: string;
}

/** Where a call comes from: carried into the audit trail, the ledger and budget scopes. */
export interface CallOrigin {
  runId?: string;
  stepId?: string;
  mission?: string;
  user?: string;
  session?: string;
  tags?: string[];
}

/** A request as callers of the layer write it: a route, or a provider and a model. */
export interface LayerRequest extends Omit<LlmRequest, 'model'> {
  /** A route name from the configuration's `routes`. */
  route?: string;
  provider?: string;
  model?: string;
  /** Where the call comes from (budgets, ledger, audit). Never sent to a provider. */
  origin?: CallOrigin;
  /**
   * Set by stream recovery: the answer so far, which this call must continue rather than repeat.
   * The attempt builds each target's request from it (`continuationRequest` in
   * `stream/continuation.ts`: assistant prefill where the target supports it, an explicit
   * continuation request where it does not).
   */
  continuation?: { deliveredText: string };
}

/** What a stage knows about the whole call. */
export interface CallContext {
  /** The generation id: the audit store's id for this call, the first event's `generationId`. */
  generationId: string;
  request: LayerRequest;
  origin: CallOrigin;
  /** Records a layer decision in the audit trail (as an event of the step that made the call). */
  record(event: LayerAuditEvent): void;
  /** Milliseconds since the epoch, from the injected clock. */
  now(): number;
  signal?: AbortSignal;
}

/** What a stage knows about one attempt of the call. */
export interface AttemptContext extends CallContext {
  /** 1 for the first attempt of the call (retries and failovers count on). */
  attempt: number;
  target: CallTarget;
  /** The provider-level request this attempt sends (messages possibly redacted or continued). */
  providerRequest: LlmRequest;
}

/** A layer decision for the audit trail: noun-verb `type` (`llm-retry`, `budget-reserve`, …). */
export interface LayerAuditEvent {
  type: string;
  /** Large or private data, stored as an erasable payload. */
  payload?: unknown;
  [key: string]: unknown;
}

/** One policy wrapped around calls or attempts. */
export interface CallStage {
  /** A short name for diagnostics (`cache`, `budget`, `safety`, `ledger`). */
  readonly name: string;
  /** Wraps the whole call: `next` runs the routed, retried, recovered call. */
  wrapCall?(context: CallContext, next: (request: LayerRequest) => Observable<LlmEvent>): Observable<LlmEvent>;
  /** Wraps one attempt against one target: `next` sends the request to the adapter. */
  wrapAttempt?(context: AttemptContext, next: (request: LlmRequest) => Observable<LlmEvent>): Observable<LlmEvent>;
}

/** The messages of a request, for stages that scan or count them. */
export type RequestMessages = LlmMessage[];

/** Time as the layer sees it; injected so tests can use fake timers. */
export interface LayerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A granted place under a rate limit; released when the attempt ends. */
export interface RateLimitPermit {
  /** Gives the place back, correcting the token estimate with the real usage when known. */
  release(actual?: { totalTokens?: number }): void;
}

/**
 * Rate limits per provider and per provider+model (requests and tokens per minute, concurrency),
 * as a bounded, fair queue. The call pipeline acquires a permit before each attempt.
 */
export interface RateLimiter {
  /**
   * Waits for a permit; rejects with `LLM_ERR_RATE_LIMITED` naming the limit when none can be had
   * before `deadlineAt` (epoch ms) or the queue is full, and with `LLM_ERR_ABORTED` on `signal`.
   */
  acquire(request: {
    provider: string;
    model: string;
    estimatedTokens: number;
    priority?: number;
    deadlineAt?: number;
    signal?: AbortSignal;
  }): Promise<RateLimitPermit>;
  /** Learns the live limits from a response's rate-limit headers. */
  observe(provider: string, model: string, rateLimit: RateLimitInfo): void;
  /** The state last seen, per key (`openai`, `openai/gpt-4o-mini`), for `mission providers`. */
  snapshot(): Record<string, unknown>;
}
