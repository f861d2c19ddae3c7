/**
 * What a run takes and what it returns.
 */
import type { Logger } from 'pino';
import type { AuditStore } from '../store/index.js';
import type { StepKindRegistry } from '../steps/registry.js';
import type { StepServices } from '../steps/types.js';

/** Final status of a step in a result. */
export type StepResultStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/**
 * Final status of a run. `paused`: a budget with `on_exhausted: pause` ran out; the step that met it
 * and the steps after it did not run, and `mission resume` continues once the budget is raised.
 */
export type RunResultStatus = 'succeeded' | 'failed' | 'cancelled' | 'paused';

/** One step's outcome. */
export interface StepResult {
  status: StepResultStatus;
  output?: unknown;
  error?: { code: string; message: string };
  /** Why a skipped or cancelled step did not run. */
  reason?: string;
  attempts: number;
  durationMs: number;
}

/** A run's outcome (also the `--json` output of `mission run`). */
export interface RunResult {
  runId: string;
  status: RunResultStatus;
  steps: Record<string, StepResult>;
  outputs: Record<string, unknown>;
  durationMs: number;
  /** Set when the mission itself failed (timeout, cancellation) rather than a step. */
  error?: { code: string; message: string };
}

/** Something that happened during a run, for live displays (audited events and step chatter). */
export interface RunProgressEvent {
  type: string;
  stepId?: string;
  data: Record<string, unknown>;
}

/** Options of {@link import('./run-mission.js').runMission}. */
export interface RunOptions {
  store: AuditStore;
  registry: StepKindRegistry;
  /** Values for declared `vars` (override the mission's defaults). */
  vars?: Record<string, unknown>;
  /** Directory file steps are confined to; default the current directory. */
  workspace?: string;
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Cancels the run (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  services?: StepServices;
  /** Called for every event, audited or not; what it throws is logged and ignored. */
  onProgress?: (event: RunProgressEvent) => void;
  /** Use this run id instead of a fresh one. */
  runId?: string;
  /**
   * Mission safety checks allowed to fail (`--allow-unsafe <check>`); each one that would have
   * stopped the run is recorded as a `safety-override` event.
   */
  allowUnsafe?: string[];
  /**
   * Routes defined outside the mission (the project file's `llm.routes`): a step may name them.
   * Without it, a step naming a route its mission does not define is a validation error.
   */
  projectRoutes?: string[];
}

/** Options of {@link import('./run-mission.js').resumeRun}: the run's own id, vars and workspace are used. */
export interface ResumeOptions extends Omit<RunOptions, 'runId' | 'vars' | 'workspace'> {
  /**
   * Resume even though the run is recorded as running in a process that is still alive (for when
   * that pid has been reused by something else).
   */
  takeOver?: boolean;
}
