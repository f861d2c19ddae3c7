/**
 * Encoder of AWS event-stream messages, the inverse of {@link EventStreamDecoder}. The engine never
 * sends event streams; this exists so fakes and tests can produce byte-exact Bedrock frames (it
 * reproduces the official codec vectors byte for byte).
 */
import { crc32 } from 'node:zlib';
import type { EventStreamHeader, EventStreamMessage } from './aws-event-stream.js';

const typeNumber: Record<EventStreamHeader['type'], number> = {
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

/** Encodes one message (headers in the given order) into its wire bytes. */
export function encodeEventStreamMessage(message: EventStreamMessage): Uint8Array {
  const headerBytes = Buffer.concat(message.headers.map(encodeHeader));
  const totalLength = 12 + headerBytes.length + message.payload.length + 4;
  const frame = Buffer.alloc(totalLength);
  frame.writeUInt32BE(totalLength, 0);
  frame.writeUInt32BE(headerBytes.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  headerBytes.copy(frame, 12);
  frame.set(message.payload, 12 + headerBytes.length);
  frame.writeUInt32BE(crc32(frame.subarray(0, totalLength - 4)), totalLength - 4);
  return frame;
}

/**
 * A Bedrock-style JSON event frame: string headers `:event-type`, `:content-type` and
 * `:message-type: event`, payload the JSON of `payload`.
 */
export function encodeJsonEvent(eventType: string, payload: unknown): Uint8Array {
  return encodeEventStreamMessage({
    headers: [
      { name: ':event-type', type: 'string', value: eventType },
      { name: ':content-type', type: 'string', value: 'application/json' },
      { name: ':message-type', type: 'string', value: 'event' },
    ],
    payload: Buffer.from(JSON.stringify(payload), 'utf8'),
  });
}

/** A Bedrock-style exception frame (`:message-type: exception`, `:exception-type`). */
export function encodeExceptionEvent(exceptionType: string, payload: unknown): Uint8Array {
  return encodeEventStreamMessage({
    headers: [
      { name: ':exception-type', type: 'string', value: exceptionType },
      { name: ':content-type', type: 'string', value: 'application/json' },
      { name: ':message-type', type: 'string', value: 'exception' },
    ],
    payload: Buffer.from(JSON.stringify(payload), 'utf8'),
  });
}

function encodeHeader(header: EventStreamHeader): Buffer {
  const name = Buffer.from(header.name, 'utf8');
  let value: Buffer;
  let type = typeNumber[header.type];
  switch (header.type) {
    case 'boolean':
      type = header.value ? 0 : 1;
      value = Buffer.alloc(0);
      break;
    case 'byte':
      value = Buffer.alloc(1);
      value.writeInt8(header.value);
      break;
    case 'short':
      value = Buffer.alloc(2);
      value.writeInt16BE(header.value);
      break;
    case 'integer':
      value = Buffer.alloc(4);
      value.writeInt32BE(header.value);
      break;
    case 'long':
      value = Buffer.alloc(8);
      value.writeBigInt64BE(header.value);
      break;
    case 'timestamp':
      value = Buffer.alloc(8);
      value.writeBigInt64BE(BigInt(header.value.getTime()));
      break;
    case 'binary':
    case 'string': {
      const bytes = typeof header.value === 'string' ? Buffer.from(header.value, 'utf8') : Buffer.from(header.value);
      value = Buffer.alloc(2 + bytes.length);
      value.writeUInt16BE(bytes.length);
      bytes.copy(value, 2);
      break;
    }
    case 'uuid':
      value = Buffer.from(header.value.replace(/-/g, ''), 'hex');
      break;
  }
  return Buffer.concat([Buffer.from([name.length]), name, Buffer.from([type]), value]);
}
