/**
 * The LLM layer's public API (`mission-engine/providers`): usable on its own, without the
 * mission engine. Every call is an `Observable<LlmEvent>`; {@link complete} reduces one to a
 * response.
 *
 * @example
 * ```ts
 * import { complete, discoverProviders } from 'mission-engine/providers';
 * const { registry } = await discoverProviders(process.env);
 * const { adapter, model } = registry.resolveModel(undefined, 'claude-sonnet-4-5');
 * const answer = await complete(adapter.stream({ model, messages: [{ role: 'user', content: 'Hi' }] }));
 * ```
 */

// The vocabulary.
export type {
  ContentPart, ToolCall, LlmMessage, LlmTool, ToolChoice, LlmRequest, FinishReason, Usage, RateLimitInfo, LlmEvent,
  LlmResponse, CallOptions, ProviderAdapter,
} from './types.js';
export { emptyUsage } from './types.js';
export { CodedError, LlmError, LlmErrorCode } from './errors.js';
export type { CodedErrorOptions, LlmErrorCodeValue, LlmErrorDetails } from './errors.js';
export { complete, eventStream, applyEvent, emptyResponse } from './observable.js';

// The LLM layer: routes, retries, failover, circuit breakers, deadlines, stages.
export { createLlm } from './layer/create-llm.js';
export type { CreateLlmOptions, Llm, LlmHealthSnapshot } from './layer/create-llm.js';
export type {
  CallStage, CallContext, AttemptContext, CallTarget, CallOrigin, LayerRequest, LayerAuditEvent, LayerClock, RateLimiter,
  RateLimitPermit,
} from './layer/stage.js';
export type {
  LlmConfig, RouteConfig, RouteTargetConfig, RouteStrategy, RetryConfig, TimeoutsConfig, HealthConfig, LimitConfig,
  StreamLimitsConfig, StreamRecoveryMode,
} from './layer/config-types.js';
export { resolvePolicies, defaultRetry, defaultTimeouts, defaultHealth } from './layer/resolve-policies.js';
export type { ResolvedPolicies, ResolvedRoute, ResolvedTarget, RetryPolicy, TimeoutPolicy, HealthPolicy } from './layer/resolve-policies.js';
export { DeadlineError } from './layer/deadlines.js';
export type { DeadlineName } from './layer/deadlines.js';
export type { LlmAuditSink, LlmAuditRecord } from './layer/sink.js';
export type { TargetHealthSnapshot } from './layer/health.js';
export type { CircuitState } from './layer/circuit-machine.js';
export type { PriceLookup } from './layer/routing.js';
export { systemClock } from './layer/clock.js';
export { createRateLimiter, RateLimitQueueError } from './layer/rate-limit/index.js';
export type { RateLimiterOptions } from './layer/rate-limit/index.js';
export { mergeLlmConfig } from './layer/config/index.js';
export { readRateLimit, parseResetTime } from './rate-limit-headers.js';

// Connections.
export { configurePools, closePools, parseRetryAfter } from './http.js';
export type { PoolSettings } from './http.js';

// Discovery.
export { discoverProviders, requiredEnvFor, ProviderRegistry, defaultModels, providerCatalog } from './discovery.js';
export type { DiscoveryOptions, DiscoveryResult, DiscoveredProvider, DiscoveredProviderSummary, ResolvedModel, Environment } from './discovery.js';

// Adapters.
export { createOpenAIAdapter, openaiConfigFromEnv } from './adapters/openai.js';
export type { OpenAIAdapterConfig } from './adapters/openai.js';
export { createAzureAdapter, azureConfigFromEnv } from './adapters/azure.js';
export type { AzureAdapterConfig, AzureAdToken } from './adapters/azure.js';
export { createShimmyAdapter, shimmyConfigFromEnv } from './adapters/shimmy.js';
export type { ShimmyAdapterConfig } from './adapters/shimmy.js';
export { createAnthropicAdapter, anthropicConfigFromEnv } from './adapters/anthropic.js';
export type { AnthropicAdapter, AnthropicAdapterConfig } from './adapters/anthropic.js';
export { createGeminiAdapter, geminiConfigFromEnv } from './adapters/gemini.js';
export type { GeminiAdapter, GeminiAdapterConfig } from './adapters/gemini.js';
export { createBedrockAdapter, bedrockConfigFromEnv } from './adapters/bedrock.js';
export type { BedrockAdapter, BedrockAdapterConfig } from './adapters/bedrock.js';
export { createOllamaAdapter, ollamaConfigFromEnv } from './adapters/ollama.js';
export type { OllamaAdapter, OllamaAdapterConfig } from './adapters/ollama.js';
export type { ChatCompletionsAdapter } from './adapters/openai-chat-client.js';

// Wire codecs (for adapters of other OpenAI-, SSE- or AWS-speaking services).
export { SseDecoder } from './wire/sse.js';
export type { SseEvent } from './wire/sse.js';
export { NdjsonDecoder } from './wire/ndjson.js';
export { EventStreamDecoder } from './wire/aws-event-stream.js';
export { signRequest } from './wire/sigv4.js';
export type { AwsCredentials } from './wire/sigv4.js';
