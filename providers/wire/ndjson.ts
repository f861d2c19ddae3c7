/**
 * Incremental newline-delimited JSON decoder (Ollama's native stream): bytes in any chunking,
 * parsed values out. A line that is not JSON is reported, not thrown, so the adapter can map it to
 * a typed error.
 */

/** One decoded line: its parsed value, or the raw text that failed to parse. */
export type NdjsonItem = { ok: true; value: unknown } | { ok: false; line: string; error: Error };

/** Feeds bytes in with {@link push}; complete lines come out. Call {@link end} at end of stream. */
export class NdjsonDecoder {
  private readonly textDecoder = new TextDecoder('utf-8');
  private buffer = '';

  /** Decodes a chunk and returns the lines it completed. */
  push(chunk: Uint8Array | string): NdjsonItem[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.textDecoder.decode(chunk, { stream: true });
    const items: NdjsonItem[] = [];
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const item = parseLine(line);
      if (item) items.push(item);
      newline = this.buffer.indexOf('\n');
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
