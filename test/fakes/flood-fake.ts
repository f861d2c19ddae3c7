/**
 * A hostile streaming server for bounds and flow-control tests: endless lines, endless deltas,
 * nothing but keep-alives, huge error bodies, huge deltas — and long honest streams. It speaks
 * OpenAI-compatible SSE on `/v1/chat/completions` and Ollama NDJSON on `/api/chat` (and
 * Anthropic `ping` events on `/v1/messages`, for keep-alives), and it
 * writes only as fast as the socket accepts (it waits for `drain`), so `bytesWritten` tells how
 * much the client has actually let through its TCP window: the measure of backpressure.
 */
import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** What the server does with the next request. */
export type FloodMode =
  /** `count` deltas of `text` (default endless), then a proper end. */
  | { type: 'deltas'; count?: number; text?: string; delayMs?: number }
  /** A line that never ends. */
  | { type: 'endless-line' }
  /** Keep-alive comments (SSE) or blank lines (NDJSON) every `intervalMs`, forever. */
  | { type: 'keep-alive'; intervalMs?: number }
  /** An error status with a body of `bytes` bytes (a JSON error whose message is that long). */
  | { type: 'error-body'; status: number; bytes: number }
  /** One delta of `bytes` characters. */
  | { type: 'huge-delta'; bytes: number };

/** A running flood server. */
export interface FloodFake {
  url: string;
  /** Bytes written to responses so far (all requests). */
  readonly bytesWritten: number;
  /** Requests received so far. */
  readonly requests: number;
  /** Responses whose connection is still open. */
  readonly active: number;
  /** Sets what every following request gets. */
  setMode(mode: FloodMode): void;
  close(): Promise<void>;
}

const pieceBytes = 64 * 1024;

/** Starts the server on an ephemeral loopback port. */
export async function startFloodFake(initial: FloodMode = { type: 'deltas', count: 10 }): Promise<FloodFake> {
  let mode = initial;
  let bytesWritten = 0;
  let requests = 0;
  let active = 0;

  const write = async (response: ServerResponse, data: string | Buffer): Promise<boolean> => {
    if (response.destroyed || response.writableEnded) return false;
    bytesWritten += Buffer.byteLength(data);
    if (response.write(data)) return true;
    return new Promise<boolean>((resolve) => {
      const settle = (drained: boolean): void => {
        response.off('drain', onDrain);
        response.off('close', onClose);
        resolve(drained);
      };
      const onDrain = (): void => settle(true);
      const onClose = (): void => settle(false);
      response.on('drain', onDrain);
      response.on('close', onClose);
    });
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  const server = createServer((incoming, response) => {
    requests++;
    active++;
    response.on('close', () => active--);
    const ndjson = (incoming.url ?? '').includes('/api/chat');
    const anthropic = (incoming.url ?? '').includes('/v1/messages');
    incoming.resume();
    void serve(response, ndjson, mode, anthropic).catch(() => response.destroy());
  });

  const serve = async (response: ServerResponse, ndjson: boolean, current: FloodMode, anthropic = false): Promise<void> => {
    if (current.type === 'error-body') {
      response.writeHead(current.status, { 'content-type': 'application/json' });
      const head = Buffer.from('{"error":{"message":"');
      await write(response, head);
      let left = current.bytes;
      const filler = Buffer.alloc(pieceBytes, 'e');
      while (left > 0) {
        if (!(await write(response, left >= pieceBytes ? filler : filler.subarray(0, left)))) return;
        left -= pieceBytes;
      }
      await write(response, '","type":"server_error"}}');
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': ndjson ? 'application/x-ndjson' : 'text/event-stream' });
    response.flushHeaders();
    const delta = (text: string): string =>
      ndjson
        ? `${JSON.stringify({ model: 'm', message: { role: 'assistant', content: text }, done: false })}\n`
        : `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
    switch (current.type) {
      case 'deltas': {
        const text = current.text ?? 'token ';
        const count = current.count ?? Number.POSITIVE_INFINITY;
        for (let index = 0; index < count; index++) {
          if (!(await write(response, delta(text)))) return;
          if (current.delayMs) await sleep(current.delayMs);
        }
        if (ndjson) {
          await write(response, `${JSON.stringify({ model: 'm', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 1, eval_count: count })}\n`);
        } else {
          await write(response, `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
          await write(response, 'data: [DONE]\n\n');
        }
        response.end();
        return;
      }
      case 'endless-line': {
        await write(response, ndjson ? '{"model":"m","message":{"role":"assistant","content":"' : 'data: {"choices":[{"index":0,"delta":{"content":"');
        const filler = Buffer.alloc(pieceBytes, 'x');
        while (await write(response, filler));
        return;
      }
      case 'keep-alive': {
        const interval = current.intervalMs ?? 20;
        // Anthropic pings with a named event that carries no content; others with SSE comments.
        const keepAlive = ndjson ? '\n' : anthropic ? 'event: ping\ndata: {"type": "ping"}\n\n' : ': keep-alive\n\n';
        while (await write(response, keepAlive)) await sleep(interval);
        return;
      }
      case 'huge-delta': {
        await write(response, ndjson ? '{"model":"m","message":{"role":"assistant","content":"' : 'data: {"choices":[{"index":0,"delta":{"content":"');
        let left = current.bytes;
        const filler = Buffer.alloc(pieceBytes, 'y');
        while (left > 0) {
          if (!(await write(response, left >= pieceBytes ? filler : filler.subarray(0, left)))) return;
          left -= pieceBytes;
        }
        await write(response, ndjson ? '"},"done":false}\n' : '"},"finish_reason":null}]}\n\n');
        response.end();
        return;
      }
    }
  };

  const loopback = await listenOnLoopback(server);
  return {
    url: loopback.url,
    get bytesWritten() {
      return bytesWritten;
    },
    get requests() {
      return requests;
    },
    get active() {
      return active;
    },
    setMode(next) {
      mode = next;
    },
    close: () => loopback.close(),
  };
}
