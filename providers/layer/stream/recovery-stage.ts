/**
 * Stream recovery: the `wrapCall` stage that keeps an answer going when its stream is cut after
 * content began. The routed call underneath never retries after content; it fails with an
 * `incomplete` error, and this stage decides:
 *
 * - `continue` (default): run the call again with `LayerRequest.continuation` set to the text
 *   delivered so far (the attempt turns it into a prefill or an explicit continuation request),
 *   trim whatever the continuation's head repeats, and hand the consumer one uninterrupted text;
 * - `restart`: run the whole call again from scratch; the `stream-resume` event carries
 *   `deliveredChars: 0`, which tells the consumer to drop what it has shown;
 * - `off`: the incomplete error reaches the consumer.
 *
 * A tool call whose arguments were half streamed is never guessed at: with text already delivered
 * the call fails with `LLM_ERR_TOOL_CALL_INTERRUPTED`; with none it is re-run whole. Usage of all
 * attempts is summed into the one final `usage` event, and each attempt of a recovered call is
 * recorded in the audit trail (`llm-stream-attempt`: target, delivered length, reason).
 */
import { Observable, type Subscription } from 'rxjs';
import { LlmError, LlmErrorCode } from '../../errors.js';
import type { LlmEvent, Usage } from '../../types.js';
import type { CallContext, CallStage, LayerClock, LayerRequest } from '../stage.js';
import { rebuildError } from '../rebuild-error.js';
import { DeliveredText } from './delivered-text.js';
import { mayStillOverlap, overlapLength, overlapWindowChars } from './overlap.js';
import type { RecoveryPolicy } from './recovery-policy.js';
import { addUsage } from './usage-sum.js';

/** Options of {@link createStreamRecoveryStage}. */
export interface StreamRecoveryOptions {
  /** The policy of one call (see `recoveryPolicyFor`). */
  policyFor(request: LayerRequest): RecoveryPolicy;
  /** Timers for the delay before a resume (fake timers in tests); the global ones by default. */
  clock?: Pick<LayerClock, 'setTimeout' | 'clearTimeout'>;
}

const systemClock: Pick<LayerClock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The stream recovery stage (name `stream-recovery`). */
export function createStreamRecoveryStage(options: StreamRecoveryOptions): CallStage {
  const clock = options.clock ?? systemClock;
  return {
    name: 'stream-recovery',
    wrapCall: (context, next) => recoveredCall(context, next, options.policyFor(context.request), clock),
  };
}

/** Why an attempt ended, for the audit trail. */
type AttemptOutcome = 'finished' | 'cut' | 'failed';

function recoveredCall(
  context: CallContext,
  next: (request: LayerRequest) => Observable<LlmEvent>,
  policy: RecoveryPolicy,
  clock: Pick<LayerClock, 'setTimeout' | 'clearTimeout'>,
): Observable<LlmEvent> {
  if (policy.mode === 'off') return next(context.request);
  return new Observable<LlmEvent>((subscriber) => {
    let subscription: Subscription | undefined;
    let timer: unknown;
    let closed = false;
    /** The answer's text as the consumer has it. */
    const delivered = new DeliveredText();
    /** Content of any kind (text, reasoning, tool calls) the consumer has seen. */
    let sawContent = false;
    const toolDeltaIndexes = new Set<number>();
    let completedToolCalls = 0;
    let usage: Usage | undefined;
    let generationSeen = false;
    let resumes = 0;
    let attempt = 0;
    /** Set between a cut and the continuation's `start`: what `stream-resume` will say. */
    let pendingResume: { from: string; deliveredChars: number; errorCode: string } | undefined;
    /** The continuation's first text, held until it is clear how much of it repeats `delivered`. */
    let head: string | undefined;
    let target = '';
    let attemptChars = 0;
    let attemptUsage: Usage | undefined;
    let recorded = false;

    const emitText = (text: string): void => {
      if (!text) return;
      delivered.append(text);
      attemptChars += text.length;
      subscriber.next({ type: 'text-delta', text });
    };

    const settleHead = (): void => {
      if (head === undefined) return;
      const text = head;
      head = undefined;
      emitText(text.slice(overlapLength(delivered.tail(overlapWindowChars), text)));
    };

    const record = (outcome: AttemptOutcome, reason: string, nextStep?: string): void => {
      // Calls that were never cut keep their single llm-response record; only recovered ones list attempts.
      if (!recorded && outcome === 'finished') return;
      recorded = true;
      context.record({
        type: 'llm-stream-attempt',
        attempt,
        target,
        deliveredChars: attemptChars,
        totalDeliveredChars: delivered.length,
        outcome,
        reason,
        usage: attemptUsage ? 'reported' : 'missing',
        ...(nextStep ? { next: nextStep } : {}),
      });
    };

    const finishAttempt = (): void => {
      subscription = undefined;
      attemptChars = 0;
      attemptUsage = undefined;
      target = '';
    };

    const fail = (error: unknown): void => {
      closed = true;
      subscriber.error(error);
    };

    const run = (request: LayerRequest): void => {
      attempt++;
      let finished = false;
      subscription = next(request).subscribe({
        next(event) {
          if (closed) return;
          switch (event.type) {
            case 'generation':
              if (generationSeen) return;
              generationSeen = true;
              subscriber.next(event);
              return;
            case 'start':
              // The attempt's target is its first start; a second one only names the served model.
              if (target === '') target = `${event.provider}/${event.model}`;
              if (pendingResume) {
                subscriber.next({ type: 'stream-resume', attempt: resumes, from: pendingResume.from, to: target, deliveredChars: pendingResume.deliveredChars, errorCode: pendingResume.errorCode });
                pendingResume = undefined;
              }
              subscriber.next(event);
              return;
            case 'text-delta':
              sawContent = true;
              if (head !== undefined) {
                head += event.text;
                if (!mayStillOverlap(delivered.tail(overlapWindowChars), head)) settleHead();
              } else {
                emitText(event.text);
              }
              return;
            case 'usage':
              attemptUsage = event.usage;
              usage = usage ? addUsage(usage, event.usage) : event.usage;
              return;
            case 'finish':
              settleHead();
              finished = true;
              if (usage) subscriber.next({ type: 'usage', usage });
              record('finished', event.reason);
              break;
            case 'reasoning-delta':
              sawContent = true;
              break;
            case 'tool-call-delta':
              sawContent = true;
              toolDeltaIndexes.add(event.index);
              break;
            case 'tool-call':
              sawContent = true;
              completedToolCalls++;
              break;
            default:
              // Notices (start, retry, failover, circuit changes) pass a held head untouched.
              subscriber.next(event);
              return;
          }
          // Content of another kind, or the finish, ends the continuation's head: it is decided now.
          settleHead();
          subscriber.next(event);
        },
        error(error: unknown) {
          if (closed) return;
          settleHead();
          recover(error);
        },
        complete() {
          if (closed) return;
          settleHead();
          if (!finished) {
            // A call that ends without `finish` was cut, whatever its transport said.
            recover(new LlmError(LlmErrorCode.streamInterrupted, 'the answer ended without a finish', { isRetryable: true, incomplete: sawContent }));
            return;
          }
          closed = true;
          finishAttempt();
          subscriber.complete();
        },
      });
    };

    const recover = (error: unknown): void => {
      const from = target;
      const typed = error instanceof LlmError ? error : undefined;
      const code = typed?.code ?? LlmErrorCode.streamInterrupted;
      const toolInFlight = toolDeltaIndexes.size > completedToolCalls;
      const restartable = delivered.length === 0 && completedToolCalls === 0;
      // The call's total deadline is the caller's bound on the whole answer: no resume outlives it.
      const outOfTime = (typed as { deadline?: unknown } | undefined)?.deadline === 'total';
      const canResume = typed !== undefined && typed.isRetryable && !outOfTime && resumes < policy.maxResumes && !context.signal?.aborted;
      // Before any content the routed call has already retried and failed over what it could.
      if (!sawContent || !canResume) {
        record('failed', code);
        finishAttempt();
        fail(sawContent ? incompleteError(error, delivered.length) : error);
        return;
      }
      if (toolInFlight && !restartable && policy.mode === 'continue') {
        record('cut', code, 'fail');
        finishAttempt();
        fail(
          new LlmError(LlmErrorCode.toolCallInterrupted, `a tool call was cut mid-arguments after ${delivered.length} characters of text; it is not guessed at`, {
            cause: error,
            incomplete: true,
            deliveredChars: delivered.length,
            provider: typed.provider,
          }),
        );
        return;
      }
      resumes++;
      const restart = policy.mode === 'restart' || restartable;
      record('cut', code, restart ? 'restart' : 'continue');
      finishAttempt();
      pendingResume = { from, deliveredChars: restart ? 0 : delivered.length, errorCode: code };
      let request: LayerRequest = context.request;
      if (restart) {
        delivered.clear();
        sawContent = false;
        toolDeltaIndexes.clear();
        completedToolCalls = 0;
      } else {
        request = { ...context.request, continuation: { deliveredText: delivered.toString() } };
        head = '';
      }
      timer = clock.setTimeout(() => {
        timer = undefined;
        if (!closed) run(request);
      }, policy.delayMs(resumes, typed));
    };

    const onAbort = (): void => {
      if (closed || timer === undefined) return;
      clock.clearTimeout(timer);
      timer = undefined;
      fail(new LlmError(LlmErrorCode.aborted, 'the call was cancelled', { incomplete: sawContent, deliveredChars: delivered.length }));
    };
    context.signal?.addEventListener('abort', onAbort, { once: true });

    run(context.request);
    return () => {
      closed = true;
      context.signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clock.clearTimeout(timer);
      subscription?.unsubscribe();
    };
  });
}

/** `error` as the consumer must see it: the answer is incomplete, with this much text delivered. */
function incompleteError(error: unknown, deliveredChars: number): unknown {
  if (!(error instanceof LlmError)) return error;
  if (error.incomplete === true && error.deliveredChars === deliveredChars) return error;
  return rebuildError(error, error.message, { incomplete: true, deliveredChars });
}
