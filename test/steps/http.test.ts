import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MissionError } from '../../engine/errors.js';
import { httpStep } from '../../engine/steps/http.js';
import { readCappedBody, redactUrl } from '../../engine/steps/http-support.js';
import type { StepContext } from '../../engine/steps/types.js';
import { listenOnLoopback, type Loopback } from '../fakes/loopback.js';
import { createTestContext, makeTempDirectory, removeTempDirectory } from './context.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let loopback: Loopback;
let base: string;
const received: Received[] = [];

function route(request: IncomingMessage, response: ServerResponse, body: string): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/json') {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-served-by': 'fake' });
    response.end(JSON.stringify({ ok: true, items: [1, 2] }));
  } else if (url.pathname === '/text') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('hello there');
  } else if (url.pathname === '/fake-json') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('<html>not json</html>');
  } else if (url.pathname === '/echo') {
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ method: request.method, contentType: request.headers['content-type'] ?? null, body }));
  } else if (url.pathname.startsWith('/status/')) {
    const status = Number(url.pathname.slice('/status/'.length));
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: `status ${status}` }));
  } else if (url.pathname === '/empty') {
    response.writeHead(204);
    response.end();
  } else if (url.pathname === '/big') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
  } else if (url.pathname === '/slow') {
    // Never answers; the socket is destroyed in afterAll.
  } else if (url.pathname === '/drop') {
    request.socket.destroy();
  } else {
    response.writeHead(404);
    response.end();
  }
}

beforeAll(async () => {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      route(request, response, body);
    });
  });
  loopback = await listenOnLoopback(server);
  base = loopback.url;
});
afterAll(async () => {
  await loopback.close();
});

let workspace: string;
let context: StepContext;
beforeEach(async () => {
  workspace = await makeTempDirectory('http-');
  context = createTestContext(workspace).context;
  received.length = 0;
});
afterEach(() => removeTempDirectory(workspace));

async function failure(parameters: Record<string, unknown>, stepContext = context): Promise<MissionError & { output?: any }> {
  const error = await httpStep.execute(parameters as never, stepContext).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MissionError);
  return error as MissionError & { output?: any };
}

describe('http', () => {
  it('GETs JSON and returns url, method, status, headers and the parsed response', async () => {
    const output = await httpStep.execute({ url: `${base}/json`, headers: { Accept: 'application/json', 'User-Agent': 'mission-test/1.0' } }, context);
    expect(output).toMatchObject({
      url: `${base}/json`,
      method: 'GET',
      status: 200,
      headers: { 'x-served-by': 'fake', 'content-type': 'application/json; charset=utf-8' },
      response: { ok: true, items: [1, 2] },
    });
    expect(received[0].headers['user-agent']).toBe('mission-test/1.0');
  });

  it('returns non-JSON bodies as {text}, even when they claim to be JSON', async () => {
    expect(await httpStep.execute({ url: `${base}/text` }, context)).toMatchObject({ response: { text: 'hello there' } });
    expect(await httpStep.execute({ url: `${base}/fake-json` }, context)).toMatchObject({ response: { text: '<html>not json</html>' } });
    expect(await httpStep.execute({ url: `${base}/empty`, method: 'delete' }, context)).toMatchObject({ status: 204, method: 'DELETE', response: { text: '' } });
  });

  it('sends an object body as JSON with a content type, and a string body as is', async () => {
    const json = await httpStep.execute({ url: `${base}/echo`, method: 'POST', body: { a: 1, b: ['x'] } }, context);
    expect(json).toMatchObject({ status: 201, response: { method: 'POST', contentType: 'application/json', body: '{"a":1,"b":["x"]}' } });
    const text = await httpStep.execute({ url: `${base}/echo`, method: 'PUT', body: 'raw=1&b=2', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, context);
    expect(text).toMatchObject({ response: { method: 'PUT', contentType: 'application/x-www-form-urlencoded', body: 'raw=1&b=2' } });
  });

  it('sends body_file from the workspace and refuses one outside it', async () => {
    await writeFile(path.join(workspace, 'payload.json'), '{"from":"file"}');
    const output = await httpStep.execute({ url: `${base}/echo`, method: 'POST', body_file: 'payload.json' }, context);
    expect(output).toMatchObject({ response: { contentType: 'application/json', body: '{"from":"file"}' } });
    expect((await failure({ url: `${base}/echo`, method: 'POST', body_file: '../../etc/passwd' })).code).toBe('MISSION_ERR_PATH_ESCAPE');
    expect((await failure({ url: `${base}/echo`, method: 'POST', body_file: 'payload.json', body: 'x' })).code).toBe('MISSION_ERR_PARAMETERS');
  });

  it.skipIf(process.platform === 'win32')('refuses a body_file that is not a regular file instead of blocking on it', async () => {
    execFileSync('mkfifo', [path.join(workspace, 'pipe')]);
    const error = await failure({ url: `${base}/echo`, method: 'POST', body_file: 'pipe' });
    expect(error).toMatchObject({ code: 'MISSION_ERR_IO', message: expect.stringContaining('not a regular file') });
    expect(received).toHaveLength(0);
  });

  it('fails an unexpected status with MISSION_ERR_HTTP_STATUS and the output attached', async () => {
    const error = await failure({ url: `${base}/status/404` });
    expect(error.code).toBe('MISSION_ERR_HTTP_STATUS');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('returned status 404, expected 2xx');
    expect(error.output).toMatchObject({ status: 404, response: { error: 'status 404' } });
  });

  it('marks 5xx and 429 as retryable', async () => {
    for (const status of [500, 503, 429]) {
      const error = await failure({ url: `${base}/status/${status}` });
      expect(error).toMatchObject({ code: 'MISSION_ERR_HTTP_STATUS', isRetryable: true });
    }
  });

  it('honours expected_status as a number or a list', async () => {
    expect(await httpStep.execute({ url: `${base}/status/404`, expected_status: 404 }, context)).toMatchObject({ status: 404 });
    expect(await httpStep.execute({ url: `${base}/status/409`, expected_status: [200, 409] }, context)).toMatchObject({ status: 409 });
    const error = await failure({ url: `${base}/json`, expected_status: 201 });
    expect(error.message).toContain('expected 201');
  });

  it('returns the output instead of failing when on_error is continue', async () => {
    expect(await httpStep.execute({ url: `${base}/status/500`, on_error: 'continue' }, context)).toMatchObject({ status: 500 });
  });

  it('times out after timeout_seconds as a retryable connection error', async () => {
    const startedAt = Date.now();
    const error = await failure({ url: `${base}/slow`, timeout_seconds: 0.3 });
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(error).toMatchObject({ code: 'MISSION_ERR_HTTP_CONNECTION', isRetryable: true });
    expect(error.message).toContain('timed out after 0.3 s');
  });

  it('treats a timeout_seconds beyond what a timer can hold as long, not as immediate', async () => {
    // 30 days in milliseconds exceeds the 2^31-1 a Node timer holds; an unclamped timer fires at once.
    const output = await httpStep.execute({ url: `${base}/json`, timeout_seconds: 30 * 24 * 3600 } as never, context);
    expect(output).toMatchObject({ status: 200 });
  });

  it('stops when the step signal aborts', async () => {
    const { context: abortable, controller } = createTestContext(workspace);
    setTimeout(() => controller.abort(), 100);
    const error = await failure({ url: `${base}/slow` }, abortable);
    expect(error).toMatchObject({ code: 'MISSION_ERR_CANCELLED' });
  });

  it('reports refused and dropped connections as retryable MISSION_ERR_HTTP_CONNECTION', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await failure({ url: `http://127.0.0.1:${port}/` })).toMatchObject({ code: 'MISSION_ERR_HTTP_CONNECTION', isRetryable: true });
    expect(await failure({ url: `${base}/drop` })).toMatchObject({ code: 'MISSION_ERR_HTTP_CONNECTION', isRetryable: true });
  });

  it('refuses a response body over the cap', async () => {
    const error = await failure({ url: `${base}/big` });
    expect(error.message).toContain('larger than 10485760 bytes');
  });

  it('never puts secrets from headers or the URL into errors or outputs', async () => {
    const error = await failure({
      url: `${base}/status/500?api_key=sk-url-secret-123&page=2`,
      headers: { Authorization: 'Bearer sk-header-secret-456' },
    });
    expect(received[0].headers.authorization).toBe('Bearer sk-header-secret-456');
    const everything = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(error.output)}`;
    expect(everything).not.toContain('sk-url-secret-123');
    expect(everything).not.toContain('sk-header-secret-456');
    expect(error.output.url).toBe(`${base}/status/500?api_key=***&page=2`);
  });

  it('validates parameters: url scheme, method, expected_status, unknown keys', async () => {
    for (const parameters of [
      { url: 'ftp://example.com/file' },
      { url: `${base}/json`, method: 'BREW' },
      { url: `${base}/json`, expected_status: 'ok' },
      { url: `${base}/json`, retries: 3 },
      { method: 'GET' },
    ]) {
      expect((await failure(parameters)).code).toBe('MISSION_ERR_PARAMETERS');
    }
    expect(received).toHaveLength(0);
  });
});

describe('http helpers', () => {
  it('redacts passwords and secret-looking query values', () => {
    expect(redactUrl('https://user:pw@example.com/a?token=t&q=1&X-Amz-Signature=s')).toBe('https://user:***@example.com/a?token=***&q=1&X-Amz-Signature=***');
    expect(redactUrl('https://ghp_token123@example.com/repo.git')).toBe('https://***@example.com/repo.git');
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });

  it('reads a body up to the cap and refuses one byte more', async () => {
    const make = (): any => Object.assign(Readable.from([Buffer.from('abc'), Buffer.from('de')]), {});
    expect((await readCappedBody(make(), 5)).toString()).toBe('abcde');
    await expect(readCappedBody(make(), 4)).rejects.toThrow(/larger than 4 bytes/);
  });
});
