/**
 * The streaming server of the streams benchmark, run in its own process (`child_process.fork`):
 * every `POST …/chat/completions` gets `deltas` OpenAI chunks, produced `batch` at a time every
 * `intervalMs`, written only as fast as the socket takes them (it waits for `drain`, as a real
 * server's TCP stack makes it). Arguments: `deltas batch intervalMs`. Reports its port over IPC.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The message the child sends once it listens. */
export interface StreamServerReady {
  port: number;
}

const send = process.send?.bind(process);
if (!send) throw new Error('stream-server must be started with child_process.fork');
const [deltas, batch, intervalMs] = process.argv.slice(2).map(Number);

const delta = Buffer.from(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'token ' }, finish_reason: null }] })}\n\n`);
const tail = Buffer.from(
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: deltas, total_tokens: deltas + 5 } })}\n\ndata: [DONE]\n\n`,
);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const drained = (response: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });

async function stream(response: ServerResponse): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let sent = 0; sent < deltas && !response.destroyed; sent += batch) {
    const count = Math.min(batch, deltas - sent);
    const ok = response.write(count === 1 ? delta : Buffer.concat(Array.from({ length: count }, () => delta)));
    if (!ok) await drained(response);
    if (intervalMs > 0) await sleep(intervalMs);
  }
  if (!response.destroyed) response.end(tail);
}

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => void stream(response));
});
server.keepAliveTimeout = 60_000;
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', 4096, () => {
  const ready: StreamServerReady = { port: (server.address() as AddressInfo).port };
  send(ready);
});
process.on('disconnect', () => process.exit(0));
