/**
 * The run's journal: every step-machine transition and step event is appended to the audit chain
 * and told to the progress listener. The one place that writes a run's events, so a new concern
 * (the LLM layer's calls, budgets) records through it without knowing the scheduler.
 */
import type { Logger } from 'pino';
import type { AuditStore } from '../store/index.js';
import type { CredentialScrubber } from '../credential-scrubber.js';
import { withPrivateError } from './private-error.js';
import type { RunProgressEvent } from './run-types.js';
import type { StepRuntime } from './step-runtime.js';
import { advanceStep, stepStateOf, type StepMachineEvent } from './step-machine.js';

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

/** Appends a run's events to the store and tells the progress listener (and, at `debug`, the log). */
export class RunJournal {
  /** Read once: the check would otherwise run for each of a large mission's 30,000 events. */
  private readonly debug: boolean;

  constructor(
    private readonly store: AuditStore,
    private readonly runId: string,
    private readonly logger: Logger,
    /** Masks the environment's credential values in everything the run records or shows. */
    readonly scrubber: CredentialScrubber,
    private readonly onProgress?: (event: RunProgressEvent) => void,
  ) {
    this.debug = logger.isLevelEnabled('debug');
  }

  /** Advances the step's machine and audits the state it enters; a no-op when `event` does not apply. */
  transition(step: StepRuntime, event: StepMachineEvent, data: Record<string, unknown> = {}, payload?: unknown): void {
    const next = advanceStep(step.snapshot, event);
    if (next === step.snapshot) return;
    step.snapshot = next;
    const type = eventForState[stepStateOf(next)];
    if (!type) return;
    // Step start and end with attempts and timing: what someone debugging a run reads first.
    if (this.debug) this.logger.debug({ stepId: step.definition.id, ...data }, type);
    this.record({ type, stepId: step.definition.id, data }, payload);
  }

  /**
   * Appends an event (with an erasable payload) and tells the progress listener. Credential values
   * are masked in both; the listener sees the whole error, the chain only its code (the message
   * may quote inputs, so it goes to the erasable payload: see private-error.ts).
   */
  record(event: RunProgressEvent, payload?: unknown): void {
    const recorded = { ...event, data: this.scrubber.value(event.data) };
    const audited = withPrivateError(recorded.data, this.scrubber.value(payload));
    this.store.append(this.runId, { type: recorded.type, stepId: recorded.stepId, data: audited.data, payload: audited.payload });
    this.notify(recorded);
  }

  /** Writes what is pending to the store now. */
  flush(): void {
    this.store.flush();
  }

  /** Tells the progress listener only (step chatter such as streamed tokens); a broken display must not change the run's outcome. */
  notify(event: RunProgressEvent): void {
    if (!this.onProgress) return;
    try {
      this.onProgress(event);
    } catch (error) {
      this.logger.warn({ err: error, event: event.type }, 'the onProgress listener threw; ignored');
    }
  }
}
