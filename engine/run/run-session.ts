/**
 * One execution of a mission (fresh or resumed). Wires the parts together: the scheduler
 * (`run-scheduler.ts`) decides what runs when; the attempt loop (`attempt-loop.ts`) runs a step
 * with its retry policy and timeout; the journal (`run-journal.ts`) audits every transition. The
 * session itself owns what spans them: the template scope, the legacy context, cancellation and
 * the mission's deadline.
 */
import { setMaxListeners } from 'node:events';
import { pino, type Logger } from 'pino';
import { evaluateCondition, type TemplateScope } from '../expressions/index.js';
import { MissionError, MissionErrorCode } from '../errors.js';
import type { LoadedMission, MissionDefinition } from '../mission/types.js';
import type { StepContext, StepEmittedEvent, StepKind } from '../steps/types.js';
import { startTimer } from '../timer.js';
import { runAttempts } from './attempt-loop.js';
import { legacyValuesAfter } from './legacy-context.js';
import { RunJournal } from './run-journal.js';
import { RunScheduler } from './run-scheduler.js';
import { createCredentialScrubber, type CredentialScrubber } from '../credential-scrubber.js';
import type { RunOptions, RunProgressEvent, RunResult, StepResult } from './run-types.js';
import { asCodedError } from './step-attempt.js';
import type { StepRuntime } from './step-runtime.js';

const defaultStepTimeoutSeconds = 300;
/** Rendered parameters are logged up to this many characters (a file's content can be megabytes). */
const maxLoggedParameters = 2000;

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
  private readonly logger: Logger;
  private readonly controller = new AbortController();
  private readonly scope: TemplateScope;
  private readonly stepScope: TemplateScope['steps'] = {};
  private readonly journal: RunJournal;
  private readonly scheduler: RunScheduler;
  /** Logs rendered parameters at `debug`; undefined at quieter levels (rendering stays free). */
  private readonly logRendered?: (step: StepRuntime, parameters: Record<string, unknown>, index?: number) => void;
  private missionError?: MissionError;
  private deadline?: number;
  private finish!: () => void;
  private abandon!: (error: unknown) => void;

  constructor(
    loaded: LoadedMission,
    private readonly settings: SessionSettings,
    restored?: RestoredState,
  ) {
    this.mission = loaded.mission;
    // Every running step listens to the run's signal; a wide mission legitimately has many.
    setMaxListeners(0, this.controller.signal);
    this.logger = settings.logger ?? pino({ level: 'silent' });
    const env = settings.env ?? process.env;
    this.scope = {
      steps: this.stepScope,
      vars: settings.vars,
      env: { ...env },
      mission: { name: this.mission.name, version: this.mission.version, file: loaded.file },
      run: { id: settings.runId, workspace: settings.workspace },
      legacy: { ...(restored?.legacy ?? {}) },
    };
    // Masks the environment's credential values in everything recorded, returned or logged.
    const scrubber = createCredentialScrubber(env);
    if (this.logger.isLevelEnabled('debug')) {
      this.logRendered = (step, parameters, index) => {
        const text = scrubber.text(JSON.stringify(parameters) ?? 'null');
        const shown = text.length > maxLoggedParameters ? `${text.slice(0, maxLoggedParameters)}… (${text.length} characters)` : text;
        this.logger.debug({ stepId: step.definition.id, ...(index === undefined ? {} : { index }), parameters: shown }, 'rendered parameters');
      };
    }
    const kept = new Map<string, StepResult>();
    for (const [id, step] of restored?.succeeded ?? []) {
      kept.set(id, { status: 'succeeded', output: step.output, attempts: step.attempts, durationMs: step.durationMs });
      this.stepScope[id] = { output: step.output, status: 'succeeded' };
    }
    this.journal = new RunJournal(settings.store, settings.runId, this.logger, scrubber, settings.onProgress);
    this.scheduler = new RunScheduler(
      this.mission,
      this.journal,
      {
        execute: (step) => this.execute(step),
        conditionHolds: (step) => evaluateCondition(step.definition.condition!, this.scope),
        settled: (step, output) => {
          const result = step.result!;
          this.stepScope[step.definition.id] = { output, status: result.status, ...(result.error ? { error: result.error.message } : {}) };
        },
        finished: () => this.finish(),
        failed: (error) => this.fail(error),
      },
      kept,
    );
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
    const timeoutSeconds = this.mission.timeoutSeconds;
    if (timeoutSeconds) this.deadline = startedAt + timeoutSeconds * 1000;
    const cancelMissionTimeout = timeoutSeconds
      ? startTimer(() => {
          const error = new MissionError(MissionErrorCode.missionTimeout, `the mission timed out after ${timeoutSeconds} s`);
          this.missionError = error;
          this.abortRun(error);
        }, timeoutSeconds * 1000)
      : undefined;

    try {
      this.scheduler.start();
      await done;
    } finally {
      cancelMissionTimeout?.();
      externalSignal?.removeEventListener('abort', onCancel);
    }
    return this.result(performance.now() - startedAt);
  }

  /** Runs a ready step through its attempts and settles it. */
  private async execute(step: StepRuntime): Promise<void> {
    const kind = this.settings.registry.get(step.definition.kind);
    step.startedAt = performance.now();
    if (!kind) {
      this.journal.transition(step, { type: 'start' });
      const error = new MissionError(MissionErrorCode.unsupportedStep, `step kind '${step.definition.kind}' is not registered`);
      return this.scheduler.settle(step, { type: 'fail', retryable: false }, { error });
    }
    this.journal.transition(step, { type: 'start' }, { attempt: 1 });
    const outcome = await runAttempts({
      step,
      kind,
      journal: this.journal,
      logger: this.logger,
      scope: this.scope,
      runSignal: this.controller.signal,
      timeoutMs: (step.definition.timeoutSeconds ?? this.mission.config.timeoutSeconds ?? defaultStepTimeoutSeconds) * 1000,
      maxParallel: this.mission.config.maxParallelSteps,
      remainingMs: () => (this.deadline === undefined ? undefined : Math.max(0, this.deadline - performance.now())),
      contextFor: (signal) => this.contextFor(step, kind, signal),
      onRendered: this.logRendered && ((parameters, index) => this.logRendered!(step, parameters, index)),
    });
    if (outcome.status === 'aborted') return this.settleAborted(step);
    if (outcome.status === 'failed') return this.scheduler.settle(step, { type: 'fail', retryable: false }, { error: outcome.error });
    // Outside the attempt loop: a failure to record the success is the run's failure, not the step's.
    return this.succeed(step, kind, outcome.output);
  }

  /** Settles a step stopped by the run's abort: failed at a mission timeout, else cancelled. */
  private settleAborted(step: StepRuntime): void {
    if (this.missionError) return this.scheduler.settle(step, { type: 'fail', retryable: false }, { error: this.missionError });
    return this.scheduler.settle(step, { type: 'cancel' }, { reason: 'the run was cancelled' });
  }

  private succeed(step: StepRuntime, kind: StepKind, output: unknown): void {
    let legacy: Record<string, string>;
    try {
      legacy = legacyValuesAfter(kind, step.definition.id, output);
    } catch (error) {
      return this.scheduler.settle(step, { type: 'fail', retryable: false }, { error: asCodedError(error) });
    }
    Object.assign(this.scope.legacy!, legacy);
    this.scheduler.settle(step, { type: 'succeed' }, { output });
  }

  /** Stops the run: nothing new starts, and running steps are aborted with `reason`. */
  private abortRun(reason: MissionError): void {
    if (this.controller.signal.aborted) return;
    // The run's result reports it; the log only notes when it happened.
    this.logger.info({ code: reason.code }, reason.message);
    try {
      this.scheduler.stop('cancelled', reason.message);
    } catch (error) {
      // Called from a timer or an abort listener, where a throw would crash the process.
      return this.scheduler.abandon(error);
    }
    this.controller.abort(reason);
  }

  /**
   * The run's bookkeeping failed (the audit store refused an event): stop everything and reject
   * the run rather than report results the audit trail does not hold.
   */
  private fail(error: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(error);
    this.abandon(error);
  }

  private contextFor(step: StepRuntime, kind: StepKind, signal: AbortSignal): StepContext {
    const stepId = step.definition.id;
    return {
      runId: this.settings.runId,
      stepId,
      missionName: this.mission.name,
      workspace: this.settings.workspace,
      signal,
      env: this.settings.env ?? process.env,
      logger: this.logger.child({ stepId, kind: kind.name }),
      attempt: step.snapshot.context.attempt,
      services: this.settings.services ?? {},
      emit: (emitted: StepEmittedEvent) => {
        const { type, audit, payload, durable, ...data } = emitted;
        const progress: RunProgressEvent = { type, stepId, data };
        if (audit === false) this.journal.notify({ ...progress, data: this.journal.scrubber.value(data) });
        else {
          this.journal.record(progress, payload);
          // Written at once (e.g. a process's identity): a kill -9 right after must not lose it.
          if (durable) this.journal.flush();
        }
      },
    };
  }

  private result(durationMs: number): RunResult {
    const steps: Record<string, StepResult> = {};
    for (const [id, runtime] of this.scheduler.steps) steps[id] = runtime.result!;
    const cancelled = this.settings.signal?.aborted === true && this.missionError === undefined;
    const paused = this.scheduler.pausedSteps;
    const failed =
      this.missionError !== undefined ||
      [...this.scheduler.steps.values()].some(
        (runtime) => runtime.result?.status === 'failed' && !runtime.definition.continueOnError && !paused.has(runtime.definition.id),
      );
    const status = cancelled ? 'cancelled' : failed ? 'failed' : paused.size > 0 ? 'paused' : 'succeeded';
    return {
      runId: this.settings.runId,
      status,
      steps,
      outputs: {},
      durationMs: Math.round(durationMs),
      ...(this.missionError ? { error: { code: this.missionError.code, message: this.missionError.message } } : {}),
      ...(cancelled ? { error: { code: MissionErrorCode.cancelled, message: 'the run was cancelled' } } : {}),
    };
  }

  /** Masks the run environment's credential values (for what leaves the run after it ends). */
  get credentialScrubber(): CredentialScrubber {
    return this.journal.scrubber;
  }

  /** The template scope after the run, for rendering the mission's `outputs`. */
  get finalScope(): TemplateScope {
    return this.scope;
  }
}
