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

/**
 * Runs `parser` over `chunks`, yielding one batch of events per chunk. A failure is thrown only
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
      const batch = parseChunk(parser, result.value);
      // The chunk is dropped before the yield, where the consumer may keep this frame waiting.
      result = undefined;
      if (batch.events.length > 0) yield batch.events;
      if (batch.failed) throw batch.error;
      // Stop reading at the terminator: anything after it is not part of this answer.
      if (parser.done) return;
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

/** One chunk's events, and its failure if any (the events before it still count). */
function parseChunk<Chunk>(parser: ChunkParser<Chunk>, chunk: Chunk): Batch {
  const events: LlmEvent[] = [];
  try {
    parser.push(chunk, events);
    return { events, failed: false };
  } catch (error) {
    return { events, failed: true, error };
  }
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
