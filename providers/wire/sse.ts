/**
 * Incremental Server-Sent Events decoder (WHATWG rules): bytes in any chunking, events out.
 * Handles `\n`, `\r\n` and `\r` line ends, multi-line `data:`, comments and UTF-8 split across chunks.
 * A line, or an event's data, longer than `maxLineBytes` throws `LLM_ERR_RESPONSE_TOO_LARGE`, so
 * an upstream that never ends its line cannot grow the process without bound.
 */
import { defaultStreamLimits, responseTooLarge } from '../stream-limits.js';

/** One decoded SSE event. */
export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

const lineFeed = 10;
const carriageReturn = 13;
const colon = 58;
const space = 32;

/** Options of an {@link SseDecoder}. */
export interface SseDecoderOptions {
  /** Longest line, and longest event data, in bytes (data: UTF-16 units); default 1 MiB. */
  maxLineBytes?: number;
  /** Who sent the bytes, for error messages. */
  provider?: string;
}

/** Feeds bytes in with {@link push}; completed events come out. Call {@link end} at end of stream. */
export class SseDecoder {
  private readonly maxLineBytes: number;
  private readonly provider: string;
  /**
   * Bytes after the last line end seen: only whole lines are decoded, and since a line end is an
   * ASCII byte no UTF-8 sequence straddles it, so each decode starts clean. That lets one
   * non-streaming decode per chunk replace the slower streaming TextDecoder.
   */
  private pendingBytes: Uint8Array[] = [];
  private pendingByteLength = 0;
  /** A leading byte order mark is dropped once, as TextDecoder does, before the first decoded text. */
  private atStreamStart = true;
  /** Text of an unfinished line (only string chunks leave one). */
  private buffer = '';
  private pendingCarriageReturn = false;
  private eventName = '';
  private data = '';
  private hasData = false;
  private lastId: string | undefined;
  private retry: number | undefined;

  constructor(options: SseDecoderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? defaultStreamLimits.maxLineBytes;
    this.provider = options.provider ?? 'the server';
  }

  /** Decodes a chunk and returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    if (typeof chunk === 'string') {
      // Complete characters already received as bytes come first (TextDecoder would have emitted them).
      return this.consume(this.pendingByteLength > 0 ? this.takeCompleteCharacters() + chunk : chunk, false);
    }
    let lastLineEnd = chunk.length - 1;
    while (lastLineEnd >= 0 && chunk[lastLineEnd] !== lineFeed && chunk[lastLineEnd] !== carriageReturn) lastLineEnd--;
    if (lastLineEnd === -1) {
      // Copied: the caller may reuse its buffer, and the line is only decoded once its end arrives.
      if (chunk.length > 0) this.holdBytes(new Uint8Array(chunk));
      return [];
    }
    let text: string;
    if (this.pendingByteLength === 0) {
      text = this.decode(asBuffer(chunk), 0, lastLineEnd + 1);
    } else {
      // Only the held bytes and this chunk's first line are joined; the rest is decoded in place
      // (copying every chunk whole would double what a stream allocates).
      let firstLineEnd = 0;
      while (chunk[firstLineEnd] !== lineFeed && chunk[firstLineEnd] !== carriageReturn) firstLineEnd++;
      this.pendingBytes.push(chunk.subarray(0, firstLineEnd + 1));
      const joined = Buffer.concat(this.pendingBytes, this.pendingByteLength + firstLineEnd + 1);
      this.pendingBytes = [];
      this.pendingByteLength = 0;
      text = this.decode(joined, 0, joined.length);
      if (firstLineEnd < lastLineEnd) text += this.decode(asBuffer(chunk), firstLineEnd + 1, lastLineEnd + 1);
    }
    if (lastLineEnd + 1 < chunk.length) this.holdBytes(new Uint8Array(chunk.subarray(lastLineEnd + 1)));
    return this.consume(text, false);
  }

  /** Flushes what remains; an unterminated final event is dispatched only if `dispatchPartial`. */
  end(dispatchPartial = false): SseEvent[] {
    let text = '';
    if (this.pendingByteLength > 0) {
      const joined = Buffer.concat(this.pendingBytes, this.pendingByteLength);
      this.pendingBytes = [];
      this.pendingByteLength = 0;
      text = this.decode(joined, 0, joined.length);
    }
    this.atStreamStart = true;
    const events = this.consume(text, true);
    if (dispatchPartial) {
      if (this.buffer) this.processLine(this.buffer, 0, this.buffer.length);
      this.buffer = '';
      const event = this.dispatch();
      if (event) events.push(event);
    }
    return events;
  }

  private holdBytes(bytes: Uint8Array): void {
    this.pendingBytes.push(bytes);
    this.pendingByteLength += bytes.length;
    if (this.pendingByteLength > this.maxLineBytes) throw this.tooLarge('an SSE line');
  }

  private tooLarge(what: string): Error {
    // Drop what was held: the decoder is dead, and its buffers should not outlive the error.
    this.pendingBytes = [];
    this.pendingByteLength = 0;
    this.buffer = '';
    this.data = '';
    return responseTooLarge(this.provider, what, this.maxLineBytes, 'bytes');
  }

  /** Decodes held bytes up to (not into) a trailing incomplete UTF-8 sequence, which stays held. */
  private takeCompleteCharacters(): string {
    const joined = Buffer.concat(this.pendingBytes, this.pendingByteLength);
    const complete = joined.length - incompleteTailLength(joined);
    this.pendingBytes = complete < joined.length ? [joined.subarray(complete)] : [];
    this.pendingByteLength = joined.length - complete;
    return this.decode(joined, 0, complete);
  }

  private decode(bytes: Buffer, start: number, end: number): string {
    let text = bytes.toString('utf8', start, end);
    if (this.atStreamStart && text !== '') {
      this.atStreamStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  private consume(text: string, final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    // An empty chunk (or one holding only part of a UTF-8 sequence) must not forget a pending
    // \r: otherwise the \n of a \r\n split across it reads as a second line end, i.e. a blank line.
    if (text === '' && !final) return events;
    let data = text;
    let position = 0;
    if (this.pendingCarriageReturn && text.charCodeAt(0) === lineFeed) position = 1;
    this.pendingCarriageReturn = false;
    if (this.buffer !== '') {
      data = this.buffer + (position === 0 ? text : text.slice(position));
      position = 0;
      this.buffer = '';
    }
    const length = data.length;
    // Each kind of line end is searched for natively and only again once passed: \r is rare.
    let nextLineFeed = data.indexOf('\n', position);
    let nextCarriageReturn = data.indexOf('\r', position);
    for (;;) {
      if (nextLineFeed !== -1 && nextLineFeed < position) nextLineFeed = data.indexOf('\n', position);
      if (nextCarriageReturn !== -1 && nextCarriageReturn < position) nextCarriageReturn = data.indexOf('\r', position);
      let lineEnd: number;
      let next: number;
      if (nextCarriageReturn !== -1 && (nextLineFeed === -1 || nextCarriageReturn < nextLineFeed)) {
        lineEnd = nextCarriageReturn;
        if (lineEnd + 1 < length) {
          next = data.charCodeAt(lineEnd + 1) === lineFeed ? lineEnd + 2 : lineEnd + 1;
        } else {
          // A lone \r at the end of a chunk may be the first half of \r\n.
          this.pendingCarriageReturn = !final;
          next = lineEnd + 1;
        }
      } else if (nextLineFeed !== -1) {
        lineEnd = nextLineFeed;
        next = lineEnd + 1;
      } else {
        break;
      }
      if (lineEnd === position) {
        const event = this.dispatch();
        if (event) events.push(event);
      } else {
        this.processLine(data, position, lineEnd);
      }
      position = next;
    }
    if (position < length) {
      this.buffer = position === 0 ? data : data.slice(position);
      if (this.buffer.length > this.maxLineBytes) throw this.tooLarge('an SSE line');
    }
    return events;
  }

  /** Interprets the line `text[start, end)`, which is not empty. */
  private processLine(text: string, start: number, end: number): void {
    const first = text.charCodeAt(start);
    if (first === colon) return;
    // The common case first: one `data:` line per frame.
    if (first === 100 && end - start >= 5 && text.startsWith('data:', start)) {
      this.appendData(text.slice(valueStart(text, start + 5, end), end));
      return;
    }
    let separator = start;
    while (separator < end && text.charCodeAt(separator) !== colon) separator++;
    const field = text.slice(start, separator);
    const value = separator === end ? '' : text.slice(valueStart(text, separator + 1, end), end);
    switch (field) {
      case 'event':
        this.eventName = value;
        break;
      case 'data':
        this.appendData(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
  }

  private appendData(value: string): void {
    if (this.hasData) {
      if (this.data.length + value.length >= this.maxLineBytes) throw this.tooLarge('an SSE event');
      this.data += `\n${value}`;
    } else {
      if (value.length > this.maxLineBytes) throw this.tooLarge('an SSE event');
      this.data = value;
      this.hasData = true;
    }
  }

  private dispatch(): SseEvent | undefined {
    const event: SseEvent | undefined = this.hasData
      ? { event: this.eventName || 'message', data: this.data, id: this.lastId, retry: this.retry }
      : undefined;
    this.eventName = '';
    this.data = '';
    this.hasData = false;
    return event;
  }
}

/** Where a field's value starts: after the colon, and after one space if there is one. */
function valueStart(text: string, afterColon: number, end: number): number {
  return afterColon < end && text.charCodeAt(afterColon) === space ? afterColon + 1 : afterColon;
}

/** The bytes as a Buffer, without copying. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * How many trailing bytes form the start of a UTF-8 sequence whose continuation has not arrived
 * (and could still arrive: a prefix the decoder already rejected is not held back).
 */
function incompleteTailLength(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const lead = bytes[length - back];
    if ((lead & 0xc0) === 0x80) continue;
    const needed = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 1;
    if (needed <= back) return 0;
    if (back > 1) {
      // The WHATWG decoder's narrower ranges for the byte after E0, ED, F0 and F4.
      const second = bytes[length - back + 1];
      const lower = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
      const upper = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
      if (second < lower || second > upper) return 0;
    }
    return back;
  }
  return 0;
}
