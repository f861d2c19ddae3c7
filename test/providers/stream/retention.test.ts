/**
 * What a slow consumer's stream keeps alive: only the events it has not taken yet. Events it took
 * must be collectable at once (a thousand waiting streams each pinning a batch of taken events
 * cost tens of megabytes that the collector could not free), so neither the pull queue nor the
 * adapters' read loop may keep them.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pullEvents } from '../../../providers/layer/stream/pull-events.js';
import { eventStream } from '../../../providers/observable.js';
import type { LlmEvent } from '../../../providers/types.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A full collection, after the current job (WeakRef targets are kept until it ends). */
async function collected(refs: WeakRef<object>[]): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return refs.filter((ref) => ref.deref() === undefined).length;
}

const delta = (index: number): LlmEvent => ({ type: 'text-delta', text: `token ${index} ` });

describe('a slow consumer keeps alive only what it has not taken', () => {
  it('the pull queue lets go of every event it handed out', async () => {
    const refs: WeakRef<object>[] = [];
    const events = pullEvents(
      () =>
        new Observable<LlmEvent>((subscriber) => {
          // One network chunk's worth at once; the stream stays open (the consumer is slow).
          for (let index = 0; index < 600; index++) {
            const event = delta(index);
            refs.push(new WeakRef(event));
            subscriber.next(event);
          }
        }),
      { highWaterMark: 16 },
    );
    for (let taken = 0; taken < 500; taken++) await events.next();
    const freed = await collected(refs.slice(0, 500));
    expect(freed).toBe(500);
    // The 100 not taken yet are still there for the consumer.
    expect(await collected(refs.slice(500))).toBe(0);
    expect((await events.next()).value).toMatchObject({ type: 'text-delta', text: 'token 500 ' });
    await events.return?.();
  });

  it('the read loop empties a batch once it emitted it, while it waits for the consumer', async () => {
    const batches: LlmEvent[][] = [];
    let release: (() => void) | undefined;
    // The consumer is full after the first batch, then keeps up.
    const demand = (): Promise<void> | undefined => (release ? undefined : new Promise<void>((resolve) => (release = resolve)));
    const stream = eventStream('test', { demand }, async function* () {
      const batch = Array.from({ length: 300 }, (_, index) => delta(index));
      batches.push(batch);
      yield batch;
      yield [{ type: 'finish', reason: 'stop' } as const];
    });
    const seen: LlmEvent[] = [];
    const done = new Promise<void>((resolve) => stream.subscribe({ next: (event) => seen.push(event), complete: resolve }));
    while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
    // Waiting for demand: every event was delivered, and the producer's array holds none of them.
    expect(seen).toHaveLength(300);
    expect(batches[0]).toHaveLength(0);
    release();
    await done;
    expect(seen.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });
});
