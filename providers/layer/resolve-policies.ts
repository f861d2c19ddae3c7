/**
 * Fills the defaults of the `llm:` block once, so the hot path reads plain numbers. Validation
 * with file positions is the config loader's job; this module only refuses values no call could
 * honour (a route without targets, negative or non-finite numbers), for embedders that call
 * `createLlm({ config })` with a hand-built object.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { HealthConfig, LlmConfig, RetryConfig, RouteConfig, RouteStrategy, RouteTargetConfig, StreamRecoveryMode, TimeoutsConfig } from './config-types.js';

/** A retry policy with every value set. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  totalRetryMs: number;
}

/** Deadlines with every value set (milliseconds). */
export interface TimeoutPolicy {
  connectMs: number;
  firstTokenMs: number;
  idleMs: number;
  totalMs: number;
}

/** Circuit-breaker settings with every value set. */
export interface HealthPolicy {
  failureThreshold: number;
  windowMs: number;
  openMs: number;
  quotaOpenMs: number;
  slowFirstTokenMs: number;
  probe: boolean;
}

/** One route target with its effective policies. */
export interface ResolvedTarget {
  provider: string;
  model: string;
  /** `provider/model`: the key of its circuit and health entry. */
  key: string;
  weight: number;
  /** Configured cost hint in micro-dollars per million tokens, when given. */
  costPerMtokMicros?: number;
  retry: RetryPolicy;
  timeouts: TimeoutPolicy;
}

/** A route with its effective policies. */
export interface ResolvedRoute {
  name: string;
  strategy: RouteStrategy;
  targets: ResolvedTarget[];
  streamRecovery: StreamRecoveryMode;
}

/** The whole configuration with defaults filled in. */
export interface ResolvedPolicies {
  retry: RetryPolicy;
  timeouts: TimeoutPolicy;
  health: HealthPolicy;
  streamRecovery: StreamRecoveryMode;
  routes: Map<string, ResolvedRoute>;
}

/** Retry defaults: three attempts per target, full jitter from 500 ms up to 20 s, hints up to 60 s. */
export const defaultRetry: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  totalRetryMs: 120_000,
};

/** Deadlines that suit chat models: connect 10 s, first token 60 s, idle gap 30 s, total 10 min. */
export const defaultTimeouts: TimeoutPolicy = { connectMs: 10_000, firstTokenMs: 60_000, idleMs: 30_000, totalMs: 600_000 };

/** Breaker defaults: 3 failures within 10 s open a circuit for 5 s (a quota error for 30 min). */
export const defaultHealth: HealthPolicy = {
  failureThreshold: 3,
  windowMs: 10_000,
  openMs: 5_000,
  quotaOpenMs: 30 * 60_000,
  slowFirstTokenMs: 30_000,
  probe: true,
};

const strategies: readonly RouteStrategy[] = ['failover', 'weighted', 'least-latency', 'lowest-cost'];
const recoveryModes: readonly StreamRecoveryMode[] = ['continue', 'restart', 'off'];

/** Resolves `config` (possibly undefined) into policies; throws `LLM_ERR_INVALID_CONFIG` on impossible values. */
export function resolvePolicies(config: LlmConfig = {}): ResolvedPolicies {
  if (typeof config !== 'object' || config === null) invalid('llm', 'must be an object');
  const retry = mergeRetry(defaultRetry, config.retry, 'llm.retry');
  const timeouts = mergeTimeouts(defaultTimeouts, config.timeouts, 'llm.timeouts');
  const health = mergeHealth(config.health);
  const streamRecovery = recoveryMode(config.stream_recovery, 'continue', 'llm.stream_recovery');
  const routes = new Map<string, ResolvedRoute>();
  for (const [name, route] of Object.entries(config.routes ?? {})) {
    routes.set(name, resolveRoute(name, route, retry, timeouts, streamRecovery));
  }
  return { retry, timeouts, health, streamRecovery, routes };
}

/** A one-target route for a request that names a provider and model directly. */
export function directRoute(policies: ResolvedPolicies, provider: string, model: string): ResolvedRoute {
  return {
    name: `${provider}/${model}`,
    strategy: 'failover',
    streamRecovery: policies.streamRecovery,
    targets: [{ provider, model, key: `${provider}/${model}`, weight: 1, retry: policies.retry, timeouts: policies.timeouts }],
  };
}

function resolveRoute(name: string, route: RouteConfig, retry: RetryPolicy, timeouts: TimeoutPolicy, recovery: StreamRecoveryMode): ResolvedRoute {
  const where = `llm.routes.${name}`;
  if (typeof route !== 'object' || route === null) invalid(where, 'must be an object with targets');
  if (!Array.isArray(route.targets) || route.targets.length === 0) invalid(`${where}.targets`, 'needs at least one target');
  const strategy = route.strategy ?? 'failover';
  if (!strategies.includes(strategy)) invalid(`${where}.strategy`, `must be one of ${strategies.join(', ')}`);
  const routeRetry = mergeRetry(retry, route.retry, `${where}.retry`);
  const routeTimeouts = mergeTimeouts(timeouts, route.timeouts, `${where}.timeouts`);
  const targets = route.targets.map((target, index) => resolveTarget(target, `${where}.targets[${index}]`, routeRetry, routeTimeouts));
  if (strategy === 'weighted' && targets.every((target) => target.weight === 0)) invalid(`${where}.targets`, 'a weighted route needs a target with weight above 0');
  return { name, strategy, targets, streamRecovery: recoveryMode(route.stream_recovery, recovery, `${where}.stream_recovery`) };
}

function resolveTarget(target: RouteTargetConfig, where: string, retry: RetryPolicy, timeouts: TimeoutPolicy): ResolvedTarget {
  if (typeof target !== 'object' || target === null) invalid(where, 'must be an object with provider and model');
  if (typeof target.provider !== 'string' || !target.provider) invalid(`${where}.provider`, 'must name a provider');
  if (typeof target.model !== 'string' || !target.model) invalid(`${where}.model`, 'must name a model');
  const weight = target.weight === undefined ? 1 : nonNegative(target.weight, `${where}.weight`);
  const cost = target.cost_per_mtok_usd === undefined ? undefined : nonNegative(target.cost_per_mtok_usd, `${where}.cost_per_mtok_usd`);
  return {
    provider: target.provider,
    model: target.model,
    key: `${target.provider}/${target.model}`,
    weight,
    costPerMtokMicros: cost === undefined ? undefined : Math.round(cost * 1_000_000),
    retry: mergeRetry(retry, target.retry, `${where}.retry`),
    timeouts: mergeTimeouts(timeouts, target.timeouts, `${where}.timeouts`),
  };
}

function mergeRetry(base: RetryPolicy, override: RetryConfig | undefined, where: string): RetryPolicy {
  if (override === undefined) return base;
  const merged: RetryPolicy = {
    maxAttempts: pick(override.max_attempts, base.maxAttempts, `${where}.max_attempts`),
    initialDelayMs: pick(override.initial_delay_ms, base.initialDelayMs, `${where}.initial_delay_ms`),
    maxDelayMs: pick(override.max_delay_ms, base.maxDelayMs, `${where}.max_delay_ms`),
    maxRetryAfterMs: pick(override.max_retry_after_ms, base.maxRetryAfterMs, `${where}.max_retry_after_ms`),
    totalRetryMs: pick(override.total_retry_ms, base.totalRetryMs, `${where}.total_retry_ms`),
  };
  if (merged.maxAttempts < 1 || !Number.isInteger(merged.maxAttempts)) invalid(`${where}.max_attempts`, 'must be a whole number of at least 1');
  return merged;
}

function mergeTimeouts(base: TimeoutPolicy, override: TimeoutsConfig | undefined, where: string): TimeoutPolicy {
  if (override === undefined) return base;
  const merged: TimeoutPolicy = {
    connectMs: pick(override.connect_ms, base.connectMs, `${where}.connect_ms`),
    firstTokenMs: pick(override.first_token_ms, base.firstTokenMs, `${where}.first_token_ms`),
    idleMs: pick(override.idle_ms, base.idleMs, `${where}.idle_ms`),
    totalMs: pick(override.total_ms, base.totalMs, `${where}.total_ms`),
  };
  for (const [key, value] of Object.entries(merged)) if (value === 0) invalid(`${where}`, `${key} must be above 0`);
  return merged;
}

function mergeHealth(override: HealthConfig | undefined): HealthPolicy {
  if (override === undefined) return defaultHealth;
  const where = 'llm.health';
  const merged: HealthPolicy = {
    failureThreshold: pick(override.failure_threshold, defaultHealth.failureThreshold, `${where}.failure_threshold`),
    windowMs: pick(override.window_ms, defaultHealth.windowMs, `${where}.window_ms`),
    openMs: pick(override.open_ms, defaultHealth.openMs, `${where}.open_ms`),
    quotaOpenMs: pick(override.quota_open_ms, defaultHealth.quotaOpenMs, `${where}.quota_open_ms`),
    slowFirstTokenMs: pick(override.slow_first_token_ms, defaultHealth.slowFirstTokenMs, `${where}.slow_first_token_ms`),
    probe: override.probe ?? defaultHealth.probe,
  };
  if (merged.failureThreshold < 1) invalid(`${where}.failure_threshold`, 'must be at least 1');
  return merged;
}

function recoveryMode(value: StreamRecoveryMode | undefined, fallback: StreamRecoveryMode, where: string): StreamRecoveryMode {
  if (value === undefined) return fallback;
  if (!recoveryModes.includes(value)) invalid(where, `must be one of ${recoveryModes.join(', ')}`);
  return value;
}

function pick(value: number | undefined, fallback: number, where: string): number {
  return value === undefined ? fallback : nonNegative(value, where);
}

function nonNegative(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) invalid(where, `must be a number of 0 or more (got ${JSON.stringify(value)})`);
  return value;
}

function invalid(where: string, problem: string): never {
  throw new LlmError(LlmErrorCode.invalidConfig, `${where} ${problem}`);
}
