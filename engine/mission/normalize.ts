/**
 * Turns a parsed mission document (any RustChain dialect) into a {@link MissionDefinition}.
 * Defensive by design: it never throws on a malformed document — the validator reports the
 * problems with positions — and keeps `steps[i]` aligned with `/steps/i` in the raw document.
 */
import type { LlmConfig } from '../../providers/layer/config-types.js';
import type { MissionConfig, MissionDefinition, RetryPolicy, StepDefinition } from './types.js';

/**
 * Four steps at a time: RustChain's documented example value, enough to overlap independent LLM
 * calls and file work, and low enough not to trip provider rate limits on a default account.
 */
export const defaultMaxParallelSteps = 4;

/** Retry defaults: ~1 s, 2 s, 4 s … capped at 30 s, with 20 % jitter against thundering herds. */
export const defaultRetryPolicy: Readonly<RetryPolicy> = {
  maxAttempts: 3,
  initialDelayMs: 1000,
  backoffMultiplier: 2,
  maxDelayMs: 30_000,
  jitter: 0.2,
  maxRetryAfterMs: 60_000,
};

type RawMap = Record<string, unknown>;

function isMap(value: unknown): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The normalised step kind: the string as written, RustChain's serde alias `Tool` → `tool`, or
 * the `{type: name}` map form. Other spellings (`CreateFile`) are kept as written so the
 * validator can say "did you mean 'create_file'" rather than silently accepting them.
 */
export function normalizeStepType(value: unknown): string {
  if (isMap(value)) return normalizeStepType(value.type);
  if (typeof value !== 'string') return '';
  const kind = value.trim();
  return kind === 'Tool' ? 'tool' : kind;
}

function normalizeRetry(value: unknown): RetryPolicy | undefined {
  if (!isMap(value)) return undefined;
  const policy: RetryPolicy = { ...defaultRetryPolicy };
  if (typeof value.max_attempts === 'number' && value.max_attempts >= 1) policy.maxAttempts = Math.floor(value.max_attempts);
  if (typeof value.initial_delay_ms === 'number' && value.initial_delay_ms >= 0) policy.initialDelayMs = value.initial_delay_ms;
  if (typeof value.backoff_multiplier === 'number' && value.backoff_multiplier >= 1) policy.backoffMultiplier = value.backoff_multiplier;
  if (typeof value.max_delay_ms === 'number' && value.max_delay_ms >= 0) policy.maxDelayMs = value.max_delay_ms;
  if (typeof value.max_retry_after_ms === 'number' && value.max_retry_after_ms >= 0) policy.maxRetryAfterMs = value.max_retry_after_ms;
  if (value.jitter === true) policy.jitter = defaultRetryPolicy.jitter;
  else if (value.jitter === false) policy.jitter = 0;
  else if (typeof value.jitter === 'number' && value.jitter >= 0 && value.jitter <= 1) policy.jitter = value.jitter;
  if (Array.isArray(value.retry_on)) policy.retryOn = value.retry_on.filter((code): code is string => typeof code === 'string');
  return policy;
}

function normalizeStep(value: unknown, index: number): StepDefinition {
  const raw = isMap(value) ? value : {};
  const id = text(raw.id) ?? '';
  const dependsOnRaw = raw.depends_on;
  const dependsOn = Array.isArray(dependsOnRaw)
    ? dependsOnRaw.map(text).filter((target): target is string => target !== undefined)
    : typeof dependsOnRaw === 'string' ? [dependsOnRaw] : [];
  const step: StepDefinition = {
    id,
    name: text(raw.name) ?? (id || `step ${index + 1}`),
    kind: normalizeStepType(raw.step_type),
    dependsOn,
    continueOnError: raw.continue_on_error === true,
    parameters: isMap(raw.parameters) ? raw.parameters : {},
  };
  const timeoutSeconds = positiveNumber(raw.timeout_seconds);
  if (timeoutSeconds !== undefined) step.timeoutSeconds = timeoutSeconds;
  // `if: false` is a handy way to switch a step off; keep it as the expression "false".
  if (typeof raw.if === 'string' || typeof raw.if === 'boolean') step.condition = String(raw.if);
  if (raw.for_each !== undefined) step.forEach = raw.for_each;
  const retry = normalizeRetry(raw.retry);
  if (retry) step.retry = retry;
  return step;
}

function normalizeConfig(value: unknown): MissionConfig {
  const raw = isMap(value) ? value : {};
  const maxParallel = raw.max_parallel_steps;
  const config: MissionConfig = {
    maxParallelSteps: typeof maxParallel === 'number' && Number.isInteger(maxParallel) && maxParallel >= 1
      ? maxParallel
      : defaultMaxParallelSteps,
    failFast: typeof raw.fail_fast === 'boolean' ? raw.fail_fast : true,
  };
  const timeoutSeconds = positiveNumber(raw.timeout_seconds);
  if (timeoutSeconds !== undefined) config.timeoutSeconds = timeoutSeconds;
  return config;
}

/** Normalises a parsed document; never throws. */
export function normalizeMission(document: unknown): MissionDefinition {
  const raw = isMap(document) ? document : {};
  const mission: MissionDefinition = {
    version: text(raw.version) ?? '',
    name: text(raw.name) ?? '',
    vars: isMap(raw.vars) ? { ...raw.vars } : {},
    steps: Array.isArray(raw.steps) ? raw.steps.map(normalizeStep) : [],
    config: normalizeConfig(raw.config),
    outputs: isMap(raw.outputs) ? { ...raw.outputs } : {},
  };
  if (typeof raw.description === 'string') mission.description = raw.description;
  // Kept as written (the schema checks it); the engine layers it over the project's llm: block.
  if (isMap(raw.llm)) mission.llm = structuredClone(raw.llm) as LlmConfig;
  const timeoutSeconds = positiveNumber(raw.timeout_seconds);
  if (timeoutSeconds !== undefined) mission.timeoutSeconds = timeoutSeconds;
  return mission;
}
