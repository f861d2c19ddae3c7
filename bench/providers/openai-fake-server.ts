/**
 * A minimal OpenAI Chat Completions server for the provider-overhead benchmark, run in a child
 * process (`child_process.fork`) so that the CPU the parent measures is the client's alone. It
 * answers `POST …/chat/completions` with canned bytes: SSE when the request body asks for
 * `"stream":true`, the recorded JSON otherwise. It reports its port over IPC and exits when the
 * parent disconnects.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletionJson, chatCompletionStreamFrames, openaiResponseHeaders } from './openai-canned.js';

/** The message the child sends once it listens. */
export interface FakeServerReady {
  port: number;
}

const send = process.send?.bind(process);
if (!send) throw new Error('openai-fake-server must be started with child_process.fork');

const jsonBody = Buffer.from(chatCompletionJson);
// One buffer per SSE event, each written separately, as the API flushes one event per token.
const streamFrames = chatCompletionStreamFrames().map((frame) => Buffer.from(frame));
const streamMarker = Buffer.from('"stream":true');

const server = createServer((request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    if (Buffer.concat(parts).includes(streamMarker)) {
      response.writeHead(200, { ...openaiResponseHeaders, 'content-type': 'text/event-stream; charset=utf-8' });
      for (const frame of streamFrames) response.write(frame);
      response.end();
    } else {
      response.writeHead(200, { ...openaiResponseHeaders, 'content-type': 'application/json', 'content-length': String(jsonBody.length) });
      response.end(jsonBody);
    }
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const ready: FakeServerReady = { port: (server.address() as AddressInfo).port };
  send(ready);
});

process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
