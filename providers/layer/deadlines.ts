/**
 * The deadlines of one attempt, measured on the injected clock between the events the adapter
 * emits: connect (until the response starts), first token (until the first content), idle (the
 * longest gap between events once the response started: keep-alive comments never become events,
 * so a stream that only sends those stalls here) and the call's total deadline. Each fires as a
 * retryable `LLM_ERR_TIMEOUT` whose `deadline` names it.
 */
import { Observable } from 'rxjs';
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
 * Applies the deadlines to an attempt. `deadlineAt` is the call's total deadline (epoch ms on the
 * clock). One timer at a time: it is armed for the earliest pending deadline and, when it fires,
 * re-armed if events moved that deadline on, so a fast stream costs no timer churn per chunk.
 */
export function withDeadlines(
  source: Observable<LlmEvent>,
  policy: TimeoutPolicy,
  clock: LayerClock,
  deadlineAt: number,
  provider: string,
  model: string,
): Observable<LlmEvent> {
  return new Observable<LlmEvent>((subscriber) => {
    const startedAt = clock.now();
    let started = false;
    let content = false;
    let lastEventAt = startedAt;
    let timer: unknown;
    let done = false;

    /** The earliest deadline still pending, and its name. */
    const next = (): { at: number; name: DeadlineName; limit: number } => {
      let at = deadlineAt;
      let name: DeadlineName = 'total';
      let limit = policy.totalMs;
      const consider = (candidate: number, candidateName: DeadlineName, candidateLimit: number): void => {
        if (candidate < at) {
          at = candidate;
          name = candidateName;
          limit = candidateLimit;
        }
      };
      if (!started) consider(startedAt + policy.connectMs, 'connect', policy.connectMs);
      if (!content) consider(startedAt + policy.firstTokenMs, 'first-token', policy.firstTokenMs);
      if (started) consider(lastEventAt + policy.idleMs, 'idle', policy.idleMs);
      return { at, name, limit };
    };

    const arm = (): void => {
      const pending = next();
      timer = clock.setTimeout(check, Math.max(0, pending.at - clock.now()));
    };

    const check = (): void => {
      timer = undefined;
      if (done) return;
      const pending = next();
      if (clock.now() < pending.at) {
        arm();
        return;
      }
      done = true;
      subscription.unsubscribe();
      subscriber.error(new DeadlineError(pending.name, pending.limit, provider, model));
    };

    arm();
    const subscription = source.subscribe({
      next(event) {
        if (done) return;
        lastEventAt = clock.now();
        started = true;
        if (!content && isContent(event)) content = true;
        subscriber.next(event);
      },
      error(error) {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        subscriber.error(error);
      },
      complete() {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        subscriber.complete();
      },
    });
    if (done) subscription.unsubscribe();
    return () => {
      done = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      subscription.unsubscribe();
    };
  });
}
