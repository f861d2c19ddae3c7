/**
 * The pull form of a call: an `AsyncIterable<LlmEvent>` whose consumer's pace reaches the socket.
 * The Observable form pushes every event as fast as the provider sends it, so a slow consumer
 * buffers the whole answer; here the call is subscribed with a `demand` that the adapters' read
 * loop awaits before it reads the next network chunk, and that demand is only granted while
 * fewer than `highWaterMark` events wait to be pulled. Kernel and undici buffers then fill, TCP
 * slows the provider down, and memory stays bounded by one network chunk's events.
 */
import type { Observable, Subscription } from 'rxjs';
import { LlmError, LlmErrorCode } from '../../errors.js';
import type { CallOptions, LlmEvent } from '../../types.js';

/** Options of {@link pullEvents}. */
export interface PullEventsOptions {
  /**
   * Events that may wait unconsumed before the socket stops being read (default 16). One network
   * chunk's events arrive together, so the queue may briefly hold one chunk's worth on top.
   */
  highWaterMark?: number;
  /** Cancels the call: the request is closed at once and the iterator rejects with `LLM_ERR_ABORTED`. */
  signal?: AbortSignal;
}

/** What {@link pullEvents} passes to `subscribe`: the flow-control hook and the cancel signal. */
export type PullCallOptions = Pick<CallOptions, 'demand' | 'signal'>;

/** What a taken event's queue slot holds instead. */
const taken = { type: 'finish', reason: 'other' } as const satisfies LlmEvent;

/** The default {@link PullEventsOptions.highWaterMark}. */
export const defaultHighWaterMark = 16;

/**
 * Turns a call (`subscribe(options)` returns its cold Observable; `options.demand` must reach the
 * adapter as `CallOptions.demand`) into a pull-based iterator. The request is sent on the first
 * `next()`; `return()` (a `break` out of `for await`), `throw()` or `signal` closes it at once.
 *
 * @example
 * ```ts
 * for await (const event of pullEvents((options) => adapter.stream(request, options))) {
 *   if (event.type === 'text-delta') await write(event.text);
 * }
 * ```
 */
export function pullEvents(subscribe: (options: PullCallOptions) => Observable<LlmEvent>, options: PullEventsOptions = {}): AsyncIterableIterator<LlmEvent> {
  const highWaterMark = Math.max(1, Math.floor(options.highWaterMark ?? defaultHighWaterMark));
  const signal = options.signal;
  const queue: LlmEvent[] = [];
  let head = 0;
  let subscription: Subscription | undefined;
  let started = false;
  let ended = false;
  let failure: unknown;
  let waitingConsumer: { resolve: (result: IteratorResult<LlmEvent>) => void; reject: (error: unknown) => void } | undefined;
  let waitingProducer: (() => void) | undefined;

  const queued = (): number => queue.length - head;

  const releaseProducer = (): void => {
    const resolve = waitingProducer;
    waitingProducer = undefined;
    resolve?.();
  };

  // Called by the adapter's read loop after each network chunk's events were delivered.
  const demand = (): Promise<void> | void => {
    if (ended || queued() < highWaterMark) return undefined;
    return new Promise<void>((resolve) => {
      waitingProducer = resolve;
    });
  };

  const settle = (): void => {
    const consumer = waitingConsumer;
    if (!consumer) return;
    if (queued() > 0) {
      waitingConsumer = undefined;
      consumer.resolve({ value: take(), done: false });
    } else if (ended) {
      waitingConsumer = undefined;
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        consumer.reject(error);
      } else {
        consumer.resolve({ value: undefined, done: true });
      }
    }
  };

  const take = (): LlmEvent => {
    const event = queue[head];
    // The queue must not keep what the consumer took: a slow consumer's events live long enough
    // to reach the old generation, and a thousand streams each pinning a thousand taken events
    // is tens of megabytes the collector cannot free.
    queue[head++] = taken;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      // Compact now and then rather than shift() per event, which is O(n) on a long queue.
      queue.splice(0, head);
      head = 0;
    }
    if (queued() < highWaterMark) releaseProducer();
    return event;
  };

  const close = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    if (error !== undefined) failure = error;
    subscription?.unsubscribe();
    signal?.removeEventListener('abort', onAbort);
    releaseProducer();
  };

  const onAbort = (): void => {
    // Events already queued are dropped: the caller asked to stop, not to drain.
    queue.length = 0;
    head = 0;
    close(new LlmError(LlmErrorCode.aborted, 'the call was cancelled', { cause: signal?.reason }));
    settle();
  };

  const start = (): void => {
    started = true;
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const observable = subscribe({ demand, signal });
    subscription = observable.subscribe({
      next(event) {
        if (ended) return;
        queue.push(event);
        settle();
      },
      error(error) {
        close(error);
        settle();
      },
      complete() {
        close();
        settle();
      },
    });
    // A call that ended synchronously inside subscribe() had no subscription to close yet.
    if (ended) subscription.unsubscribe();
  };

  const iterator: AsyncIterableIterator<LlmEvent> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next(): Promise<IteratorResult<LlmEvent>> {
      if (!started) start();
      if (queued() > 0) return Promise.resolve({ value: take(), done: false });
      if (ended) {
        if (failure !== undefined) {
          const error = failure;
          failure = undefined;
          return Promise.reject(error);
        }
        return Promise.resolve({ value: undefined, done: true });
      }
      if (waitingConsumer) return Promise.reject(new Error('pullEvents: next() called while a previous next() is pending'));
      return new Promise((resolve, reject) => {
        waitingConsumer = { resolve, reject };
      });
    },
    return(): Promise<IteratorResult<LlmEvent>> {
      started = true;
      queue.length = 0;
      head = 0;
      failure = undefined;
      close();
      settle();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown): Promise<IteratorResult<LlmEvent>> {
      started = true;
      queue.length = 0;
      head = 0;
      close();
      return Promise.reject(error);
    },
  };
  return iterator;
}
