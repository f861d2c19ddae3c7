/**
 * Incremental newline-delimited JSON decoder (Ollama's native stream): bytes in any chunking,
 * parsed values out. A line that is not JSON is reported, not thrown, so the adapter can map it to
 * a typed error. A line longer than `maxLineBytes` throws `LLM_ERR_RESPONSE_TOO_LARGE`: an
 * upstream that never ends its line cannot grow the process without bound.
 */
import { defaultStreamLimits, responseTooLarge } from '../stream-limits.js';

/** One decoded line: its parsed value, or the raw text that failed to parse. */
export type NdjsonItem = { ok: true; value: unknown } | { ok: false; line: string; error: Error };

/** Options of an {@link NdjsonDecoder}. */
export interface NdjsonDecoderOptions {
  /** Longest line, in bytes (counted as UTF-16 units once decoded); default 1 MiB. */
  maxLineBytes?: number;
  /** Who sent the bytes, for error messages. */
  provider?: string;
}

/** Feeds bytes in with {@link push}; complete lines come out. Call {@link end} at end of stream. */
export class NdjsonDecoder {
  private readonly textDecoder = new TextDecoder('utf-8');
  private readonly maxLineBytes: number;
  private readonly provider: string;
  private buffer = '';

  constructor(options: NdjsonDecoderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? defaultStreamLimits.maxLineBytes;
    this.provider = options.provider ?? 'the server';
  }

  /** Decodes a chunk and returns the lines it completed. */
  push(chunk: Uint8Array | string): NdjsonItem[] {
    const text = this.buffer + (typeof chunk === 'string' ? chunk : this.textDecoder.decode(chunk, { stream: true }));
    const items: NdjsonItem[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const item = parseLine(text.slice(start, newline));
      if (item) items.push(item);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.buffer = start === 0 ? text : text.slice(start);
    if (this.buffer.length > this.maxLineBytes) {
      this.buffer = '';
      throw responseTooLarge(this.provider, 'an NDJSON line', this.maxLineBytes, 'bytes');
    }
    return items;
  }

  /** Parses a final line that had no trailing newline. */
  end(): NdjsonItem[] {
    this.buffer += this.textDecoder.decode();
    const item = parseLine(this.buffer);
    this.buffer = '';
    return item ? [item] : [];
  }
}

function parseLine(raw: string): NdjsonItem | undefined {
  const line = raw.trim();
  if (!line) return undefined;
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (error) {
    return { ok: false, line, error: error as Error };
  }
}
