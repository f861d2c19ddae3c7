/**
 * One execution of a mission (fresh or resumed): the DAG scheduler. Steps whose dependencies have
 * settled become ready; up to `max_parallel_steps` run at once; each step's lifecycle is advanced
 * through the XState step machine, and every state change is appended to the audit chain.
 */
import { setMaxListeners } from 'node:events';
import { pino, type Logger } from 'pino';
import { evaluateCondition, type TemplateScope } from '../expressions/index.js';
import { MissionError, MissionErrorCode } from '../errors.js';
import { withPrivateError } from './private-error.js';
import type { LoadedMission, MissionDefinition, StepDefinition } from '../mission/types.js';
import type { AuditStore } from '../store/index.js';
import type { StepContext, StepEmittedEvent, StepKind } from '../steps/types.js';
import { startTimer } from '../timer.js';
import { sleep } from './abort.js';
import { isRetryableFailure, retryDelayMs } from './retry-delay.js';
import type { RunOptions, RunProgressEvent, RunResult, StepResult } from './run-types.js';
import { createCredentialScrubber, type CredentialScrubber } from './credential-scrubber.js';
import { asCodedError, runAttempt } from './step-attempt.js';
import { advanceStep, initialStepSnapshot, stepStateOf, type StepMachineEvent, type StepSnapshot } from './step-machine.js';

const defaultStepTimeoutSeconds = 300;

/** Audit event names for the machine states a transition enters. */
const eventForState: Record<string, string> = {
  ready: 'step-ready',
  running: 'step-start',
  'retry-wait': 'step-retry',
  'awaiting-approval': 'step-awaiting-approval',
  succeeded: 'step-succeeded',
  failed: 'step-failed',
  skipped: 'step-skipped',
  cancelled: 'step-cancelled',
};

const finalStates: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

interface StepRuntime {
  definition: StepDefinition;
  snapshot: StepSnapshot;
  remainingDependencies: number;
  dependents: StepRuntime[];
  result?: StepResult;
  startedAt?: number;
}

/** What a resumed run brings from its earlier life. */
export interface RestoredState {
  /** Outputs of steps that succeeded before the interruption. */
  succeeded: Map<string, { output: unknown; attempts: number; durationMs: number }>;
  /** Legacy `{key}` context variables, in the order they were set. */
  legacy: Record<string, string>;
}

/** Settings resolved by the caller (run id, workspace, merged vars). */
export interface SessionSettings extends RunOptions {
  runId: string;
  workspace: string;
  vars: Record<string, unknown>;
}

/** Runs a loaded mission to completion against an existing run record. */
export class RunSession {
  private readonly mission: MissionDefinition;
  private readonly store: AuditStore;
  private readonly logger: Logger;
  /** Masks the environment's credential values in everything recorded or returned. */
  private readonly scrubber: CredentialScrubber;
  private readonly steps = new Map<string, StepRuntime>();
  private readonly controller = new AbortController();
  private readonly scope: TemplateScope;
  private readonly stepScope: TemplateScope['steps'] = {};
  private readonly readyQueue: StepRuntime[] = [];
  private running = 0;
  private unsettled = 0;
  private stopReason?: { status: 'skipped' | 'cancelled'; reason: string };
  private missionError?: MissionError;
  private finish!: () => void;
  private abandon!: (error: unknown) => void;

  constructor(
    loaded: LoadedMission,
    private readonly settings: SessionSettings,
    private readonly restored?: RestoredState,
  ) {
    this.mission = loaded.mission;
    // Every running step listens to the run's signal; a wide mission legitimately has many.
    setMaxListeners(0, this.controller.signal);
    this.store = settings.store;
    this.logger = settings.logger ?? pino({ level: 'silent' });
    const env = settings.env ?? process.env;
    this.scrubber = createCredentialScrubber(env);
    this.scope = {
      steps: this.stepScope,
      vars: settings.vars,
      env: { ...env },
      mission: { name: this.mission.name, version: this.mission.version, file: loaded.file },
      run: { id: settings.runId, workspace: settings.workspace },
      legacy: { ...(restored?.legacy ?? {}) },
    };
  }

  /**
   * Runs every step and returns the result; never rejects for a step's failure, only when the
   * run's own bookkeeping fails (the audit store refuses an event).
   */
  async run(): Promise<RunResult> {
    const startedAt = performance.now();
    const done = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.abandon = reject;
    });
    const externalSignal = this.settings.signal;
    const onCancel = (): void => this.abortRun(new MissionError(MissionErrorCode.cancelled, 'the run was cancelled'));
    if (externalSignal?.aborted) onCancel();
    else externalSignal?.addEventListener('abort', onCancel, { once: true });
    const cancelMissionTimeout = this.mission.timeoutSeconds
      ? startTimer(() => {
          const error = new MissionError(MissionErrorCode.missionTimeout, `the mission timed out after ${this.mission.timeoutSeconds} s`);
          this.missionError = error;
          this.abortRun(error);
        }, this.mission.timeoutSeconds * 1000)
      : undefined;

    try {
      this.buildGraph();
      if (this.unsettled === 0) this.finish();
      else {
        for (const step of this.steps.values()) {
          if (!step.result && step.remainingDependencies === 0) this.dependenciesSettled(step);
        }
        this.pump();
      }
      await done;
    } finally {
      cancelMissionTimeout?.();
      externalSignal?.removeEventListener('abort', onCancel);
    }
    return this.result(performance.now() - startedAt);
  }

  private buildGraph(): void {
    for (const definition of this.mission.steps) {
      const runtime: StepRuntime = {
        definition,
        snapshot: initialStepSnapshot(definition.retry?.maxAttempts ?? 1),
        remainingDependencies: 0,
        dependents: [],
      };
      this.steps.set(definition.id, runtime);
      const restored = this.restored?.succeeded.get(definition.id);
      if (restored) {
        runtime.result = { status: 'succeeded', output: restored.output, attempts: restored.attempts, durationMs: restored.durationMs };
        this.stepScope[definition.id] = { output: restored.output, status: 'succeeded' };
      } else {
        this.unsettled++;
      }
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
        proceed = evaluateCondition(step.definition.condition, this.scope);
      } catch (error) {
        this.transition(step, { type: 'dependencies.met' });
        this.transition(step, { type: 'start' });
        return this.settle(step, { type: 'fail', retryable: false }, { error: asCodedError(error) });
      }
      if (!proceed) return this.settle(step, { type: 'skip' }, { reason: `condition is false: ${step.definition.condition}` });
    }
    this.transition(step, { type: 'dependencies.met' });
    this.readyQueue.push(step);
  }

  /** Starts ready steps while there is capacity. */
  private pump(): void {
    const limit = Math.max(1, this.mission.config.maxParallelSteps);
    while (this.running < limit && this.readyQueue.length > 0) {
      const step = this.readyQueue.shift()!;
      if (step.result) continue;
      this.running++;
      void this.execute(step)
        .catch((error: unknown) => this.fail(error))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** Runs a step through its attempts until it succeeds, fails for good, or is cancelled. */
  private async execute(step: StepRuntime): Promise<void> {
    const kind = this.settings.registry.get(step.definition.kind);
    step.startedAt = performance.now();
    if (!kind) {
      this.transition(step, { type: 'start' });
      const error = new MissionError(MissionErrorCode.unsupportedStep, `step kind '${step.definition.kind}' is not registered`);
      return this.settle(step, { type: 'fail', retryable: false }, { error });
    }
    this.transition(step, { type: 'start' }, { attempt: 1 });
    for (;;) {
      let output: unknown;
      try {
        output = await runAttempt({
          step: step.definition,
          kind,
          scope: this.scope,
          runSignal: this.controller.signal,
          timeoutMs: (step.definition.timeoutSeconds ?? this.mission.config.timeoutSeconds ?? defaultStepTimeoutSeconds) * 1000,
          maxParallel: this.mission.config.maxParallelSteps,
          contextFor: (signal) => this.contextFor(step, kind, signal),
        });
      } catch (thrown) {
        const error = asCodedError(thrown);
        if (this.controller.signal.aborted) return this.settleAborted(step);
        const retryable = isRetryableFailure(error, step.definition.retry);
        const before = step.snapshot.context.attempt;
        if (!this.canRetry(step, retryable)) return this.settle(step, { type: 'fail', retryable: false }, { error });
        const delayMs = retryDelayMs(step.definition.retry!, before, (error as { retryAfterMs?: number }).retryAfterMs);
        this.transition(step, { type: 'fail', retryable: true }, { attempt: before, delayMs, error: { ...error.toJSON(), message: this.scrubber.message(error.message) } });
        this.logger.info({ stepId: step.definition.id, attempt: before, delayMs, code: error.code }, 'step failed; retrying');
        try {
          await sleep(delayMs, this.controller.signal);
        } catch {
          return this.settleAborted(step);
        }
        this.transition(step, { type: 'retry' }, { attempt: before + 1 });
        continue;
      }
      // Outside the try: a failure to record the success is the run's failure, not the step's.
      return this.succeed(step, kind, output);
    }
  }

  /** Settles a step stopped by the run's abort: failed at a mission timeout, else cancelled. */
  private settleAborted(step: StepRuntime): void {
    if (this.missionError) return this.settle(step, { type: 'fail', retryable: false }, { error: this.missionError });
    return this.settle(step, { type: 'cancel' }, { reason: 'the run was cancelled' });
  }

  private canRetry(step: StepRuntime, retryable: boolean): boolean {
    return stepStateOf(advanceStep(step.snapshot, { type: 'fail', retryable })) === 'retry-wait';
  }

  private succeed(step: StepRuntime, kind: StepKind, output: unknown): void {
    let legacy: Record<string, string>;
    try {
      legacy = {
        ...kind.legacyContext?.(step.definition.id, output),
        previous_result: typeof output === 'string' ? output : JSON.stringify(output ?? null),
      };
    } catch (error) {
      // An output that cannot be serialised (a cycle, a BigInt) would fail the same way again.
      return this.settle(step, { type: 'fail', retryable: false }, { error: asCodedError(error) });
    }
    Object.assign(this.scope.legacy!, legacy);
    this.settle(step, { type: 'succeed' }, { output });
  }

  /** Moves a step to a final state, records its result, and releases its dependents. */
  private settle(
    step: StepRuntime,
    event: StepMachineEvent,
    detail: { output?: unknown; error?: { code: string; message: string; toJSON?(): unknown }; reason?: string },
  ): void {
    if (step.result) return;
    const durationMs = step.startedAt === undefined ? 0 : Math.round(performance.now() - step.startedAt);
    const attempts = step.snapshot.context.attempt;
    // Messages leave the run (audit, result, terminal): credentials masked, size bounded.
    const error = detail.error ? { code: detail.error.code, message: this.scrubber.message(detail.error.message) } : undefined;
    this.transition(
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
      // Later steps' templates read the real output (stepScope below); the result is shown and stored.
      ...(output !== undefined ? { output: this.scrubber.value(output) } : {}),
      ...(error ? { error } : {}),
      ...(detail.reason ? { reason: detail.reason } : {}),
    };
    this.stepScope[step.definition.id] = { output, status, ...(error ? { error: error.message } : {}) };
    for (const dependent of step.dependents) {
      if (--dependent.remainingDependencies === 0 && !dependent.result) this.dependenciesSettled(dependent);
    }
    if (status === 'failed' && !step.definition.continueOnError && this.mission.config.failFast) {
      this.stopScheduling('skipped', `fail_fast: step '${step.definition.id}' failed`);
    }
    if (--this.unsettled === 0) this.finish();
  }

  /** Stops starting new work; everything not yet running settles as skipped or cancelled. */
  private stopScheduling(status: 'skipped' | 'cancelled', reason: string): void {
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

  /** Stops the run: nothing new starts, and running steps are aborted with `reason`. */
  private abortRun(reason: MissionError): void {
    if (this.controller.signal.aborted) return;
    // The run's result reports it; the log only notes when it happened.
    this.logger.info({ code: reason.code }, reason.message);
    try {
      this.stopScheduling('cancelled', reason.message);
    } catch (error) {
      // Called from a timer or an abort listener, where a throw would crash the process.
      return this.fail(error);
    }
    this.controller.abort(reason);
  }

  /**
   * The run's bookkeeping failed (the audit store refused an event): stop everything and reject
   * the run rather than report results the audit trail does not hold.
   */
  private fail(error: unknown): void {
    this.readyQueue.length = 0;
    if (!this.controller.signal.aborted) this.controller.abort(error);
    this.abandon(error);
  }

  /** Advances the machine and audits the state it enters. */
  private transition(step: StepRuntime, event: StepMachineEvent, data: Record<string, unknown> = {}, payload?: unknown): void {
    const next = advanceStep(step.snapshot, event);
    if (next === step.snapshot) return;
    step.snapshot = next;
    const type = eventForState[stepStateOf(next)];
    if (type) this.record({ type, stepId: step.definition.id, data }, payload);
  }

  /** Appends an event to the audit chain (credential values masked) and tells the progress listener. */
  private record(event: RunProgressEvent, payload?: unknown): void {
    // Credential values are masked everywhere; the listener sees the whole (masked) error, the chain
    // only its code (see private-error.ts).
    const recorded = { ...event, data: this.scrubber.value(event.data) };
    const audited = withPrivateError(recorded.data, this.scrubber.value(payload));
    this.store.append(this.settings.runId, { type: recorded.type, stepId: recorded.stepId, data: audited.data, payload: audited.payload });
    this.notify(recorded);
  }

  /** Tells the progress listener; a broken display must not change the run's outcome. */
  private notify(event: RunProgressEvent): void {
    try {
      this.settings.onProgress?.(event);
    } catch (error) {
      this.logger.warn({ err: error, event: event.type }, 'the onProgress listener threw; ignored');
    }
  }

  private contextFor(step: StepRuntime, kind: StepKind, signal: AbortSignal): StepContext {
    const stepId = step.definition.id;
    return {
      runId: this.settings.runId,
      stepId,
      workspace: this.settings.workspace,
      signal,
      env: this.settings.env ?? process.env,
      logger: this.logger.child({ stepId, kind: kind.name }),
      attempt: step.snapshot.context.attempt,
      services: this.settings.services ?? {},
      emit: (emitted: StepEmittedEvent) => {
        const { type, audit, payload, durable, ...data } = emitted;
        const progress: RunProgressEvent = { type, stepId, data };
        if (audit === false) this.notify({ ...progress, data: this.scrubber.value(data) });
        else {
          this.record(progress, payload);
          if (durable) this.store.flush();
        }
      },
    };
  }

  private result(durationMs: number): RunResult {
    const steps: Record<string, StepResult> = {};
    for (const [id, runtime] of this.steps) steps[id] = runtime.result!;
    const cancelled = this.settings.signal?.aborted === true && this.missionError === undefined;
    const failed =
      this.missionError !== undefined ||
      [...this.steps.values()].some((runtime) => runtime.result?.status === 'failed' && !runtime.definition.continueOnError);
    const status = cancelled ? 'cancelled' : failed ? 'failed' : 'succeeded';
    return {
      runId: this.settings.runId,
      status,
      steps,
      outputs: {},
      durationMs: Math.round(durationMs),
      ...(this.missionError ? { error: { code: this.missionError.code, message: this.scrubber.message(this.missionError.message) } } : {}),
      ...(cancelled ? { error: { code: MissionErrorCode.cancelled, message: 'the run was cancelled' } } : {}),
    };
  }

  /** The run's credential scrubber, for what the caller records or returns after the session. */
  get credentialScrubber(): CredentialScrubber {
    return this.scrubber;
  }

  /** The template scope after the run, for rendering the mission's `outputs`. */
  get finalScope(): TemplateScope {
    return this.scope;
  }
}
