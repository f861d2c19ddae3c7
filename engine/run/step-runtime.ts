/**
 * A step's live state during a run, shared by the scheduler, the attempt loop and the journal.
 */
import type { StepDefinition } from '../mission/types.js';
import type { StepResult } from './run-types.js';
import type { StepSnapshot } from './step-machine.js';

/** One step of a running mission. */
export interface StepRuntime {
  definition: StepDefinition;
  /** The step machine's current snapshot (advanced only through the journal). */
  snapshot: StepSnapshot;
  /** Dependencies that have not settled yet. */
  remainingDependencies: number;
  dependents: StepRuntime[];
  /** Set once, when the step reaches a final state. */
  result?: StepResult;
  /** `performance.now()` when its first attempt started. */
  startedAt?: number;
}

/** What a finished step hands to the scheduler to settle. */
export interface StepSettlement {
  output?: unknown;
  error?: { code: string; message: string; toJSON?(): unknown };
  reason?: string;
}
