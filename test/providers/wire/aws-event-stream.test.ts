import { readFileSync, readdirSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { EventStreamDecoder, headerValue, type EventStreamHeader, type EventStreamMessage } from '../../../providers/wire/aws-event-stream.js';
import { encodeEventStreamMessage, encodeJsonEvent } from '../../../providers/wire/aws-event-stream-encoder.js';

const vectors = new URL('../../fixtures/providers/bedrock/eventstream-test-vectors/', import.meta.url);
const synthesized = new URL('../../fixtures/providers/bedrock/synthesized/', import.meta.url);

interface DecodedVector {
  total_length: number;
  headers_length: number;
  prelude_crc: number;
  headers: { name: string; type: number; value: unknown }[];
  payload: string;
  message_crc: number;
}

const typeNumbers: Record<EventStreamHeader['type'], number> = {
  boolean: 0,
  byte: 2,
  short: 3,
  integer: 4,
  long: 5,
  binary: 6,
  string: 7,
  timestamp: 8,
  uuid: 9,
};

/** Our header in the vectors' JSON shape (byte arrays, strings and uuids as base64). */
function asVectorHeader(header: EventStreamHeader): { name: string; type: number; value: unknown } {
  switch (header.type) {
    case 'boolean':
      return { name: header.name, type: header.value ? 0 : 1, value: header.value };
    case 'long':
      return { name: header.name, type: 5, value: Number(header.value) };
    case 'timestamp':
      return { name: header.name, type: 8, value: header.value.getTime() };
    case 'binary':
      return { name: header.name, type: 6, value: Buffer.from(header.value).toString('base64') };
    case 'string':
      return { name: header.name, type: 7, value: Buffer.from(header.value, 'utf8').toString('base64') };
    case 'uuid':
      return { name: header.name, type: 9, value: Buffer.from(header.value.replace(/-/g, ''), 'hex').toString('base64') };
    default:
      return { name: header.name, type: typeNumbers[header.type], value: header.value };
  }
}

function decodeAll(bytes: Uint8Array, pieceSize = bytes.length): EventStreamMessage[] {
  const decoder = new EventStreamDecoder();
  const messages: EventStreamMessage[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) messages.push(...decoder.push(bytes.subarray(offset, offset + pieceSize)));
  decoder.end();
  return messages;
}

describe('event-stream decoder against the official vectors', () => {
  const positives = readdirSync(new URL('encoded/positive/', vectors));
  const negatives = readdirSync(new URL('encoded/negative/', vectors));

  it('covers every header type 0-9 across the positive vectors', () => {
    const types = new Set<number>();
    for (const name of positives) {
      const decoded = JSON.parse(readFileSync(new URL(`decoded/positive/${name}`, vectors), 'utf8')) as DecodedVector;
      for (const header of decoded.headers) types.add(header.type);
    }
    expect([...types].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  for (const name of positives) {
    it(`decodes positive/${name} to the expected JSON, whole and byte by byte`, () => {
      const encoded = readFileSync(new URL(`encoded/positive/${name}`, vectors));
      const expected = JSON.parse(readFileSync(new URL(`decoded/positive/${name}`, vectors), 'utf8')) as DecodedVector;
      for (const pieceSize of [encoded.length, 1, 7]) {
        const messages = decodeAll(encoded, pieceSize);
        expect(messages).toHaveLength(1);
        expect(messages[0].headers.map(asVectorHeader)).toEqual(expected.headers);
        expect(Buffer.from(messages[0].payload).toString('base64')).toBe(expected.payload);
      }
      expect(encoded.readUInt32BE(0)).toBe(expected.total_length);
      expect(encoded.readUInt32BE(4)).toBe(expected.headers_length);
      expect(encoded.readInt32BE(8)).toBe(expected.prelude_crc);
      expect(encoded.readInt32BE(encoded.length - 4)).toBe(expected.message_crc);
    });

    it(`re-encodes positive/${name} byte for byte`, () => {
      const encoded = readFileSync(new URL(`encoded/positive/${name}`, vectors));
      const [message] = decodeAll(encoded);
      expect(Buffer.from(encodeEventStreamMessage(message)).equals(encoded)).toBe(true);
    });
  }

  for (const name of negatives) {
    it(`rejects negative/${name} with a typed malformed-response error naming the checksum`, () => {
      const encoded = readFileSync(new URL(`encoded/negative/${name}`, vectors));
      const expectedText = readFileSync(new URL(`decoded/negative/${name}`, vectors), 'utf8').trim();
      for (const pieceSize of [encoded.length, 1]) {
        let caught: unknown;
        try {
          decodeAll(encoded, pieceSize);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(LlmError);
        expect((caught as LlmError).code).toBe(LlmErrorCode.malformedResponse);
        expect((caught as LlmError).message).toContain(expectedText);
      }
    });
  }
});

describe('event-stream decoder behaviour', () => {
  it('decodes the synthesized Bedrock stream into its documented frames', () => {
    const bytes = readFileSync(new URL('converse-stream-text.bin', synthesized));
    const frames = JSON.parse(readFileSync(new URL('converse-stream-text.frames.json', synthesized), 'utf8')) as {
      headers: Record<string, string>;
      payload: unknown;
      frame_length: number;
    }[];
    const messages = decodeAll(bytes, 13);
    expect(messages).toHaveLength(frames.length);
    messages.forEach((message, index) => {
      expect(Object.fromEntries(message.headers.map((header) => [header.name, header.value]))).toEqual(frames[index].headers);
      expect(JSON.parse(Buffer.from(message.payload).toString('utf8'))).toEqual(frames[index].payload);
      expect(headerValue(message, ':message-type')).toBe('event');
    });
  });

  it('reports a stream that ends inside a frame as a retryable interruption', () => {
    const frame = encodeJsonEvent('messageStart', { role: 'assistant' });
    const decoder = new EventStreamDecoder();
    expect(decoder.push(frame.subarray(0, frame.length - 3))).toEqual([]);
    expect(decoder.pendingBytes).toBe(frame.length - 3);
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: LlmErrorCode.streamInterrupted, isRetryable: true }));
  });

  it('rejects garbage before waiting for bytes a corrupt length promises', () => {
    const decoder = new EventStreamDecoder();
    expect(() => decoder.push(new TextEncoder().encode('data: {"not":"an event stream"}\n\n'))).toThrow(
      expect.objectContaining({ code: LlmErrorCode.malformedResponse }),
    );
    // The decoder stays failed: later bytes cannot resurrect a corrupt stream.
    expect(() => decoder.push(encodeJsonEvent('messageStart', {}))).toThrow(expect.objectContaining({ code: LlmErrorCode.malformedResponse }));
  });

  it('rejects an unknown header type and a header running past its section', () => {
    const good = Buffer.from(
      encodeEventStreamMessage({ headers: [{ name: 'x', type: 'string', value: 'abc' }], payload: new Uint8Array([1, 2]) }),
    );
    const badType = patchAndReseal(good, (frame) => frame.writeUInt8(42, 12 + 2));
    expect(() => decodeAll(badType)).toThrow(/unknown header type 42/);
    const overrun = patchAndReseal(good, (frame) => frame.writeUInt16BE(500, 12 + 3));
    expect(() => decodeAll(overrun)).toThrow(/runs past/);
  });

  it('decodes several messages from one chunk and keeps a partial one buffered', () => {
    const first = encodeJsonEvent('a', { n: 1 });
    const second = encodeJsonEvent('b', { n: 2 });
    const joined = Buffer.concat([first, second]);
    const decoder = new EventStreamDecoder();
    const messages = decoder.push(joined.subarray(0, first.length + 5));
    expect(messages.map((message) => headerValue(message, ':event-type'))).toEqual(['a']);
    expect(decoder.push(joined.subarray(first.length + 5)).map((message) => headerValue(message, ':event-type'))).toEqual(['b']);
    decoder.end();
  });
});

/** Applies `patch` then recomputes both CRCs, so only the structural fault remains. */
function patchAndReseal(frame: Buffer, patch: (copy: Buffer) => void): Buffer {
  const copy = Buffer.from(frame);
  patch(copy);
  copy.writeUInt32BE(crc32(copy.subarray(0, 8)), 8);
  copy.writeUInt32BE(crc32(copy.subarray(0, copy.length - 4)), copy.length - 4);
  return copy;
}
