/**
 * The deadlines of one attempt, measured on the injected clock between the events the adapter
 * emits: connect (until the response starts), first token (until the first content), idle (the
 * longest gap between events once the response started: keep-alive comments never become events,
 * so a stream that only sends those stalls here) and the call's total deadline. Each fires as a
 * retryable `LLM_ERR_TIMEOUT` whose `deadline` names it.
 */
import { LlmError, LlmErrorCode, type LlmErrorDetails } from '../errors.js';
import type { LlmEvent } from '../types.js';
import type { TimeoutPolicy } from './resolve-policies.js';
import type { LayerClock } from './stage.js';

/** Which deadline fired. */
export type DeadlineName = 'connect' | 'first-token' | 'idle' | 'total';

/** An `LLM_ERR_TIMEOUT` raised by one of the layer's deadlines. */
export class DeadlineError extends LlmError {
  /** The deadline that fired. */
  readonly deadline: DeadlineName;
  /** Its length in milliseconds. */
  readonly limitMs: number;

  constructor(deadline: DeadlineName, limitMs: number, provider: string, model: string, details: LlmErrorDetails & { message?: string } = {}) {
    super(LlmErrorCode.timeout, details.message ?? `${provider}/${model}: ${describe(deadline)} deadline of ${limitMs} ms passed`, {
      provider,
      isRetryable: true,
      ...details,
    });
    this.deadline = deadline;
    this.limitMs = limitMs;
  }

  override toJSON(): ReturnType<LlmError['toJSON']> & { deadline: DeadlineName; limitMs: number } {
    return { ...super.toJSON(), deadline: this.deadline, limitMs: this.limitMs };
  }
}

function describe(deadline: DeadlineName): string {
  switch (deadline) {
    case 'connect':
      return 'connect (no response started)';
    case 'first-token':
      return 'first-token (no content arrived)';
    case 'idle':
      return 'idle (no data between chunks)';
    case 'total':
      return 'total (the call took too long)';
  }
}

/** Whether an event is answer content (the first one ends the first-token deadline). */
export function isContent(event: LlmEvent): boolean {
  const type = event.type;
  return type === 'text-delta' || type === 'reasoning-delta' || type === 'tool-call-delta' || type === 'tool-call';
}

/**
 * The deadlines of the attempts of one call. The call runner reports each event; one timer at a
 * time is armed for the earliest pending deadline and, when it fires, re-armed if events moved that
 * deadline on, so a fast stream costs one clock read per event and no timer churn. One instance
 * serves every attempt of a call (allocation-light hot path).
 */
export class AttemptDeadlines {
  private policy!: TimeoutPolicy;
  private deadlineAt = 0;
  private provider = '';
  private model = '';
  private startedAt = 0;
  private lastEventAt = 0;
  private started = false;
  private content = false;
  private active = false;
  private timer: unknown;
  private readonly check = (): void => this.onTimer();

  constructor(
    private readonly clock: LayerClock,
    /** Called once when a deadline passes; the runner cancels the attempt and fails it with the error. */
    private readonly expired: (error: DeadlineError) => void,
  ) {}

  /** Starts the deadlines of a new attempt; `deadlineAt` is the call's total deadline (epoch ms on the clock). */
  start(policy: TimeoutPolicy, deadlineAt: number, provider: string, model: string): void {
    this.stop();
    this.policy = policy;
    this.deadlineAt = deadlineAt;
    this.provider = provider;
    this.model = model;
    this.startedAt = this.lastEventAt = this.clock.now();
    this.started = false;
    this.content = false;
    this.active = true;
    this.arm();
  }

  /** An event of the current attempt arrived; `content` when it is answer content. */
  event(content: boolean): void {
    this.lastEventAt = this.clock.now();
    this.started = true;
    if (content) this.content = true;
  }

  /** The attempt ended: no deadline applies any more. */
  stop(): void {
    this.active = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const at = this.earliest();
    this.timer = this.clock.setTimeout(this.check, Math.max(0, at - this.clock.now()));
  }

  private onTimer(): void {
    this.timer = undefined;
    if (!this.active) return;
    if (this.clock.now() < this.earliest()) return this.arm();
    this.active = false;
    this.expired(new DeadlineError(this.name, this.limit, this.provider, this.model));
  }

  // The earliest pending deadline, its name and length (set as a side effect, read on expiry).
  private name: DeadlineName = 'total';
  private limit = 0;

  private earliest(): number {
    const policy = this.policy;
    let at = this.deadlineAt;
    this.name = 'total';
    this.limit = policy.totalMs;
    if (!this.started && this.startedAt + policy.connectMs < at) {
      at = this.startedAt + policy.connectMs;
      this.name = 'connect';
      this.limit = policy.connectMs;
    }
    if (!this.content && this.startedAt + policy.firstTokenMs < at) {
      at = this.startedAt + policy.firstTokenMs;
      this.name = 'first-token';
      this.limit = policy.firstTokenMs;
    }
    if (this.started && this.lastEventAt + policy.idleMs < at) {
      at = this.lastEventAt + policy.idleMs;
      this.name = 'idle';
      this.limit = policy.idleMs;
    }
    return at;
  }
}
