/**
 * Bridges adapters' async generators to cold RxJS Observables: each subscription runs the
 * generator once; unsubscribing (or the caller's signal) aborts the HTTP request underneath.
 */
import { Observable, lastValueFrom, reduce } from 'rxjs';
import { LlmError, LlmErrorCode } from './errors.js';
import { emptyUsage, type CallOptions, type LlmEvent, type LlmResponse } from './types.js';

/**
 * Runs `produce` per subscription, with a signal that fires on unsubscribe or caller abort.
 * `produce` may yield arrays of events (say, all events of one network chunk): they are emitted
 * one by one, in order, but cost one await instead of one per event.
 */
export function eventStream(
  provider: string,
  options: CallOptions | undefined,
  produce: (signal: AbortSignal) => AsyncIterable<LlmEvent | LlmEvent[]>,
): Observable<LlmEvent> {
  return new Observable<LlmEvent>((subscriber) => {
    const controller = new AbortController();
    const callerSignal = options?.signal;
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    // Once the producer has run to its end there is no request left to abort; aborting anyway
    // would only build an AbortError (and its stack trace) on every completed call.
    let finished = false;
    void (async () => {
      try {
        for await (const item of produce(controller.signal)) {
          if (Array.isArray(item)) {
            for (let index = 0; index < item.length; index++) {
              if (subscriber.closed) return;
              subscriber.next(item[index]);
            }
          } else {
            if (subscriber.closed) return;
            subscriber.next(item);
          }
        }
        finished = true;
        subscriber.complete();
      } catch (error) {
        if (subscriber.closed) return;
        subscriber.error(
          error instanceof LlmError
            ? error
            : controller.signal.aborted
              ? new LlmError(LlmErrorCode.aborted, `${provider} call was cancelled`, { provider, cause: error })
              : new LlmError(LlmErrorCode.malformedResponse, `${provider} adapter failed: ${(error as Error)?.message ?? error}`, {
                  provider,
                  cause: error,
                }),
        );
      } finally {
        callerSignal?.removeEventListener('abort', onCallerAbort);
      }
    })();
    return () => {
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (!finished && !controller.signal.aborted) controller.abort();
    };
  });
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
    default:
      break;
  }
  return response;
}

/** An empty response, the seed of {@link complete}. */
export function emptyResponse(): LlmResponse {
  return { provider: '', model: '', content: '', toolCalls: [], finishReason: 'other', usage: emptyUsage() };
}

/** Reduces a stream of events to one response (the non-streaming form of every call). */
export function complete(events: Observable<LlmEvent>): Promise<LlmResponse> {
  return lastValueFrom(events.pipe(reduce(applyEvent, emptyResponse())));
}
