/**
 * Incremental decoder of the AWS event-stream binary framing (`application/vnd.amazon.eventstream`),
 * which Bedrock's ConverseStream answers in. Bytes go in with any chunking; whole, checksum-verified
 * messages come out. Layout of one message:
 *
 * ```
 * total_length u32 | headers_length u32 | prelude_crc u32 | headers | payload | message_crc u32
 * ```
 *
 * Both CRC32s are checked, and the prelude CRC *before* `total_length` is trusted, so a corrupted
 * length can never make the decoder wait for (or allocate) bytes that will not come.
 */
import { crc32 } from 'node:zlib';
import { LlmError, LlmErrorCode } from '../errors.js';
import { responseTooLarge } from '../stream-limits.js';

/** The ten header value types of the format, by their wire type number (0-9). */
export type EventStreamHeader =
  | { name: string; type: 'boolean'; value: boolean }
  | { name: string; type: 'byte' | 'short' | 'integer'; value: number }
  | { name: string; type: 'long'; value: bigint }
  | { name: string; type: 'binary'; value: Uint8Array }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'timestamp'; value: Date }
  | { name: string; type: 'uuid'; value: string };

/** One decoded, checksum-verified message. */
export interface EventStreamMessage {
  /** Headers in wire order (names may in principle repeat; {@link headerValue} takes the first). */
  headers: EventStreamHeader[];
  payload: Uint8Array;
}

/** Length of `total_length`, `headers_length` and `prelude_crc`. */
export const preludeLength = 12;
/** Smallest possible message: prelude plus message CRC, no headers, no payload. */
export const minimumMessageLength = 16;
/**
 * Largest message we accept. AWS caps payloads at 16 MiB and headers at 128 KiB; anything bigger is
 * corruption, and refusing it bounds memory.
 */
export const maximumMessageLength = 16 * 1024 * 1024 + 128 * 1024 + minimumMessageLength;

/** The first header named `name`, as a string when it is one (the common case for Bedrock). */
export function headerValue(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers.find((candidate) => candidate.name === name);
  return header?.type === 'string' ? header.value : undefined;
}

/**
 * Feeds bytes in with {@link push}; completed messages come out. Corruption throws an
 * {@link LlmError} `LLM_ERR_MALFORMED_RESPONSE`; after that the decoder stays failed.
 */
export class EventStreamDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private failure: LlmError | undefined;
  private readonly maxFrameBytes: number;

  /**
   * @param maxFrameBytes largest frame accepted (at most {@link maximumMessageLength}); a bigger
   *   announced length fails with `LLM_ERR_RESPONSE_TOO_LARGE` before any of it is buffered.
   */
  constructor(
    private readonly provider = 'bedrock',
    maxFrameBytes: number = maximumMessageLength,
  ) {
    this.maxFrameBytes = Math.min(maxFrameBytes, maximumMessageLength);
  }

  /** Bytes received but not yet part of a complete message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Decodes a chunk and returns the messages it completed. */
  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const messages: EventStreamMessage[] = [];
    try {
      for (;;) {
        if (this.buffered < preludeLength) break;
        const head = this.peek(preludeLength);
        const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
        const totalLength = view.getUint32(0);
        const headersLength = view.getUint32(4);
        if (crc32(head.subarray(0, 8)) !== view.getUint32(8)) throw this.malformed('Prelude checksum mismatch');
        if (totalLength < minimumMessageLength || totalLength > maximumMessageLength) {
          throw this.malformed(`impossible message length ${totalLength}`);
        }
        if (totalLength > this.maxFrameBytes) {
          this.chunks = [];
          this.buffered = 0;
          throw responseTooLarge(this.provider, `an event-stream frame of ${totalLength} bytes,`, this.maxFrameBytes, 'bytes');
        }
        if (headersLength > totalLength - minimumMessageLength) {
          throw this.malformed(`headers length ${headersLength} exceeds message length ${totalLength}`);
        }
        if (this.buffered < totalLength) break;
        const frame = this.take(totalLength);
        messages.push(this.decodeFrame(frame, headersLength));
      }
    } catch (error) {
      this.failure = error as LlmError;
      throw error;
    }
    return messages;
  }

  /**
   * Declares the end of the stream. Leftover bytes mean the connection ended inside a frame, which
   * is a (retryable) interruption rather than corruption.
   */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.buffered > 0) {
      throw new LlmError(LlmErrorCode.streamInterrupted, `${this.provider} event stream ended inside a frame (${this.buffered} bytes left over)`, {
        provider: this.provider,
        isRetryable: true,
      });
    }
  }

  private decodeFrame(frame: Uint8Array, headersLength: number): EventStreamMessage {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const expected = view.getUint32(frame.length - 4);
    if (crc32(frame.subarray(0, frame.length - 4)) !== expected) throw this.malformed('Message checksum mismatch');
    const headers = this.decodeHeaders(frame.subarray(preludeLength, preludeLength + headersLength));
    // Copy so callers may keep the payload without pinning the whole receive buffer.
    const payload = frame.slice(preludeLength + headersLength, frame.length - 4);
    return { headers, payload };
  }

  private decodeHeaders(bytes: Uint8Array): EventStreamHeader[] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headers: EventStreamHeader[] = [];
    const text = new TextDecoder('utf-8', { fatal: true });
    let position = 0;
    const need = (count: number): void => {
      if (position + count > bytes.length) throw this.malformed('header runs past the headers section');
    };
    const utf8 = (start: number, length: number): string => {
      try {
        return text.decode(bytes.subarray(start, start + length));
      } catch (error) {
        throw this.malformed('header is not valid UTF-8', error);
      }
    };
    while (position < bytes.length) {
      need(1);
      const nameLength = view.getUint8(position);
      position += 1;
      if (nameLength === 0) throw this.malformed('header with an empty name');
      need(nameLength + 1);
      const name = utf8(position, nameLength);
      position += nameLength;
      const type = view.getUint8(position);
      position += 1;
      switch (type) {
        case 0:
        case 1:
          headers.push({ name, type: 'boolean', value: type === 0 });
          break;
        case 2:
          need(1);
          headers.push({ name, type: 'byte', value: view.getInt8(position) });
          position += 1;
          break;
        case 3:
          need(2);
          headers.push({ name, type: 'short', value: view.getInt16(position) });
          position += 2;
          break;
        case 4:
          need(4);
          headers.push({ name, type: 'integer', value: view.getInt32(position) });
          position += 4;
          break;
        case 5:
          need(8);
          headers.push({ name, type: 'long', value: view.getBigInt64(position) });
          position += 8;
          break;
        case 6:
        case 7: {
          need(2);
          const length = view.getUint16(position);
          position += 2;
          need(length);
          if (type === 6) headers.push({ name, type: 'binary', value: bytes.slice(position, position + length) });
          else headers.push({ name, type: 'string', value: utf8(position, length) });
          position += length;
          break;
        }
        case 8:
          need(8);
          headers.push({ name, type: 'timestamp', value: new Date(Number(view.getBigInt64(position))) });
          position += 8;
          break;
        case 9: {
          need(16);
          const hex = Buffer.from(bytes.subarray(position, position + 16)).toString('hex');
          headers.push({ name, type: 'uuid', value: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` });
          position += 16;
          break;
        }
        default:
          throw this.malformed(`unknown header type ${type}`);
      }
    }
    return headers;
  }

  /** The first `count` buffered bytes, without consuming them. */
  private peek(count: number): Uint8Array {
    this.coalesce(count);
    return this.chunks[0].subarray(0, count);
  }

  /** Removes and returns the first `count` buffered bytes. */
  private take(count: number): Uint8Array {
    this.coalesce(count);
    const first = this.chunks[0];
    const taken = first.subarray(0, count);
    if (first.length === count) this.chunks.shift();
    else this.chunks[0] = first.subarray(count);
    this.buffered -= count;
    return taken;
  }

  /** Makes the first chunk at least `count` bytes long, joining only as many chunks as needed. */
  private coalesce(count: number): void {
    if (this.chunks[0].length >= count) return;
    let joined = 0;
    let taken = 0;
    while (joined < count) joined += this.chunks[taken++].length;
    const merged = Buffer.concat(this.chunks.slice(0, taken), joined);
    this.chunks.splice(0, taken, merged);
  }

  private malformed(reason: string, cause?: unknown): LlmError {
    return new LlmError(LlmErrorCode.malformedResponse, `${this.provider} sent a corrupt event-stream frame: ${reason}`, {
      provider: this.provider,
      cause,
    });
  }
}
