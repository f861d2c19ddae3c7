/**
 * The contract between the engine and a step kind. Built-in kinds and the custom kinds an
 * embedding application registers implement the same {@link StepKind} interface.
 */
import type { Logger } from 'pino';

/** A JSON Schema object (draft 2020-12 as understood by ajv). */
export type JsonSchema = Record<string, unknown>;

/** What a running step may use. */
export interface StepContext {
  runId: string;
  stepId: string;
  /** Absolute path of the run's workspace; file steps are confined to it. */
  workspace: string;
  /** Fires when the step is cancelled or times out; long work must stop promptly. */
  signal: AbortSignal;
  /** The environment the mission sees (the process environment unless the embedder narrows it). */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /**
   * Reports something that happened inside the step (a streamed token, an LLM request, a tool
   * call). Progress displays show it; kinds ending in a noun-verb name are also audited.
   */
  emit(event: StepEmittedEvent): void;
  /** Services the engine wires in (LLM providers, stores); kinds that need none ignore it. */
  services: StepServices;
}

/** An event a step reports while it runs. */
export interface StepEmittedEvent {
  /** Noun-verb, e.g. `llm-request`, `llm-response`, `tool-call`, `text-delta`. */
  type: string;
  /** Whether the audit store records it (token deltas are shown, not audited). */
  audit?: boolean;
  /** Data that may be large or private (prompts, completions): stored as an erasable payload. */
  payload?: unknown;
  /**
   * Written to the audit store before `emit` returns, not with the next batch: for records a
   * crash right afterwards must not lose (the `process-start` a resume needs to stop a command).
   */
  durable?: boolean;
  [key: string]: unknown;
}

/** Open registry of services; each step kind declares what it reads. */
export interface StepServices {
  [name: string]: unknown;
}

/** One kind of step (`create_file`, `command`, `llm`, or a custom one). */
export interface StepKind<Parameters = Record<string, any>> {
  /** The `step_type` name. */
  name: string;
  /** One line for `did you mean` messages and docs. */
  description: string;
  /** JSON Schema of `parameters`, checked before the run (template strings may stand for any type). */
  parameters: JsonSchema;
  /** Runs the step with rendered parameters; the resolved value is the step's output. */
  execute(parameters: Parameters, context: StepContext): Promise<unknown>;
  /**
   * Renders the step's raw parameters itself, instead of the engine rendering every string first.
   * For kinds whose parameters have a structure that templates must not change: `command` splits
   * its command line into words before rendering, so a value stays inside one argument.
   */
  renderParameters?(parameters: Record<string, unknown>, render: ParameterRenderer): Record<string, unknown>;
  /**
   * Context variables a successful step sets for legacy `{key}` templates (RustChain's
   * `{id}_response` for `llm` and `agent`, `{id}_result` for `chain`).
   */
  legacyContext?(stepId: string, output: unknown): Record<string, string>;
  /**
   * Static checks beyond the parameter schema, run by `mission validate` (no environment, no
   * I/O): e.g. that a `tool` step names a registered kind. `parameters` are unrendered.
   */
  checkParameters?(parameters: Record<string, unknown>, kinds: { names(): string[]; has(name: string): boolean }): StaticIssue[];
  /**
   * Checks, before the run starts, that what the step needs is there (an LLM provider, say);
   * throws a coded error that says how to fix it. `parameters` are unrendered.
   */
  preflight?(parameters: Record<string, unknown>, services: StepServices): void;
}

/** What {@link StepKind.renderParameters} renders with: the step's template scope, bound. */
export interface ParameterRenderer {
  /** Renders a value deeply, as the engine does for kinds without their own renderer. */
  value(value: unknown): unknown;
  /** Renders a string to a string (`{{ }}` and legacy `{key}` substituted). */
  text(text: string): string;
  /** Looks up another step kind (the `tool` step delegates to the kind it names). */
  kind(name: string): StepKind | undefined;
}

/** A problem {@link StepKind.checkParameters} found, at a path inside the step's parameters. */
export interface StaticIssue {
  path: (string | number)[];
  message: string;
  hint?: string;
}
