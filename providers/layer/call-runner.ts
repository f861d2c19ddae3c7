/**
 * The routed, retried, failed-over core of a call (what `wrapCall` stages see as `next`). It plans
 * the targets, runs attempts, and feeds each outcome to the call machine, whose next state says
 * what to do: wait and retry, fail over, or finish. Layer events (`retry`, `failover`, `circuit-*`)
 * go to the caller's stream and to the audit sink.
 */
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { LlmError, LlmErrorCode } from '../errors.js';
import type { CallOptions, LlmEvent, ProviderAdapter } from '../types.js';
import { asLlmError, attemptEvents, estimateTokens, providerRequestFor } from './attempt.js';
import { advanceCall, startCall, type CallSnapshot } from './call-machine.js';
import { AttemptDeadlines, isContent, type DeadlineError } from './deadlines.js';
import type { HealthTracker } from './health.js';
import type { ResolvedRoute, ResolvedTarget } from './resolve-policies.js';
import { failureFacts } from './failure-facts.js';
import { rebuildError, withRefusal } from './rebuild-error.js';
import { decideWait } from './retry-delay.js';
import type { Router } from './routing.js';
import { auditEventFor } from './sink.js';
import type { CallContext, CallStage, LayerClock, LayerRequest, RateLimiter, RateLimitPermit } from './stage.js';

/** What every call shares: policies, health, routing, limiter, stages. */
export interface CallCore {
  clock: LayerClock;
  health: HealthTracker;
  router: Router;
  rateLimiter?: RateLimiter;
  attemptStages: readonly CallStage[];
  random: () => number;
  adapterFor(provider: string): ProviderAdapter;
}

/** Runs a call on `route`: one subscription, one call. */
export function routedCall(core: CallCore, context: CallContext, route: ResolvedRoute, routeName: string | undefined, options: CallOptions | undefined): Observable<LlmEvent> {
  return new Observable<LlmEvent>((subscriber) => {
    const run = new CallRun(core, context, route, routeName, options, subscriber);
    run.start();
    return () => run.dispose();
  });
}

class CallRun {
  private snapshot!: CallSnapshot;
  private plan: ResolvedTarget[] = [];
  private deadlineAt = 0;
  private waitedMs = 0;
  private finished = false;
  private subscription: Subscription | undefined;
  private backoffTimer: unknown;
  private permit: RateLimitPermit | undefined;
  private target: ResolvedTarget | undefined;
  private attemptStartedAt = 0;
  private firstContentAt: number | undefined;
  private contentStarted = false;
  private deliveredChars = 0;
  private usageTokens: number | undefined;
  /** Breaker changes collected while recording an outcome, then emitted (one array per call, reused). */
  private readonly changes: LlmEvent[] = [];
  /** Created only for calls with a signal: most calls have none. */
  private onAbort: (() => void) | undefined;
  /** Counts attempts, so callbacks of an attempt that was given up (a deadline, a failover) are ignored. */
  private attemptToken = 0;
  private readonly deadlines: AttemptDeadlines;

  constructor(
    private readonly core: CallCore,
    private readonly context: CallContext,
    private readonly route: ResolvedRoute,
    private readonly routeName: string | undefined,
    private readonly options: CallOptions | undefined,
    private readonly subscriber: Subscriber<LlmEvent>,
  ) {
    this.deadlines = new AttemptDeadlines(core.clock, (error) => this.onDeadline(error));
  }

  start(): void {
    const signal = this.options?.signal;
    if (signal) {
      this.onAbort = () => this.fail(new LlmError(LlmErrorCode.aborted, 'the call was cancelled'));
      if (signal.aborted) return this.onAbort();
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    this.plan = this.core.router.plan(this.route);
    if (this.plan.length === 0) {
      const keys = this.route.targets.map((target) => target.key).join(', ');
      return this.fail(new LlmError(LlmErrorCode.circuitOpen, `every target of ${this.describeRoute()} has an open circuit (${keys}); try again shortly`, { isRetryable: true }));
    }
    this.deadlineAt = this.core.clock.now() + this.plan[0].timeouts.totalMs;
    this.snapshot = startCall(this.plan.length);
    this.runAttempt();
  }

  dispose(): void {
    if (!this.finished && this.target) this.core.health.abandon(this.target.key);
    this.finished = true;
    this.cleanUp();
  }

  private runAttempt(): void {
    const target = this.plan[this.snapshot.context.targetIndex];
    this.target = target;
    const admitted = this.core.health.admit(target.key, target.provider, target.model, this.changes);
    this.emitChanges();
    if (!admitted) {
      return this.onFailure(target, new LlmError(LlmErrorCode.circuitOpen, `${target.key} has an open circuit`, { provider: target.provider }));
    }
    const limiter = this.core.rateLimiter;
    if (!limiter) return this.send(target);
    limiter
      .acquire({
        provider: target.provider,
        model: target.model,
        estimatedTokens: estimateTokens(providerRequestFor(this.context.request, target)),
        deadlineAt: this.deadlineAt,
        signal: this.options?.signal,
      })
      .then(
        (permit) => {
          if (this.finished) return permit.release();
          this.permit = permit;
          this.send(target);
        },
        (error: unknown) => {
          if (!this.finished) this.onFailure(target, asLlmError(error, target.provider), false);
        },
      );
  }

  private send(target: ResolvedTarget): void {
    const token = ++this.attemptToken;
    this.attemptStartedAt = this.core.clock.now();
    this.firstContentAt = undefined;
    this.usageTokens = undefined;
    let events: Observable<LlmEvent>;
    try {
      events = attemptEvents({
        context: this.context,
        attempt: this.snapshot.context.attempt,
        target,
        routeName: this.routeName,
        adapter: this.core.adapterFor(target.provider),
        stages: this.core.attemptStages,
        options: this.options,
      });
    } catch (error) {
      return this.onFailure(target, asLlmError(error, target.provider));
    }
    // Armed before subscribing: an adapter may answer synchronously.
    this.deadlines.start(target.timeouts, this.deadlineAt, target.provider, target.model);
    const subscription = events.subscribe({
      next: (event) => {
        if (token === this.attemptToken) this.onEvent(target, event);
      },
      error: (error: unknown) => {
        if (token === this.attemptToken) this.onFailure(target, asLlmError(error, target.provider));
      },
      complete: () => {
        if (token === this.attemptToken) this.onSuccess(target);
      },
    });
    // Only the current attempt's subscription is kept (a synchronous failure may have started the next one).
    if (token !== this.attemptToken || this.finished || subscription.closed) {
      if (token !== this.attemptToken || this.finished) subscription.unsubscribe();
      return;
    }
    this.subscription = subscription;
  }

  private onDeadline(error: DeadlineError): void {
    const target = this.target;
    if (this.finished || !target) return;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.attemptToken++;
    subscription?.unsubscribe();
    this.onFailure(target, error);
  }

  private onEvent(target: ResolvedTarget, event: LlmEvent): void {
    if (this.finished) return;
    const content = isContent(event);
    this.deadlines.event(content);
    if (content) {
      if (this.firstContentAt === undefined) this.firstContentAt = this.core.clock.now();
      this.contentStarted = true;
      if (event.type === 'text-delta') this.deliveredChars += event.text.length;
    } else if (event.type === 'start') {
      if (event.rateLimit && this.core.rateLimiter) this.core.rateLimiter.observe(target.provider, target.model, event.rateLimit);
    } else if (event.type === 'usage') {
      this.usageTokens = event.usage.totalTokens;
    }
    this.subscriber.next(event);
  }

  private onSuccess(target: ResolvedTarget): void {
    if (this.finished) return;
    this.deadlines.stop();
    this.subscription = undefined;
    this.releasePermit();
    const firstToken = this.firstContentAt === undefined ? undefined : this.firstContentAt - this.attemptStartedAt;
    this.core.health.recordSuccess(target.key, target.provider, target.model, firstToken, this.changes);
    this.emitChanges();
    this.snapshot = advanceCall(this.snapshot, { type: 'attempt.succeeded' });
    this.finished = true;
    this.cleanUp();
    this.subscriber.complete();
  }

  private onFailure(target: ResolvedTarget, error: LlmError, countsForHealth = true): void {
    if (this.finished) return;
    this.deadlines.stop();
    this.subscription = undefined;
    this.releasePermit();
    const code = error.code;
    const aborted = code === LlmErrorCode.aborted || this.options?.signal?.aborted === true;
    if (countsForHealth && !aborted) this.core.health.recordFailure(target.key, target.provider, target.model, error, this.changes);
    else this.core.health.abandon(target.key);
    if (error.rateLimit && this.core.rateLimiter) this.core.rateLimiter.observe(target.provider, target.model, error.rateLimit);
    this.emitChanges();
    if (this.contentStarted && !error.incomplete) error = this.incomplete(error);
    const context = this.snapshot.context;
    const retryable = error.isRetryable && !this.contentStarted;
    const wait = retryable
      ? decideWait({
          error,
          policy: target.retry,
          attemptOnTarget: context.attemptOnTarget,
          waitedMs: this.waitedMs,
          now: this.core.clock.now(),
          deadlineAt: this.deadlineAt,
          random: this.core.random,
        })
      : { delayMs: undefined };
    this.snapshot = advanceCall(
      this.snapshot,
      failureFacts(error, {
        retryable,
        final: this.contentStarted || aborted,
        delayMs: wait.delayMs,
        circuitOpen: this.core.health.isOpen(target.key),
        maxAttempts: target.retry.maxAttempts,
      }),
    );
    switch (this.snapshot.value) {
      case 'backoff': {
        const delayMs = this.snapshot.context.delayMs;
        this.waitedMs += delayMs;
        this.emit({ type: 'retry', attempt: context.attempt, delayMs, errorCode: code, target: target.key, reason: error.message });
        this.backoffTimer = this.core.clock.setTimeout(() => this.afterBackoff(), delayMs);
        return;
      }
      case 'attempting': {
        const next = this.plan[this.snapshot.context.targetIndex];
        this.emit({ type: 'failover', from: target.key, to: next.key, errorCode: code }, { attempt: context.attempt, reason: error.message });
        return this.runAttempt();
      }
      case 'budget-exhausted':
        this.context.record({ type: 'llm-budget-exhausted', target: target.key, attempt: context.attempt, errorCode: code });
        return this.fail(error);
      default:
        this.context.record({ type: 'llm-failed', target: target.key, attempt: context.attempt, errorCode: code, ...(wait.refusal ? { reason: wait.refusal } : {}) });
        return this.fail(wait.refusal ? withRefusal(error, wait.refusal) : error);
    }
  }

  private afterBackoff(): void {
    this.backoffTimer = undefined;
    if (this.finished) return;
    this.snapshot = advanceCall(this.snapshot, { type: 'backoff.elapsed' });
    this.runAttempt();
  }

  private incomplete(error: LlmError): LlmError {
    return rebuildError(error, `${error.message} (after ${this.deliveredChars} characters of the answer)`, {
      incomplete: true,
      deliveredChars: this.deliveredChars,
    });
  }

  private fail(error: LlmError): void {
    if (this.finished) return;
    this.finished = true;
    this.cleanUp();
    this.subscriber.error(error);
  }

  private emit(event: LlmEvent, extra?: Record<string, unknown>): void {
    this.subscriber.next(event);
    const audit = auditEventFor(event);
    if (audit) this.context.record(extra ? { ...audit, ...extra } : audit);
  }

  private emitChanges(): void {
    const changes = this.changes;
    if (changes.length === 0) return;
    for (let index = 0; index < changes.length; index++) this.emit(changes[index]);
    changes.length = 0;
  }

  private releasePermit(): void {
    const permit = this.permit;
    this.permit = undefined;
    permit?.release(this.usageTokens === undefined ? undefined : { totalTokens: this.usageTokens });
  }

  private cleanUp(): void {
    this.deadlines.stop();
    this.attemptToken++;
    if (this.onAbort) this.options?.signal?.removeEventListener('abort', this.onAbort);
    if (this.backoffTimer !== undefined) this.core.clock.clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    this.releasePermit();
    const subscription = this.subscription;
    this.subscription = undefined;
    subscription?.unsubscribe();
  }

  private describeRoute(): string {
    return this.routeName ? `route '${this.routeName}'` : this.route.name;
  }
}
