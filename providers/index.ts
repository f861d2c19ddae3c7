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

// Streams: the pull form, recovery, input bounds.
export { pullEvents, defaultHighWaterMark } from './layer/stream/pull-events.js';
export type { PullEventsOptions, PullCallOptions } from './layer/stream/pull-events.js';
export { createStreamRecoveryStage } from './layer/stream/recovery-stage.js';
export type { StreamRecoveryOptions } from './layer/stream/recovery-stage.js';
export { recoveryPolicyFor, defaultMaxResumes } from './layer/stream/recovery-policy.js';
export type { RecoveryPolicy } from './layer/stream/recovery-policy.js';
export { continuationRequest, supportsAssistantPrefill, continuationInstruction } from './layer/stream/continuation.js';
export { streamLimitsFromConfig } from './layer/stream/limits-config.js';
export { defaultStreamLimits, resolveStreamLimits } from './stream-limits.js';
export type { StreamLimits, ResolvedStreamLimits } from './stream-limits.js';

// Connections.
export { configurePools, closePools, parseRetryAfter, observeHttpExchanges } from './http.js';
export type { PoolSettings, HttpExchange } from './http.js';

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

// Cost: prices, token estimates, the budget and ledger stages, reports.
export { PriceTable, blendedRate } from './pricing/price-table.js';
export type { PriceRates, PriceTier, ModelPrice, PriceTableData, PriceMatch, PriceSource } from './pricing/types.js';
export type { PricingConfig, ModelPricingConfig, PricingRatesConfig } from './pricing/pricing-config.js';
export { computeCost, worstCaseCostMicros, affordableOutputTokens, ratesFor, picosToMicros } from './pricing/cost.js';
export type { CostBreakdown } from './pricing/cost.js';
export { TokenEstimator, loadTokenizer, tokenRatios } from './pricing/token-estimator.js';
export { AttemptMeter, promptHash, isMissingUsage } from './pricing/attempt-meter.js';
export type { MeteredUsage } from './pricing/attempt-meter.js';
export { createBudgetStage, defaultMaxTokens, defaultMinOutputTokens, defaultLeaseMs } from './layer/budget/budget-stage.js';
export type { BudgetStageOptions } from './layer/budget/budget-stage.js';
export { budgetRulesFrom, budgetRuleFrom, defaultAlerts, usdToMicros } from './layer/budget/budget-config.js';
export type { BudgetRule, BudgetScope, BudgetPeriod, BudgetConfigEntry } from './layer/budget/budget-config.js';
export { MemoryBudgetStore } from './layer/budget/memory-budget-store.js';
export { decideGrant } from './layer/budget/budget-store.js';
export type { BudgetStore, BucketLimit, BucketState, ReserveRequest, ReserveResult } from './layer/budget/budget-store.js';
export { BudgetExhaustedError, formatUsd } from './layer/budget/budget-errors.js';
export type { BudgetExhaustedDetails } from './layer/budget/budget-errors.js';
export { budgetMachine } from './layer/budget/budget-machine.js';
export { periodWindow, windowOf } from './layer/budget/budget-periods.js';
export { AlertWebhook, signBody, signatureHeader } from './layer/budget/alert-webhook.js';
export type { BudgetAlert, AlertWebhookOptions } from './layer/budget/alert-webhook.js';
export { createLedgerStage } from './layer/ledger/ledger-stage.js';
export type { LedgerStageOptions } from './layer/ledger/ledger-stage.js';
export { createCacheSavingsStage } from './layer/ledger/cache-savings-stage.js';
export { MemoryLedger } from './layer/ledger/memory-ledger.js';
export type { LedgerEntry, LedgerFilter, UsageLedger } from './layer/ledger/ledger-types.js';
export { costReport, runCost, costReportGroupings } from './layer/ledger/cost-report.js';
export type { CostReport, CostReportRow, CostTotals, CostReportGrouping, RunCost, RunCostFigures } from './layer/ledger/cost-report.js';
export { recommend } from './layer/ledger/cost-recommend.js';
export type { CostRecommendation, BudgetOutlook } from './layer/ledger/cost-recommend.js';

// Content safety (policy engine, stream hold-back scanner, moderation, the safety call stage).
export {
  compileSafetyPolicy, mergeSafetyConfigs, defaultRules, levelPresets, scanText, excerptOf, StreamScanner, scanMessages,
  createSafetyStage, openAiModerator, judgeModerator, llamaGuardPrompt, parseJudgeAnswer, parseOpenAiModeration,
  validateSafetyConfig, SafetyBlockedError, SafetyConfigError, SafetyInputTooLargeError, ModerationUnavailableError, SafetyErrorCode,
} from './layer/safety/index.js';
export type {
  Detector, SafetyAction, SafetyCategory, SafetyDirection, SafetyFinding, SafetyScanResult, SafetyVerdict, ModerationConfig, RuleObject,
  RuleSetting, SafetyConfig, SafetyLevel, TopicsConfig, CompiledRule, SafetyPolicy, StreamScanStep, MessageFinding, MessagesScan,
  SafetyStageOptions, JudgeModeratorOptions, ModerationVerdict, Moderator, OpenAiModeratorOptions, SafetyConfigIssue,
} from './layer/safety/index.js';

// Credential scrubbing by value (shared with the engine's step errors, audit rows, CLI and logs).
export { scrubSecrets, credentialValues, isCredentialName, boundText, secretMask } from './secret-scrub.js';
