/**
 * `llm.events()`: a call as an `AsyncIterable<LlmEvent>`. This first version buffers what the
 * Observable pushes until the consumer pulls it; pull-based flow control (`CallOptions.demand`
 * reaching the socket) replaces this one function.
 */
import type { Observable } from 'rxjs';
import type { LlmEvent } from '../types.js';

/** Iterates an Observable's events; breaking out of the loop unsubscribes (and cancels the call). */
export function eventsOf(events: Observable<LlmEvent>): AsyncIterable<LlmEvent> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<LlmEvent> {
      const buffer: LlmEvent[] = [];
      let failure: { error: unknown } | undefined;
      let completed = false;
      let wake: (() => void) | undefined;
      const notify = (): void => {
        const resolve = wake;
        wake = undefined;
        resolve?.();
      };
      const subscription = events.subscribe({
        next: (event) => {
          buffer.push(event);
          notify();
        },
        error: (error: unknown) => {
          failure = { error };
          notify();
        },
        complete: () => {
          completed = true;
          notify();
        },
      });
      let head = 0;
      return {
        async next(): Promise<IteratorResult<LlmEvent>> {
          for (;;) {
            if (head < buffer.length) {
              const event = buffer[head++];
              if (head > 1024 && head * 2 > buffer.length) {
                buffer.splice(0, head);
                head = 0;
              }
              return { done: false, value: event };
            }
            if (failure) throw failure.error;
            if (completed) return { done: true, value: undefined };
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
        async return(): Promise<IteratorResult<LlmEvent>> {
          subscription.unsubscribe();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
