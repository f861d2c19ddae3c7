/**
 * The DAG scheduler: steps whose dependencies have settled become ready (or are skipped); up to
 * `max_parallel_steps` run at once; a settled step releases its dependents; `fail_fast` and
 * cancellation stop new work. How a step runs (attempts, retries, timeouts) is the executor's
 * business, handed in as {@link SchedulerHooks.execute}.
 */
import type { MissionDefinition } from '../mission/types.js';
import type { RunJournal } from './run-journal.js';
import type { StepResult } from './run-types.js';
import { asCodedError } from './step-attempt.js';
import { initialStepSnapshot, stepStateOf, type StepMachineEvent } from './step-machine.js';
import type { StepRuntime, StepSettlement } from './step-runtime.js';

const finalStates: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

/** What the scheduler asks of the run around it. */
export interface SchedulerHooks {
  /** Runs a ready step; it must end by calling {@link RunScheduler.settle}. A rejection is a bookkeeping failure. */
  execute(step: StepRuntime): Promise<void>;
  /** Whether a step's `if:` lets it run; throws when the condition cannot be evaluated. */
  conditionHolds(step: StepRuntime): boolean;
  /** A step reached its final state (its result is set). */
  settled(step: StepRuntime, output: unknown): void;
  /** Every step has settled. */
  finished(): void;
  /** The run's own bookkeeping failed (the audit store refused an event). */
  failed(error: unknown): void;
}

/** Schedules one run's steps. */
export class RunScheduler {
  /** Steps by id, in mission order. */
  readonly steps = new Map<string, StepRuntime>();
  private readonly readyQueue: StepRuntime[] = [];
  private running = 0;
  private unsettled = 0;
  private stopReason?: { status: 'skipped' | 'cancelled'; reason: string };

  constructor(
    private readonly mission: MissionDefinition,
    private readonly journal: RunJournal,
    private readonly hooks: SchedulerHooks,
    /** Results of steps that succeeded in an earlier life of the run (resume). */
    restored?: ReadonlyMap<string, StepResult>,
  ) {
    for (const definition of mission.steps) {
      const runtime: StepRuntime = {
        definition,
        snapshot: initialStepSnapshot(definition.retry?.maxAttempts ?? 1),
        remainingDependencies: 0,
        dependents: [],
      };
      this.steps.set(definition.id, runtime);
      const kept = restored?.get(definition.id);
      if (kept) runtime.result = kept;
      else this.unsettled++;
    }
    for (const runtime of this.steps.values()) {
      for (const dependencyId of runtime.definition.dependsOn) {
        const dependency = this.steps.get(dependencyId);
        if (!dependency) continue; // The validator rejects unknown dependencies before a run starts.
        dependency.dependents.push(runtime);
        if (!dependency.result) runtime.remainingDependencies++;
      }
    }
  }

  /** Starts the run: steps with nothing to wait for become ready; `finished` fires when all have settled. */
  start(): void {
    if (this.unsettled === 0) return this.hooks.finished();
    for (const step of this.steps.values()) {
      if (!step.result && step.remainingDependencies === 0) this.dependenciesSettled(step);
    }
    this.pump();
  }

  /** Whether scheduling was stopped (fail_fast, cancellation). */
  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** A step's dependencies have all settled: skip it, or queue it to run. */
  private dependenciesSettled(step: StepRuntime): void {
    if (this.stopReason) return this.settle(step, { type: this.stopReason.status === 'skipped' ? 'skip' : 'cancel' }, { reason: this.stopReason.reason });
    const blocker = step.definition.dependsOn
      .map((id) => this.steps.get(id)!)
      .find((dependency) => !(dependency.result?.status === 'succeeded' || (dependency.result?.status === 'failed' && dependency.definition.continueOnError)));
    if (blocker) {
      return this.settle(step, { type: 'skip' }, { reason: `dependency '${blocker.definition.id}' ${blocker.result?.status}` });
    }
    if (step.definition.condition !== undefined) {
      let proceed: boolean;
      try {
        proceed = this.hooks.conditionHolds(step);
      } catch (error) {
        this.journal.transition(step, { type: 'dependencies.met' });
        this.journal.transition(step, { type: 'start' });
        return this.settle(step, { type: 'fail', retryable: false }, { error: asCodedError(error) });
      }
      if (!proceed) return this.settle(step, { type: 'skip' }, { reason: `condition is false: ${step.definition.condition}` });
    }
    this.journal.transition(step, { type: 'dependencies.met' });
    this.readyQueue.push(step);
  }

  /** Starts ready steps while there is capacity. */
  private pump(): void {
    const limit = Math.max(1, this.mission.config.maxParallelSteps);
    while (this.running < limit && this.readyQueue.length > 0) {
      const step = this.readyQueue.shift()!;
      if (step.result) continue;
      this.running++;
      void this.hooks
        .execute(step)
        .catch((error: unknown) => this.abandon(error))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** Steps that failed because a budget with `on_exhausted: pause` ran out (the run pauses). */
  readonly pausedSteps = new Set<string>();

  /** Moves a step to a final state, records its result, and releases its dependents. */
  settle(step: StepRuntime, event: StepMachineEvent, detail: StepSettlement): void {
    if (step.result) return;
    const durationMs = step.startedAt === undefined ? 0 : Math.round(performance.now() - step.startedAt);
    const attempts = step.snapshot.context.attempt;
    // Messages leave the run (audit, result, terminal): credentials masked, size bounded.
    const error = detail.error ? { code: detail.error.code, message: this.journal.scrubber.message(detail.error.message) } : undefined;
    this.journal.transition(
      step,
      event,
      { attempts, durationMs, ...(error ? { error } : {}), ...(detail.reason ? { reason: detail.reason } : {}) },
      event.type === 'succeed' ? detail.output ?? null : undefined,
    );
    const status = stepStateOf(step.snapshot);
    if (!finalStates.has(status)) throw new Error(`internal: step '${step.definition.id}' settled in state '${status}' after '${event.type}'`);
    // A failed command or HTTP call carries what it produced (stderr, the error body): keep it.
    const output = event.type === 'succeed' ? detail.output : (detail.error as { output?: unknown } | undefined)?.output;
    step.result = {
      status: status as StepResult['status'],
      attempts,
      durationMs,
      // Later steps' templates read the real output (the step scope); the result is shown and stored.
      ...(output !== undefined ? { output: this.journal.scrubber.value(output) } : {}),
      ...(error ? { error } : {}),
      ...(detail.reason ? { reason: detail.reason } : {}),
    };
    this.hooks.settled(step, output);
    const pause = status === 'failed' ? budgetPause(detail.error) : undefined;
    if (pause) {
      // A budget that pauses: nothing new starts, whatever continue_on_error or fail_fast say (and
      // before the dependents are released, so they say why they did not run).
      this.pausedSteps.add(step.definition.id);
      this.stop('skipped', `paused: budget ${pause} is exhausted; raise it (mission budget set) and resume the run`);
    }
    for (const dependent of step.dependents) {
      if (--dependent.remainingDependencies === 0 && !dependent.result) this.dependenciesSettled(dependent);
    }
    if (!pause && status === 'failed' && !step.definition.continueOnError && this.mission.config.failFast) {
      this.stop('skipped', `fail_fast: step '${step.definition.id}' failed`);
    }
    if (--this.unsettled === 0) this.hooks.finished();
  }

  /** Stops starting new work; everything not yet running settles as skipped or cancelled. */
  stop(status: 'skipped' | 'cancelled', reason: string): void {
    if (this.stopReason) return;
    this.stopReason = { status, reason };
    this.readyQueue.length = 0;
    for (const step of this.steps.values()) {
      const state = stepStateOf(step.snapshot);
      if (!step.result && (state === 'pending' || state === 'ready')) {
        this.settle(step, { type: status === 'skipped' ? 'skip' : 'cancel' }, { reason });
      }
    }
  }

  /** Bookkeeping failed: start nothing more, and let the run reject. */
  abandon(error: unknown): void {
    this.readyQueue.length = 0;
    this.hooks.failed(error);
  }
}

/**
 * The budget a failure asks the run to pause for (`LLM_ERR_BUDGET_EXHAUSTED` with `pause: true`,
 * on the error or a cause of it), or undefined.
 */
function budgetPause(error: unknown): string | undefined {
  let current = error as { code?: string; pause?: boolean; bucket?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.code === 'LLM_ERR_BUDGET_EXHAUSTED' && current.pause === true) return current.bucket ?? 'unknown';
    current = current.cause as typeof current;
  }
  return undefined;
}
