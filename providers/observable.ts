/**
 * Bridges adapters' async generators to cold RxJS Observables: each subscription runs the
 * generator once; unsubscribing (or the caller's signal) aborts the HTTP request underneath.
 */
import { Observable } from 'rxjs';
import { LlmError, LlmErrorCode } from './errors.js';
import { IdleWatchdog } from './idle-watchdog.js';
import { boundedText, resolveStreamLimits, responseTooLarge } from './stream-limits.js';
import { emptyUsage, type CallOptions, type LlmEvent, type LlmResponse } from './types.js';

/**
 * Runs `produce` per subscription, with a signal that fires on unsubscribe or caller abort.
 * `produce` may yield arrays of events (say, all events of one network chunk): they are emitted
 * one by one, in order, but cost one await instead of one per event; an array is emptied once
 * its events were emitted (yield a fresh one each time).
 *
 * This is every streaming adapter's read loop, so the stream-wide rules live here once:
 * - flow control: before asking `produce` for more (which reads the next network chunk), it
 *   awaits `options.demand`, so a consumer that stops pulling stops the socket being read;
 * - bounds (`options.limits`, defaults in `stream-limits.ts`): an answer longer than
 *   `maxResponseChars` (text, reasoning and tool arguments) ends in `LLM_ERR_RESPONSE_TOO_LARGE`;
 *   a stream that produces no event for `idleMs` once its headers came (the first item `produce`
 *   yields, possibly an empty batch, marks them; keep-alive comments and
 *   pings produce none; time spent waiting for the consumer does not count) ends in a retryable
 *   `LLM_ERR_TIMEOUT`; error messages are cut to `maxErrorMessageChars`.
 */
export function eventStream(
  provider: string,
  options: CallOptions | undefined,
  produce: (signal: AbortSignal) => AsyncIterable<LlmEvent | LlmEvent[]>,
): Observable<LlmEvent> {
  const limits = resolveStreamLimits(options?.limits);
  const demand = options?.demand;
  return new Observable<LlmEvent>((subscriber) => {
    const controller = new AbortController();
    const callerSignal = options?.signal;
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    // Once the producer has run to its end there is no request left to abort; aborting anyway
    // would only build an AbortError (and its stack trace) on every completed call.
    let finished = false;
    let failure: LlmError | undefined;
    const fail = (error: LlmError): void => {
      failure ??= error;
      if (!controller.signal.aborted) controller.abort(error);
    };
    const watchdog = new IdleWatchdog(limits.idleMs, () =>
      fail(
        new LlmError(LlmErrorCode.timeout, `${provider} stream produced nothing for ${limits.idleMs} ms (keep-alives do not count)`, {
          provider,
          isRetryable: true,
        }),
      ),
    );
    let responseChars = 0;
    const emit = (event: LlmEvent): boolean => {
      if (subscriber.closed || failure) return false;
      const size = contentLength(event);
      if (size > 0) {
        responseChars += size;
        if (responseChars > limits.maxResponseChars) {
          fail(responseTooLarge(provider, 'an answer', limits.maxResponseChars, 'characters'));
          return false;
        }
      }
      subscriber.next(event);
      return true;
    };
    const emitItem = (item: LlmEvent | LlmEvent[]): void => {
      if (Array.isArray(item)) {
        for (let index = 0; index < item.length; index++) if (!emit(item[index])) break;
        // Emptied once emitted: the producer's frame may still hold the array while the consumer
        // is waited for, and its events are the consumer's now.
        item.length = 0;
      } else {
        emit(item);
      }
    };
    void (async () => {
      // Iterated by hand rather than with for await, whose loop variable would keep each batch
      // (and so every event in it) alive while the consumer is waited for.
      let items: AsyncIterator<LlmEvent | LlmEvent[]> | undefined;
      let exhausted = false;
      try {
        items = produce(controller.signal)[Symbol.asyncIterator]();
        for (;;) {
          let step: IteratorResult<LlmEvent | LlmEvent[]> | undefined;
          try {
            step = await items.next();
          } catch (error) {
            exhausted = true;
            throw error;
          }
          if (step.done) {
            exhausted = true;
            break;
          }
          // The first item comes once the response headers did (an adapter whose first event
          // needs body bytes yields an empty batch then): from here on, silence is a stall.
          watchdog.progress();
          emitItem(step.value);
          step = undefined;
          if (subscriber.closed || failure) break;
          if (demand) {
            const pending = demand();
            if (pending) {
              watchdog.pause();
              // A cancelled call must not wait on a consumer that may never ask again.
              await untilDemandOrAbort(pending, controller.signal);
              watchdog.resume();
              if (subscriber.closed || failure || controller.signal.aborted) break;
            }
          }
        }
        // Left early, as a for await's break would: the producer is closed.
        if (!exhausted) {
          exhausted = true;
          await items.return?.();
        }
        if (failure) throw failure;
        // Cancelled while waiting for the consumer: that is not a completed answer.
        if (controller.signal.aborted) throw new LlmError(LlmErrorCode.aborted, `${provider} call was cancelled`, { provider });
        finished = true;
        if (!subscriber.closed) subscriber.complete();
      } catch (error) {
        if (items && !exhausted) {
          exhausted = true;
          try {
            await items.return?.();
          } catch {
            // The first failure is the one reported.
          }
        }
        if (subscriber.closed) return;
        subscriber.error(bounded(failure ?? typedError(provider, error, controller.signal), limits.maxErrorMessageChars));
      } finally {
        watchdog.stop();
        callerSignal?.removeEventListener('abort', onCallerAbort);
      }
    })();
    return () => {
      watchdog.stop();
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (!finished && !controller.signal.aborted) controller.abort();
    };
  });
}

/** Resolves when the consumer asks for more or `signal` aborts, whichever comes first. */
function untilDemandOrAbort(pending: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    pending.then(settle, settle);
  });
}

/** Characters of answer content an event carries (text, reasoning, tool arguments). */
function contentLength(event: LlmEvent): number {
  switch (event.type) {
    case 'text-delta':
    case 'reasoning-delta':
      return event.text.length;
    case 'tool-call-delta':
      return event.argumentsDelta.length;
    default:
      return 0;
  }
}

function typedError(provider: string, error: unknown, signal: AbortSignal): LlmError {
  if (error instanceof LlmError) return error;
  if (signal.aborted) return new LlmError(LlmErrorCode.aborted, `${provider} call was cancelled`, { provider, cause: error });
  return new LlmError(LlmErrorCode.malformedResponse, `${provider} adapter failed: ${(error as Error)?.message ?? error}`, { provider, cause: error });
}

/** The error with its message cut to `maxChars`: providers' messages are quoted into it. */
function bounded(error: LlmError, maxChars: number): LlmError {
  if (error.message.length > maxChars) error.message = boundedText(error.message, maxChars);
  return error;
}

/** Folds one event into a response under construction. */
export function applyEvent(response: LlmResponse, event: LlmEvent): LlmResponse {
  switch (event.type) {
    case 'start':
      response.provider = event.provider;
      response.model = event.model || response.model;
      response.requestId = event.requestId ?? response.requestId;
      break;
    case 'text-delta':
      response.content += event.text;
      break;
    case 'reasoning-delta':
      response.reasoning = (response.reasoning ?? '') + event.text;
      break;
    case 'tool-call':
      response.toolCalls.push(event.call);
      break;
    case 'signature':
      response.signature = event.signature;
      break;
    case 'usage':
      response.usage = event.usage;
      break;
    case 'finish':
      response.finishReason = event.reason;
      response.rawFinishReason = event.rawReason;
      break;
    case 'stream-resume':
      // The answer stands up to `deliveredChars`; 0 means it is being regenerated from scratch.
      if (response.content.length > event.deliveredChars) response.content = response.content.slice(0, event.deliveredChars);
      if (event.deliveredChars === 0) {
        response.reasoning = undefined;
        response.toolCalls = [];
        response.signature = undefined;
      }
      break;
    default:
      break;
  }
  return response;
}

/** An empty response, the seed of {@link complete}. */
export function emptyResponse(): LlmResponse {
  return { provider: '', model: '', content: '', toolCalls: [], finishReason: 'other', usage: emptyUsage() };
}

/**
 * Reduces a stream of events to one response (the non-streaming form of every call). Subscribed
 * directly rather than through `reduce` and `lastValueFrom`: the same result, without two operator
 * layers per event.
 */
export function complete(events: Observable<LlmEvent>): Promise<LlmResponse> {
  return new Promise<LlmResponse>((resolve, reject) => {
    const response = emptyResponse();
    events.subscribe({ next: (event) => void applyEvent(response, event), error: reject, complete: () => resolve(response) });
  });
}
