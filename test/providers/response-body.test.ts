/**
 * Response bodies read straight off undici's dispatcher (`providers/response-body.ts`): flow
 * control reaches the socket, an abort works at every stage, a body left early closes its
 * connection while a finished one is reused, informational heads are skipped, and a cut is a
 * typed failure.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmErrorCode } from '../../providers/errors.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { closePools } from '../../providers/http.js';
import { bodyChunks, readBounded } from '../../providers/http-body.js';
import { complete } from '../../providers/observable.js';
import { bodyHighWaterMark, dispatchRequest, maxDrainBytes, maxDrainMs } from '../../providers/response-body.js';
import { listenOnLoopback } from '../fakes/loopback.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface TestServer {
  url: string;
  pool: Pool;
  connections: () => number;
  close: () => Promise<void>;
}

const open: TestServer[] = [];
afterEach(async () => {
  await closePools();
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function serve(handler: Handler, connections = 4): Promise<TestServer> {
  let accepted = 0;
  const server: Server = createServer(handler);
  server.on('connection', () => accepted++);
  const loopback = await listenOnLoopback(server);
  const pool = new Pool(loopback.url, { connections });
  const running: TestServer = {
    url: loopback.url,
    pool,
    connections: () => accepted,
    close: async () => {
      await pool.destroy();
      await loopback.close();
    },
  };
  open.push(running);
  return running;
}

const get = { path: '/', method: 'GET' as const };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `total` bytes in 64 KiB pieces as fast as the socket takes them; counts what it wrote. */
function flood(total: number, written: { bytes: number }): Handler {
  const piece = Buffer.alloc(64 * 1024, 'x');
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const pump = (): void => {
      while (written.bytes < total) {
        written.bytes += piece.length;
        if (!response.write(piece)) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
  };
}

describe('dispatched response bodies', () => {
  it('stop reading the socket while nobody reads them, and deliver every byte once read', async () => {
    const total = 48 * 1024 * 1024;
    const written = { bytes: 0 };
    const server = await serve(flood(total, written));
    const response = await dispatchRequest(server.pool, get);
    expect(response.statusCode).toBe(200);
    let received = (await response.body.next()).value!.byteLength;
    await sleep(300);
    const first = written.bytes;
    await sleep(300);
    // The server is stuck on a full TCP window: a bounded share, and no progress while paused.
    expect(first).toBeLessThan(total / 2);
    expect(written.bytes - first).toBeLessThan(1024 * 1024);
    for await (const chunk of response.body) received += chunk.byteLength;
    expect(received).toBe(total);
  });

  it('hand over every chunk that already arrived without waiting, and hold no more than a read past the mark', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200);
      // Many small HTTP chunks in one go, as a server flushing per token sends them.
      for (let index = 0; index < 200; index++) response.write(`frame ${index}\n`);
      response.end();
    });
    const response = await dispatchRequest(server.pool, get);
    while (!response.body.complete) await sleep(5);
    let text = '';
    let queued = 0;
    for (let chunk = response.body.readQueued(); chunk !== null; chunk = response.body.readQueued()) {
      text += Buffer.from(chunk).toString();
      queued++;
    }
    expect(queued).toBeGreaterThan(1);
    expect(text.split('\n').filter(Boolean)).toHaveLength(200);
    expect(await response.body.next()).toEqual({ done: true, value: undefined });
    expect(bodyHighWaterMark).toBeLessThanOrEqual(64 * 1024);
  });

  it('rejects at once when the signal fires while the request still waits for a connection', async () => {
    let releaseFirst: (() => void) | undefined;
    const server = await serve((_request, response) => {
      releaseFirst = () => response.end('done');
      response.writeHead(200).flushHeaders();
    }, 1);
    const first = await dispatchRequest(server.pool, get);
    const controller = new AbortController();
    const second = dispatchRequest(server.pool, get, controller.signal);
    controller.abort(new Error('caller gave up'));
    await expect(second).rejects.toThrow('caller gave up');
    releaseFirst?.();
    for await (const chunk of first.body) expect(Buffer.from(chunk).toString()).toBe('done');
  });

  it('fails the body when the signal fires mid-body', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200);
      response.write('part');
    });
    const controller = new AbortController();
    const response = await dispatchRequest(server.pool, get, controller.signal);
    await response.body.next();
    controller.abort();
    const chunks = bodyChunks('test', { status: 200, headers: {}, body: response.body }, controller.signal);
    await expect(chunks.next()).rejects.toMatchObject({ code: LlmErrorCode.aborted });
  });

  it('close the connection when left early, and give it back when read to the end', async () => {
    let respond: ((response: ServerResponse) => void) | undefined;
    const server = await serve((_request, response) => respond?.(response), 1);
    respond = (response) => response.end('whole');
    for (let call = 0; call < 3; call++) {
      const response = await dispatchRequest(server.pool, get);
      for await (const chunk of response.body) expect(Buffer.from(chunk).toString()).toBe('whole');
    }
    expect(server.connections()).toBe(1);

    respond = (response) => {
      response.writeHead(200);
      response.write('head of an endless body');
    };
    const left = await dispatchRequest(server.pool, get);
    await left.body.next();
    await left.body.return();
    respond = (response) => response.end('after');
    const after = await dispatchRequest(server.pool, get);
    for await (const chunk of after.body) expect(Buffer.from(chunk).toString()).toBe('after');
    expect(server.connections()).toBe(2);
  });

  it('keep their connection when released before their last bytes came', async () => {
    let respond: ((response: ServerResponse) => void) | undefined;
    const server = await serve((_request, response) => respond?.(response), 1);
    respond = (response) => {
      response.writeHead(200);
      // The answer's terminator now, the chunked encoding's last chunk a little later.
      response.write('data: [DONE]\n\n', () => setTimeout(() => response.end(), 50));
    };
    const first = await dispatchRequest(server.pool, get);
    expect(Buffer.from((await first.body.next()).value!).toString()).toContain('[DONE]');
    first.body.release();
    respond = (response) => response.end('next');
    const second = await dispatchRequest(server.pool, get);
    for await (const chunk of second.body) expect(Buffer.from(chunk).toString()).toBe('next');
    expect(server.connections()).toBe(1);
  });

  it('abort a released body that keeps coming, or whose end does not come', async () => {
    const written = { bytes: 0 };
    const server = await serve(flood(64 * 1024 * 1024, written));
    const endless = await dispatchRequest(server.pool, get);
    await endless.body.next();
    endless.body.release();
    await sleep(200);
    // Let in up to the drain budget (plus what sockets buffer), then cut.
    expect(written.bytes).toBeLessThan(32 * 1024 * 1024);
    expect(maxDrainBytes).toBeLessThanOrEqual(64 * 1024);

    let closed = false;
    const silent = await serve((request, response) => {
      request.socket.on('close', () => (closed = true));
      response.writeHead(200);
      response.write('data: [DONE]\n\n');
    });
    const stalled = await dispatchRequest(silent.pool, get);
    await stalled.body.next();
    stalled.body.release();
    await sleep(maxDrainMs + 300);
    expect(closed).toBe(true);
  });

  it('let a streaming adapter that stopped at its terminator reuse the connection', async () => {
    const frame = (text: string): string => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
    const server = await serve((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(frame('Hello') + frame(' there') + 'data: [DONE]\n\n', () => setTimeout(() => response.end(), 30));
      });
    });
    const adapter = createOpenAIAdapter({ apiKey: 'sk-reuse-0123456789', baseUrl: `${server.url}/v1` });
    for (let call = 0; call < 3; call++) {
      expect((await complete(adapter.stream({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }))).content).toBe('Hello there');
      // The answer is complete before its connection is free (the last chunk comes 30 ms later).
      await sleep(150);
    }
    expect(server.connections()).toBe(1);
  });

  it('skip informational heads', async () => {
    const server = await serve((_request, response) => {
      response.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      response.writeHead(201, { 'x-answer': 'yes' }).end('created');
    });
    const response = await dispatchRequest(server.pool, get);
    expect(response.statusCode).toBe(201);
    expect(response.headers['x-answer']).toBe('yes');
    expect((await readBounded(response.body, 1024)).text).toBe('created');
  });

  it('turn a connection cut mid-body into a retryable interruption', async () => {
    const server = await serve((request, response) => {
      response.writeHead(200);
      response.write('half an ans', () => setTimeout(() => request.socket.destroy(), 20));
    });
    const response = await dispatchRequest(server.pool, get);
    const chunks = bodyChunks('test', { status: 200, headers: {}, body: response.body });
    await expect(
      (async () => {
        for await (const chunk of chunks) void chunk;
      })(),
    ).rejects.toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('stop at a size bound without downloading the rest', async () => {
    const written = { bytes: 0 };
    const server = await serve(flood(64 * 1024 * 1024, written));
    const response = await dispatchRequest(server.pool, get);
    const read = await readBounded(response.body, 100_000);
    expect(read).toMatchObject({ truncated: true });
    expect(read.text).toHaveLength(100_000);
    await sleep(200);
    expect(written.bytes).toBeLessThan(32 * 1024 * 1024);
  });
});
