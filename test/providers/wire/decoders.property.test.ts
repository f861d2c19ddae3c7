/**
 * Property tests for every incremental decoder: real inputs split at arbitrary byte boundaries
 * (inside multi-byte UTF-8, between \r and \n, empty chunks) must decode exactly like the unsplit input.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { EventStreamDecoder } from '../../../providers/wire/aws-event-stream.js';
import { NdjsonDecoder } from '../../../providers/wire/ndjson.js';
import { SseDecoder } from '../../../providers/wire/sse.js';

const fixtures = new URL('../../fixtures/providers/', import.meta.url);
const read = (path: string): Buffer => readFileSync(new URL(path, fixtures));
const list = (folder: string, suffix: string): string[] =>
  readdirSync(new URL(folder, fixtures))
    .filter((name) => name.endsWith(suffix))
    .map((name) => `${folder}${name}`);

interface Input {
  name: string;
  bytes: Buffer;
}

/** Raw SSE bodies of the go-vcr cassettes (real OpenAI traffic, with non-ASCII text). */
function cassetteSseBodies(): Input[] {
  const inputs: Input[] = [];
  for (const path of [...list('openai/chat-completions/', '.yaml'), ...list('azure/', '.yaml')]) {
    const cassette = parseYaml(read(path).toString('utf8')) as { interactions: { response: { body: string } }[] };
    cassette.interactions.forEach((interaction, index) => {
      const body = interaction.response.body;
      if (body.includes('data:')) inputs.push({ name: `${path}#${index}`, bytes: Buffer.from(body, 'utf8') });
    });
  }
  return inputs;
}

/** Each real SSE input as sent, and re-framed with CRLF and with bare CR line ends (both legal). */
function withLineEndVariants(inputs: Input[]): Input[] {
  return inputs.flatMap((input) => {
    const text = input.bytes.toString('utf8');
    return [
      input,
      { name: `${input.name} (CRLF)`, bytes: Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8') },
      { name: `${input.name} (CR)`, bytes: Buffer.from(text.replace(/\r?\n/g, '\r'), 'utf8') },
    ];
  });
}

const sseInputs = withLineEndVariants([
  ...[...list('anthropic/', '.sse'), ...list('openai/chat-completions/', '.sse')].map((path) => ({ name: path, bytes: read(path) })),
  ...cassetteSseBodies(),
]);

/** Ollama's NDJSON, every de-framed `.chunks.txt` (one JSON per line) and the cassettes' data lines. */
const ndjsonInputs: Input[] = withNdjsonCrlf([
  ...list('ollama/', '.ndjson').map((path) => ({ name: path, bytes: read(path) })),
  ...['anthropic/', 'azure/', 'google/', 'openai/chat-completions/', 'openai/responses/', 'bedrock/converse/']
    .flatMap((folder) => list(folder, '.chunks.txt'))
    .map((path) => ({ name: path, bytes: read(path) })),
  ...cassetteSseBodies().map((input) => ({
    name: `${input.name} as NDJSON`,
    bytes: Buffer.from(
      input.bytes
        .toString('utf8')
        .split('\n')
        .filter((line) => line.startsWith('data: {'))
        .map((line) => line.slice(6))
        .join('\n'),
      'utf8',
    ),
  })),
]);

function withNdjsonCrlf(inputs: Input[]): Input[] {
  return inputs.flatMap((input) => [
    input,
    { name: `${input.name} (CRLF)`, bytes: Buffer.from(input.bytes.toString('utf8').replace(/\r?\n/g, '\r\n'), 'utf8') },
  ]);
}

const vectorFolder = 'bedrock/eventstream-test-vectors/encoded/positive/';
const eventStreamInputs: Input[] = [
  ...list('bedrock/synthesized/', '.bin').map((path) => ({ name: path, bytes: read(path) })),
  { name: 'all positive codec vectors, concatenated', bytes: Buffer.concat(list(vectorFolder, '').map((path) => read(path))) },
];

type Decode = (pieces: Uint8Array[]) => unknown[];

const decodeSse: Decode = (pieces) => {
  const decoder = new SseDecoder();
  const events: unknown[] = [];
  for (const piece of pieces) events.push(...decoder.push(piece));
  events.push(...decoder.end(true));
  return events;
};

const decodeNdjson: Decode = (pieces) => {
  const decoder = new NdjsonDecoder();
  const items: unknown[] = [];
  for (const piece of pieces) items.push(...decoder.push(piece));
  items.push(...decoder.end());
  // Compare failures by their text, not by Error identity.
  return items.map((item) => (item as { ok: boolean }).ok ? item : { ok: false, line: (item as { line: string }).line });
};

const decodeEventStream: Decode = (pieces) => {
  const decoder = new EventStreamDecoder();
  const messages: unknown[] = [];
  for (const piece of pieces) messages.push(...decoder.push(piece));
  decoder.end();
  return messages.map((message) => {
    const { headers, payload } = message as { headers: unknown[]; payload: Uint8Array };
    return { headers, payload: Buffer.from(payload).toString('hex') };
  });
};

/** Cuts `bytes` at the given offsets (sorted; duplicates make empty chunks, which must be harmless). */
function split(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const cuts = [...offsets].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let previous = 0;
  for (const cut of cuts) {
    pieces.push(bytes.subarray(previous, cut));
    previous = cut;
  }
  pieces.push(bytes.subarray(previous));
  return pieces;
}

/** Offsets where splitting is most likely to hurt: inside UTF-8 sequences and right after a \r. */
function trickyOffsets(bytes: Uint8Array, limit = 400): number[] {
  const offsets: number[] = [];
  for (let index = 1; index < bytes.length; index++) {
    const isContinuation = (bytes[index] & 0xc0) === 0x80;
    if (isContinuation || bytes[index - 1] === 13) offsets.push(index);
  }
  if (offsets.length <= limit) return offsets;
  const step = offsets.length / limit;
  return Array.from({ length: limit }, (_, index) => offsets[Math.floor(index * step)]);
}

function suite(decoderName: string, inputs: Input[], decode: Decode, expectMultiByte: boolean): void {
  describe(`${decoderName}: any chunking decodes like the whole input`, () => {
    it('has real inputs to work on', () => {
      expect(inputs.length).toBeGreaterThan(2);
      if (expectMultiByte) expect(inputs.some((input) => input.bytes.some((byte) => byte >= 0x80))).toBe(true);
    });

    for (const input of inputs) {
      it(input.name, () => {
        const whole = decode([input.bytes]);
        expect(whole.length).toBeGreaterThan(0);
        // Targeted: each tricky offset alone, and with an empty chunk wedged in right there.
        for (const offset of trickyOffsets(input.bytes)) {
          expect(decode(split(input.bytes, [offset]))).toEqual(whole);
          expect(decode(split(input.bytes, [offset, offset]))).toEqual(whole);
        }
        // Random: arbitrary cut sets, from a few to very many pieces.
        fc.assert(
          fc.property(fc.array(fc.nat({ max: input.bytes.length }), { maxLength: 64 }), (offsets) => {
            expect(decode(split(input.bytes, offsets))).toEqual(whole);
          }),
          { numRuns: 60 },
        );
        // Byte by byte, the extreme case.
        expect(decode(split(input.bytes, Array.from({ length: input.bytes.length }, (_, index) => index)))).toEqual(whole);
      });
    }
  });
}

suite('SseDecoder', sseInputs, decodeSse, true);
suite('NdjsonDecoder', ndjsonInputs, decodeNdjson, true);
suite('EventStreamDecoder', eventStreamInputs, decodeEventStream, true);

describe('SseDecoder regression', () => {
  it('keeps a pending \\r across an empty chunk (the \\n after it is not a blank line)', () => {
    const decoder = new SseDecoder();
    const bytes = new TextEncoder();
    const events = [
      ...decoder.push(bytes.encode('event: message_stop\r')),
      ...decoder.push(new Uint8Array(0)),
      ...decoder.push(bytes.encode('\ndata: {}\r\n\r\n')),
    ];
    expect(events).toEqual([{ event: 'message_stop', data: '{}', id: undefined, retry: undefined }]);
  });
});

describe('SseDecoder on arbitrary bytes', () => {
  // Field names, line ends, multi-byte characters, a BOM and bytes that are not valid UTF-8.
  const atoms = ['data:', 'data: ', 'event: x', 'id: 7', ':c', '\n', '\r', '\r\n', 'é', '€', '😀', '\uFEFF', 'a'].map((text) =>
    Buffer.from(text, 'utf8'),
  );
  const invalid = [0x80, 0xc3, 0xe2, 0x82, 0xf0, 0x9f, 0xff, 0xed, 0xa0].map((byte) => Buffer.from([byte]));
  const body = fc.array(fc.constantFrom(...atoms, ...invalid), { maxLength: 80 }).map((parts) => Buffer.concat(parts));

  it('decodes bytes, however cut, exactly as the text a WHATWG TextDecoder makes of them', () => {
    fc.assert(
      fc.property(body, fc.array(fc.nat({ max: 400 }), { maxLength: 16 }), (bytes, offsets) => {
        const reference = new SseDecoder();
        const expected = [...reference.push(new TextDecoder().decode(bytes)), ...reference.end(true)];
        const cuts = offsets.map((offset) => offset % (bytes.length + 1));
        expect(decodeSse(split(bytes, cuts))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
