/**
 * In-memory stream-parse throughput: one large Chat Completions SSE body, cut into network-sized
 * slices, parsed by our SSE decoder alone, by our decoder plus the chunk-to-LlmEvent mapping, by
 * the openai SDK's own SSE stream, and by a baseline that only decodes, splits on blank lines and
 * `JSON.parse`s.
 */
import { Stream } from 'openai/streaming';
import { chatCompletionEventBatches } from '../../providers/adapters/openai-chat-stream.js';
import { SseDecoder } from '../../providers/wire/sse.js';
import { chatCompletionStreamFrames } from './openai-canned.js';

/** One parser's result. */
export interface ParseResult {
  name: string;
  megabytesPerSecond: number;
  microsPerFrame: number;
}

/** What the parsers are fed. */
export interface ParseInput {
  slices: Uint8Array[];
  bytes: number;
  frames: number;
}

/** Builds a body of `deltaCount` content chunks, cut into `sliceBytes` slices. */
export function parseInput(deltaCount: number, sliceBytes = 16 * 1024): ParseInput {
  const frames = chatCompletionStreamFrames(deltaCount);
  const whole = new TextEncoder().encode(frames.join(''));
  const slices: Uint8Array[] = [];
  for (let start = 0; start < whole.length; start += sliceBytes) slices.push(whole.slice(start, start + sliceBytes));
  return { slices, bytes: whole.length, frames: frames.length };
}

/** Decode, split on `\n\n`, strip `data: `, `JSON.parse`: the least any client must do. */
function baseline(input: ParseInput): number {
  const decoder = new TextDecoder();
  let buffer = '';
  let parsed = 0;
  for (const slice of input.slices) {
    buffer += decoder.decode(slice, { stream: true });
    let position = 0;
    for (let boundary = buffer.indexOf('\n\n'); boundary !== -1; boundary = buffer.indexOf('\n\n', position)) {
      const data = buffer.slice(position + 6, boundary);
      position = boundary + 2;
      if (data !== '[DONE]') {
        JSON.parse(data);
        parsed++;
      }
    }
    buffer = buffer.slice(position);
  }
  return parsed;
}

function sseDecoderOnly(input: ParseInput): number {
  const decoder = new SseDecoder();
  let events = 0;
  for (const slice of input.slices) events += decoder.push(slice).length;
  return events + decoder.end().length;
}

async function sseDecoderAndMapping(input: ParseInput): Promise<number> {
  let events = 0;
  for await (const batch of chatCompletionEventBatches('openai', input.slices)) events += batch.length;
  return events;
}

async function sdkStream(input: ParseInput): Promise<number> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const slice of input.slices) controller.enqueue(slice);
      controller.close();
    },
  });
  const response = new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  let chunks = 0;
  for await (const _chunk of Stream.fromSSEResponse<unknown>(response, new AbortController())) chunks++;
  return chunks;
}

/** Runs `parse` a few times to warm up, then for at least `minimumMs`, and reports its rate. */
async function timeParser(name: string, input: ParseInput, parse: (input: ParseInput) => number | Promise<number>, minimumMs: number): Promise<ParseResult> {
  for (let round = 0; round < 3; round++) {
    if ((await parse(input)) === 0) throw new Error(`${name} parsed nothing`);
  }
  let rounds = 0;
  const startedAt = performance.now();
  let elapsed = 0;
  while (elapsed < minimumMs || rounds < 5) {
    await parse(input);
    rounds++;
    elapsed = performance.now() - startedAt;
  }
  return {
    name,
    megabytesPerSecond: (input.bytes * rounds) / 1e6 / (elapsed / 1000),
    microsPerFrame: (elapsed * 1000) / (rounds * input.frames),
  };
}

/** Times every parser on the same input. */
export async function measureParseThroughput(input: ParseInput, minimumMs: number): Promise<ParseResult[]> {
  return [
    await timeParser('baseline: TextDecoder + split + JSON.parse', input, baseline, minimumMs),
    await timeParser('ours: SseDecoder only (no JSON.parse)', input, sseDecoderOnly, minimumMs),
    await timeParser('ours: SseDecoder + chunk mapping', input, sseDecoderAndMapping, minimumMs),
    await timeParser('openai SDK: Stream.fromSSEResponse', input, sdkStream, minimumMs),
  ];
}
