/**
 * The loop every streaming adapter runs: decode and parse each network chunk synchronously and
 * hand on all the events it completed as one batch. An await per event (and per generator layer)
 * cost more than the parsing itself; one per network chunk does not.
 */
import type { LlmEvent } from '../types.js';

/** How one streamed answer is parsed, from bytes (or, for text fixtures, strings). */
export interface ChunkParser<Chunk = Uint8Array | string> {
  /** Appends the events `chunk` completes to `out`; on a failure, `out` holds those before it. */
  push(chunk: Chunk, out: LlmEvent[]): void;
  /** Appends the events of the body's end to `out`, or throws when the answer was cut short. */
  end(out: LlmEvent[]): void;
  /** True once the answer's terminator was seen: anything after it is not read. */
  readonly done: boolean;
}

/** Bytes of already-arrived chunks parsed into one batch at most (a batch starts with one chunk whatever its size). */
const maxBatchBytes = 64 * 1024;

/**
 * Runs `parser` over `chunks`, yielding one batch of events per chunk, or, where `chunks` can
 * hand over what already arrived without waiting (`readQueued`, as response bodies do), per
 * chunk plus whatever had arrived with it, up to 64 KiB. A failure is thrown only
 * after the events that came before it in the same chunk have been delivered.
 *
 * No chunk is referenced across a `yield`: the consumer may wait (for demand) at each batch, and
 * a generator frame or closure holding the chunk would pin a network buffer (up to the body's
 * high-water mark, 64 KiB) per waiting stream on top of what the body itself buffers.
 */
export async function* eventBatches<Chunk>(chunks: AsyncIterable<Chunk> | Iterable<Chunk>, parser: ChunkParser<Chunk>): AsyncGenerator<LlmEvent[]> {
  const iterator: AsyncIterator<Chunk> | Iterator<Chunk> = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  // Closed on leaving early (terminator, failure, consumer gone), as for await would; not after
  // the chunks ran out or their iterator threw.
  let open = true;
  try {
    for (;;) {
      let result: IteratorResult<Chunk> | undefined;
      try {
        result = await iterator.next();
      } catch (error) {
        open = false;
        throw error;
      }
      if (result.done) {
        open = false;
        break;
      }
      const batch = parseChunks(parser, result.value, (iterator as Partial<QueuedChunks<Chunk>>).readQueued?.bind(iterator));
      // The chunk is dropped before the yield, where the consumer may keep this frame waiting.
      result = undefined;
      if (batch.events.length > 0) yield batch.events;
      if (batch.failed) throw batch.error;
      // Stop reading at the terminator: anything after it is not part of this answer. A body
      // that can be released keeps its connection for the next call (its last bytes, such as
      // the final chunk of a chunked response, may still be on their way).
      if (parser.done) {
        const release = (iterator as Partial<QueuedChunks<Chunk>>).release;
        if (release) {
          open = false;
          release.call(iterator);
        }
        return;
      }
    }
  } finally {
    if (open) await iterator.return?.();
  }
  const batch = parseEnd(parser);
  if (batch.events.length > 0) yield batch.events;
  if (batch.failed) throw batch.error;
}

interface Batch {
  events: LlmEvent[];
  failed: boolean;
  error?: unknown;
}

/** Chunks that can also be taken without waiting, once they arrived, and released once the answer is complete. */
interface QueuedChunks<Chunk> {
  readQueued(): Chunk | null;
  release(): void;
}

/**
 * The events of `first` and of the chunks already queued behind it (up to {@link maxBatchBytes}),
 * and the failure if any (the events before it still count).
 */
function parseChunks<Chunk>(parser: ChunkParser<Chunk>, first: Chunk, readQueued: (() => Chunk | null) | undefined): Batch {
  const events: LlmEvent[] = [];
  try {
    parser.push(first, events);
    if (readQueued) {
      let bytes = sizeOf(first);
      while (!parser.done && bytes < maxBatchBytes) {
        const next = readQueued();
        if (next === null) break;
        parser.push(next, events);
        bytes += sizeOf(next);
      }
    }
    return { events, failed: false };
  } catch (error) {
    return { events, failed: true, error };
  }
}

function sizeOf(chunk: unknown): number {
  return (chunk as { length?: number }).length ?? 0;
}

function parseEnd(parser: ChunkParser<unknown>): Batch {
  const events: LlmEvent[] = [];
  try {
    parser.end(events);
    return { events, failed: false };
  } catch (error) {
    return { events, failed: true, error };
  }
}
