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
  /**
   * The call's `start` event when the parser still holds it back (waiting for the body to name
   * the served model): a stream that fails first still opens with its `start`.
   */
  takePendingStart?(): LlmEvent | undefined;
}

/**
 * Runs `parser` over `chunks`, yielding one batch of events per chunk. A failure is thrown only
 * after the events that came before it in the same chunk have been delivered.
 */
export async function* eventBatches<Chunk>(chunks: AsyncIterable<Chunk> | Iterable<Chunk>, parser: ChunkParser<Chunk>): AsyncGenerator<LlmEvent[]> {
  try {
    for await (const chunk of chunks) {
      yield* parsed((out) => parser.push(chunk, out));
      // Stop reading at the terminator: anything after it is not part of this answer.
      if (parser.done) return;
    }
    yield* parsed((out) => parser.end(out));
  } catch (error) {
    const start = parser.takePendingStart?.();
    if (start) yield [start];
    throw error;
  }
}

function* parsed(parse: (out: LlmEvent[]) => void): Generator<LlmEvent[]> {
  const out: LlmEvent[] = [];
  try {
    parse(out);
  } catch (error) {
    if (out.length > 0) yield out;
    throw error;
  }
  if (out.length > 0) yield out;
}
