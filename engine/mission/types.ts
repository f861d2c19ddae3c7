/**
 * The normalised in-memory form of a mission, whatever file format or RustChain dialect it was
 * written in. The loader produces it; the validator checks it; the runner executes it.
 */
import type { LlmConfig } from '../../providers/layer/config-types.js';

/** How a step is retried after a retryable failure. */
export interface RetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  initialDelayMs: number;
  backoffMultiplier: number;
  maxDelayMs: number;
  /** Fraction of the delay randomised away (0 = none, 1 = full jitter). */
  jitter: number;
  /**
   * Longest wait a Retry-After hint may ask for (default 60 s); a longer hint fails the step
   * with `MISSION_ERR_RETRY_AFTER_TOO_LONG` instead of waiting.
   */
  maxRetryAfterMs: number;
  /** Error codes that may be retried (among retryable errors); when absent, any retryable error. */
  retryOn?: string[];
}

/** One step of a mission. */
export interface StepDefinition {
  id: string;
  name: string;
  /** The normalised `step_type` (snake_case; `Tool` → `tool`; `{type: x}` → `x`). */
  kind: string;
  dependsOn: string[];
  /** Step timeout; falls back to `config.timeoutSeconds`, then 300. */
  timeoutSeconds?: number;
  continueOnError: boolean;
  /** Raw parameters; strings may hold `{{ }}` templates, rendered just before the step runs. */
  parameters: Record<string, unknown>;
  /** `if:` condition (an expression, with or without `{{ }}`); false → the step is skipped. */
  condition?: string;
  /** `for_each:` a list, or a template that renders to one; the step runs once per item. */
  forEach?: unknown;
  retry?: RetryPolicy;
}

/** Mission-level settings (RustChain's `config`). */
export interface MissionConfig {
  maxParallelSteps: number;
  /** Default step timeout in seconds. */
  timeoutSeconds?: number;
  failFast: boolean;
}

/** A loaded mission. */
export interface MissionDefinition {
  version: string;
  name: string;
  description?: string;
  /** Declared inputs with their defaults; `--var k=v` overrides. */
  vars: Record<string, unknown>;
  steps: StepDefinition[];
  config: MissionConfig;
  /** Whole-mission timeout in seconds. */
  timeoutSeconds?: number;
  /** What the mission returns: values (templates allowed) rendered after the last step. */
  outputs: Record<string, unknown>;
  /** The mission's `llm:` block (routes, retries, limits, …), as written; it wins over the project's. */
  llm?: LlmConfig;
}

/** A position in a source file (1-based line and column). */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A loaded mission with where it came from, for precise error messages. */
export interface LoadedMission {
  mission: MissionDefinition;
  /** The file path as the user gave it. */
  file: string;
  /** The file's text, verbatim (hashed into the run record). */
  source: string;
  /**
   * Position of a node by its JSON pointer into the *raw* document (e.g. `/steps/2/step_type`);
   * falls back to the nearest ancestor that has one.
   */
  positionOf(pointer: string): SourcePosition;
  /**
   * Position of the *key* of the map entry at `pointer` (where "unknown property" points);
   * falls back like {@link LoadedMission.positionOf}. Optional: hand-built missions may omit it.
   */
  keyPositionOf?(pointer: string): SourcePosition;
  /**
   * Position of character `offset` inside the string value at `pointer` (where a template inside
   * a long block sits); falls back to the value's start. Optional like `keyPositionOf`.
   */
  positionInValue?(pointer: string, offset: number): SourcePosition;
  /**
   * The document as parsed, before normalisation; the validator checks it against the JSON
   * Schema. Optional: hand-built missions may omit it (the schema check is then skipped).
   */
  raw?: unknown;
}

/** One validation finding. */
export interface ValidationIssue {
  file: string;
  line: number;
  column: number;
  message: string;
  /** How to fix it, where that is knowable. */
  hint?: string;
  /**
   * `warning`: the mission still runs (e.g. an unknown top-level or `config` key that RustChain
   * also ignores). Absent means an error.
   */
  severity?: 'warning';
  /** JSON pointer into the raw document. */
  pointer: string;
}
