/**
 * A step's attempts: run one (`step-attempt.ts`), and on failure ask the retry policy whether and
 * when to try again, recording each retry in the journal. Knows nothing of the DAG: the scheduler
 * hands it a step and gets back how the step ended.
 */
import type { Logger } from 'pino';
import type { CodedError } from '../../providers/errors.js';
import type { TemplateScope } from '../expressions/index.js';
import type { StepContext, StepKind } from '../steps/types.js';
import { sleep } from './abort.js';
import { isRetryableFailure, retryWait } from './retry-delay.js';
import type { RunJournal } from './run-journal.js';
import { asCodedError, runAttempt } from './step-attempt.js';
import { advanceStep, stepStateOf } from './step-machine.js';
import type { StepRuntime } from './step-runtime.js';

/** How a step's attempts ended. */
export type AttemptsOutcome =
  | { status: 'succeeded'; output: unknown }
  | { status: 'failed'; error: CodedError }
  /** The run was stopped (cancelled or timed out) during an attempt or a wait. */
  | { status: 'aborted' };

/** What the attempt loop needs from the run. */
export interface AttemptLoopInput {
  step: StepRuntime;
  kind: StepKind;
  journal: RunJournal;
  logger: Logger;
  scope: TemplateScope;
  runSignal: AbortSignal;
  timeoutMs: number;
  maxParallel: number;
  /** Milliseconds left before the mission's deadline; undefined when it has none. */
  remainingMs(): number | undefined;
  contextFor(signal: AbortSignal): StepContext;
  /** See {@link import('./step-attempt.js').AttemptInput.onRendered}. */
  onRendered?(parameters: Record<string, unknown>, index?: number): void;
}

/** Runs a started step's attempts until one succeeds, the policy gives up, or the run stops. */
export async function runAttempts(input: AttemptLoopInput): Promise<AttemptsOutcome> {
  const { step, journal } = input;
  const policy = step.definition.retry;
  for (;;) {
    let output: unknown;
    try {
      output = await runAttempt({
        step: step.definition,
        kind: input.kind,
        scope: input.scope,
        runSignal: input.runSignal,
        timeoutMs: input.timeoutMs,
        maxParallel: input.maxParallel,
        contextFor: input.contextFor,
        onRendered: input.onRendered,
      });
    } catch (thrown) {
      const error = asCodedError(thrown);
      if (input.runSignal.aborted) return { status: 'aborted' };
      const retryable = isRetryableFailure(error, policy);
      // The machine holds the attempt budget: it decides whether a retryable failure may retry.
      if (!retryable || stepStateOf(advanceStep(step.snapshot, { type: 'fail', retryable })) !== 'retry-wait') return { status: 'failed', error };
      const attempt = step.snapshot.context.attempt;
      const wait = retryWait(policy!, attempt, error, { stepId: step.definition.id, stepTimeoutMs: input.timeoutMs, remainingMs: input.remainingMs() });
      if (typeof wait !== 'number') return { status: 'failed', error: wait };
      journal.transition(step, { type: 'fail', retryable: true }, { attempt, delayMs: wait, error: { ...error.toJSON(), message: journal.scrubber.message(error.message) } });
      input.logger.info({ stepId: step.definition.id, attempt, delayMs: wait, code: error.code }, 'step failed; retrying');
      try {
        await sleep(wait, input.runSignal);
      } catch {
        return { status: 'aborted' };
      }
      journal.transition(step, { type: 'retry' }, { attempt: attempt + 1 });
      continue;
    }
    return { status: 'succeeded', output };
  }
}
