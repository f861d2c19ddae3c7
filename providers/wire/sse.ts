/**
 * Incremental Server-Sent Events decoder (WHATWG rules): bytes in any chunking, events out.
 * Handles `\n`, `\r\n` and `\r` line ends, multi-line `data:`, comments and UTF-8 split across chunks.
 */

/** One decoded SSE event. */
export interface SseEvent {
  /** The `event:` field; `message` when absent. */
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

/** Feeds bytes in with {@link push}; completed events come out. Call {@link end} at end of stream. */
export class SseDecoder {
  private readonly textDecoder = new TextDecoder('utf-8');
  private buffer = '';
  private pendingCarriageReturn = false;
  private eventName = '';
  private dataLines: string[] = [];
  private hasData = false;
  private lastId: string | undefined;
  private retry: number | undefined;

  /** Decodes a chunk and returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.textDecoder.decode(chunk, { stream: true });
    return this.consume(text, false);
  }

  /** Flushes what remains; an unterminated final event is dispatched only if `dispatchPartial`. */
  end(dispatchPartial = false): SseEvent[] {
    const events = this.consume(this.textDecoder.decode(), true);
    if (dispatchPartial) {
      if (this.buffer) this.processLine(this.buffer);
      this.buffer = '';
      const event = this.dispatch();
      if (event) events.push(event);
    }
    return events;
  }

  private consume(text: string, final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    // An empty chunk (or one holding only part of a UTF-8 sequence) must not forget a pending
    // \r: otherwise the \n of a \r\n split across it reads as a second line end, i.e. a blank line.
    if (text === '' && !final) return events;
    let start = 0;
    if (this.pendingCarriageReturn && text.startsWith('\n')) start = 1;
    this.pendingCarriageReturn = false;
    let data = this.buffer + text.slice(start);
    this.buffer = '';
    let position = 0;
    for (;;) {
      const newline = indexOfLineEnd(data, position);
      if (newline === -1) break;
      const line = data.slice(position, newline);
      if (data[newline] === '\r') {
        if (newline + 1 < data.length) {
          position = data[newline + 1] === '\n' ? newline + 2 : newline + 1;
        } else {
          // A lone \r at the end of a chunk may be the first half of \r\n.
          this.pendingCarriageReturn = !final;
          position = newline + 1;
        }
      } else {
        position = newline + 1;
      }
      if (line === '') {
        const event = this.dispatch();
        if (event) events.push(event);
      } else {
        this.processLine(line);
      }
    }
    data = data.slice(position);
    this.buffer = data;
    return events;
  }

  private processLine(line: string): void {
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventName = value;
        break;
      case 'data':
        this.dataLines.push(value);
        this.hasData = true;
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

  private dispatch(): SseEvent | undefined {
    const event: SseEvent | undefined = this.hasData
      ? { event: this.eventName || 'message', data: this.dataLines.join('\n'), id: this.lastId, retry: this.retry }
      : undefined;
    this.eventName = '';
    this.dataLines = [];
    this.hasData = false;
    return event;
  }
}

function indexOfLineEnd(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 10 || code === 13) return index;
  }
  return -1;
}
