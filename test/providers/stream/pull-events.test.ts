/**
 * `pullEvents` on a scripted producer that honours `demand` the way the adapters' read loop
 * does: it asks before each "chunk" and waits while the consumer is behind.
 */
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { LlmError } from '../../../providers/errors.js';
import { pullEvents, type PullCallOptions } from '../../../providers/layer/stream/pull-events.js';
import type { LlmEvent } from '../../../providers/types.js';

/** Emits `chunks` chunks of `perChunk` deltas, awaiting demand between chunks; counts what it produced. */
function producer(chunks: number, perChunk: number, end: 'complete' | Error = 'complete') {
  const state = { produced: 0, unsubscribed: false };
  const subscribe = (options: PullCallOptions) =>
    new Observable<LlmEvent>((subscriber) => {
      void (async () => {
        for (let chunk = 0; chunk < chunks; chunk++) {
          for (let index = 0; index < perChunk; index++) {
            if (subscriber.closed) return;
            state.produced++;
            subscriber.next({ type: 'text-delta', text: `${chunk}.${index} ` });
          }
          const pending = options.demand?.();
          if (pending) await pending;
        }
        if (end === 'complete') subscriber.complete();
        else subscriber.error(end);
      })();
      return () => {
        state.unsubscribed = true;
      };
    });
  return { state, subscribe };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('pullEvents', () => {
  it('produces no further than the high-water mark plus one chunk ahead of the consumer', async () => {
    const { state, subscribe } = producer(100, 3);
    const iterator = pullEvents(subscribe, { highWaterMark: 4 });
    await iterator.next();
    await tick();
    expect(state.produced).toBeLessThanOrEqual(4 + 3);
    for (let pulled = 1; pulled < 20; pulled++) await iterator.next();
    await tick();
    expect(state.produced - 20).toBeLessThanOrEqual(4 + 3);
    await iterator.return!();
    expect(state.unsubscribed).toBe(true);
  });

  it('delivers every event in order, then ends', async () => {
    const { subscribe } = producer(10, 5);
    const texts: string[] = [];
    for await (const event of pullEvents(subscribe, { highWaterMark: 2 })) if (event.type === 'text-delta') texts.push(event.text);
    expect(texts).toHaveLength(50);
    expect(texts[0]).toBe('0.0 ');
    expect(texts[49]).toBe('9.4 ');
  });

  it('delivers queued events before the error', async () => {
    const failure = new LlmError('LLM_ERR_SERVER', 'boom');
    const { subscribe } = producer(2, 2, failure);
    const seen: LlmEvent[] = [];
    await expect(
      (async () => {
        for await (const event of pullEvents(subscribe)) seen.push(event);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toHaveLength(4);
  });

  it('does not subscribe before the first pull, and handles a synchronous completion', async () => {
    let subscribed = 0;
    const iterator = pullEvents(() => {
      subscribed++;
      return new Observable<LlmEvent>((subscriber) => {
        subscriber.next({ type: 'finish', reason: 'stop' });
        subscriber.complete();
      });
    });
    expect(subscribed).toBe(0);
    expect(await iterator.next()).toEqual({ value: { type: 'finish', reason: 'stop' }, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(subscribed).toBe(1);
  });
});

describe('the read loop and demand', () => {
  it('a call cancelled while it waits for demand ends with LLM_ERR_ABORTED, not a completion', async () => {
    const { eventStream } = await import('../../../providers/observable.js');
    const controller = new AbortController();
    let reads = 0;
    const observable = eventStream('fake', { signal: controller.signal, demand: () => new Promise<void>(() => undefined) }, async function* () {
      for (;;) {
        reads++;
        yield [{ type: 'text-delta', text: 'x' }] as LlmEvent[];
      }
    });
    const outcome = new Promise<unknown>((resolve) => observable.subscribe({ error: resolve, complete: () => resolve('completed') }));
    await tick();
    controller.abort();
    expect(await outcome).toMatchObject({ code: 'LLM_ERR_ABORTED' });
    // The consumer never asked for more: only the first chunk was read.
    expect(reads).toBe(1);
  });
});
