/**
 * The shape of the LLM layer's configuration: a mission's `llm:` block and the `llm:` block of a
 * project's `mission.config.yaml` (mission over project over defaults). Keys are snake_case, as
 * users write them in YAML. `schemas/llm-config.schema.json` is the source of truth; these types
 * follow it.
 */

/** Per-call retry policy (full jitter). */
export interface RetryConfig {
  max_attempts?: number;
  initial_delay_ms?: number;
  max_delay_ms?: number;
  /** A provider's Retry-After longer than this is not slept: the call fails over or fails. */
  max_retry_after_ms?: number;
  /** Total time a call may spend waiting between attempts. */
  total_retry_ms?: number;
}

/** Per-call deadlines; each fires as a typed `LLM_ERR_TIMEOUT` naming itself. */
export interface TimeoutsConfig {
  connect_ms?: number;
  first_token_ms?: number;
  idle_ms?: number;
  total_ms?: number;
}

/** Bounds on what a provider may send (hostile input is normal input). */
export interface StreamLimitsConfig {
  /** Longest SSE or NDJSON line, in bytes. */
  max_line_bytes?: number;
  /** Largest AWS event-stream frame, in bytes. */
  max_frame_bytes?: number;
  /** Largest answer (text, reasoning and tool arguments together), in characters. */
  max_response_chars?: number;
  /** How much of an error response body is read, in bytes. */
  max_error_body_bytes?: number;
  /**
   * Adapter-level idle timeout: milliseconds a stream may produce no event once its headers came
   * (keep-alive comments and pings do not count). Default 45 s.
   */
  idle_ms?: number;
}

/** Rate limits of a provider (`openai`) or a provider+model (`openai/gpt-4o-mini`). */
export interface LimitConfig {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  /** Calls that may wait in the queue before new ones are refused. */
  max_queue?: number;
}

/** How a route spreads calls over its targets. */
export type RouteStrategy = 'failover' | 'weighted' | 'least-latency' | 'lowest-cost';

/** What happens when a streamed answer is cut after content has begun. */
export type StreamRecoveryMode = 'continue' | 'restart' | 'off';

/** One target of a route. */
export interface RouteTargetConfig {
  provider: string;
  model: string;
  weight?: number;
  /** Cost hint for `lowest-cost` when the price table does not know the model (USD per million tokens). */
  cost_per_mtok_usd?: number;
  retry?: RetryConfig;
  timeouts?: TimeoutsConfig;
}

/** A named list of targets. */
export interface RouteConfig {
  strategy?: RouteStrategy;
  targets: RouteTargetConfig[];
  stream_recovery?: StreamRecoveryMode;
  retry?: RetryConfig;
  timeouts?: TimeoutsConfig;
}

/** Circuit breakers and probes. */
export interface HealthConfig {
  /** Failures within the window that open a circuit. */
  failure_threshold?: number;
  window_ms?: number;
  /** How long a circuit stays open before a probe may close it. */
  open_ms?: number;
  /** How long a quota error (402, insufficient_quota) keeps a circuit open. */
  quota_open_ms?: number;
  /** A first token slower than this counts as a failure. */
  slow_first_token_ms?: number;
  /** Free active probes (list models) while open. */
  probe?: boolean;
}

/** The whole `llm:` block. Parts owned by other policies stay opaque here. */
export interface LlmConfig {
  routes?: Record<string, RouteConfig>;
  retry?: RetryConfig;
  timeouts?: TimeoutsConfig;
  stream_limits?: StreamLimitsConfig;
  limits?: Record<string, LimitConfig>;
  health?: HealthConfig;
  /** Default `stream_recovery` for routes that set none and direct provider+model calls. */
  stream_recovery?: StreamRecoveryMode;
  /** Budgets (cost policy, `schemas/llm/budgets.schema.json`). */
  budgets?: unknown;
  /** Response cache (`schemas/llm/cache.schema.json`). */
  cache?: unknown;
  /** Content safety (`schemas/llm/safety.schema.json`). */
  safety?: unknown;
  /** Price overrides (`schemas/llm/pricing.schema.json`). */
  pricing?: unknown;
}
