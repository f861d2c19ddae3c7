/** Tiny local servers for discovery tests: a model-list server, a black hole, and a closed port. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback } from '../../fakes/loopback.js';

/** A running helper server. */
export interface HelperServer {
  url: string;
  paths: string[];
  headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

async function listen(server: Server, paths: string[], headers: HelperServer['headers']): Promise<HelperServer> {
  const { url, close } = await listenOnLoopback(server);
  return { url, paths, headers, close };
}

/**
 * Answers `GET …/models` with an OpenAI/Anthropic-shaped list (`{object, data:[{id}], has_more}`),
 * or with `status` and `body` when given (e.g. a 401 that echoes the key, as some servers do).
 */
export async function startModelListServer(models: string[], failure?: { status: number; body: (auth: string) => unknown }): Promise<HelperServer> {
  const paths: string[] = [];
  const headers: HelperServer['headers'] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    headers.push(request.headers);
    if (failure) {
      const auth = String(request.headers.authorization ?? request.headers['x-api-key'] ?? '');
      response.writeHead(failure.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(failure.body(auth)));
      return;
    }
    if (request.method === 'GET' && /\/models$/.test(new URL(request.url ?? '/', 'http://x').pathname)) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'fake' })), has_more: false }));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  return listen(server, paths, headers);
}

/** Accepts connections and requests but never answers: only a deadline ends a probe to it. */
export async function startBlackHole(): Promise<HelperServer> {
  const paths: string[] = [];
  const server = createServer((request) => {
    paths.push(request.url ?? '');
  });
  return listen(server, paths, []);
}

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
