/**
 * The step retry policy (issue 7): it honours `isRetryable` on engine errors, and a server's
 * Retry-After is capped by `retry.max_retry_after_ms`, the step's timeout and the mission's
 * deadline — past those the step fails at once, quoting the hint.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissionError, MissionErrorCode, retryableByDefault } from '../../engine/errors.js';
import { defaultRetryPolicy } from '../../engine/mission/normalize.js';
import { retryWait } from '../../engine/run/retry-delay.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { runYaml } from './harness.js';

let server: Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = request.url ?? '/';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url === '/missing') response.writeHead(404).end('no such thing');
    else if (url === '/down') response.writeHead(503).end('down');
    else if (url === '/slow-down') response.writeHead(429, { 'retry-after': '3600' }).end('{"error":"rate limited"}');
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const httpMission = (path: string, retry = '{ max_attempts: 3, initial_delay_ms: 1, jitter: 0 }') => `
version: "1.0"
name: http-retry
steps:
  - id: call
    step_type: http
    parameters: { url: "${base}${path}" }
    retry: ${retry}
`;

describe('isRetryable on engine errors', () => {
  it("does not retry an http step's 404, which says it is not retryable", async () => {
    const { result } = await runYaml(httpMission('/missing'));
    expect(result.steps.call).toMatchObject({ status: 'failed', attempts: 1, error: { code: MissionErrorCode.httpStatus } });
    expect(hits.get('/missing')).toBe(1);
  });

  it('retries a 503, which is', async () => {
    const { result } = await runYaml(httpMission('/down'));
    expect(result.steps.call).toMatchObject({ status: 'failed', attempts: 3 });
    expect(hits.get('/down')).toBe(3);
  });

  it('does not retry a step error marked not retryable, even when retry_on lists its code', async () => {
    let calls = 0;
    const registry = new StepKindRegistry([
      {
        name: 'refuses',
        description: 'fails with an I/O error that says retrying cannot help',
        parameters: { type: 'object' },
        execute: async () => {
          calls++;
          throw new MissionError(MissionErrorCode.io, 'read-only file system', { isRetryable: false });
        },
      },
    ]);
    const { result } = await runYaml(
      `
version: "1.0"
name: not-retryable
steps:
  - id: once
    step_type: refuses
    retry: { max_attempts: 3, initial_delay_ms: 1, retry_on: [MISSION_ERR_IO] }
`,
      { registry },
    );
    expect(result.steps.once).toMatchObject({ status: 'failed', attempts: 1, error: { code: MissionErrorCode.io } });
    expect(calls).toBe(1);
  });

  it('defaults isRetryable by code, as docs/errors.md lists', () => {
    expect(new MissionError(MissionErrorCode.commandFailed, 'x').isRetryable).toBe(true);
    expect(new MissionError(MissionErrorCode.template, 'x').isRetryable).toBe(false);
    expect(new MissionError(MissionErrorCode.pathEscape, 'x').isRetryable).toBe(false);
    expect(new MissionError(MissionErrorCode.httpStatus, 'x', { isRetryable: false }).isRetryable).toBe(false);
    expect(retryableByDefault(MissionErrorCode.emptyAnswer)).toBe(true);
    expect(retryableByDefault(MissionErrorCode.retryAfterTooLong)).toBe(false);
  });
});

describe('Retry-After limits', () => {
  it("fails at once, quoting the hint, when a server's Retry-After exceeds max_retry_after_ms", async () => {
    const { result } = await runYaml(httpMission('/slow-down'));
    const step = result.steps.call;
    expect(step).toMatchObject({ status: 'failed', attempts: 1, error: { code: MissionErrorCode.retryAfterTooLong } });
    expect(step.error!.message).toContain('retry after 3600 s (Retry-After)');
    expect(step.error!.message).toContain('retry.max_retry_after_ms (60 s)');
    expect(step.error!.message).toContain('MISSION_ERR_HTTP_STATUS');
    // What the server said stays on the result.
    expect(step.output).toMatchObject({ status: 429 });
    expect(hits.get('/slow-down')).toBe(1);
  });

  it("never waits past the step's own timeout", async () => {
    const { result } = await runYaml(`
version: "1.0"
name: patient
steps:
  - id: shaky
    step_type: flaky
    timeout_seconds: 2
    parameters: { succeed_on: 2, retry_after_ms: 5000 }
    retry: { max_attempts: 2, initial_delay_ms: 1, max_retry_after_ms: 100000 }
`);
    expect(result.steps.shaky).toMatchObject({ status: 'failed', attempts: 1, error: { code: MissionErrorCode.retryAfterTooLong } });
    expect(result.steps.shaky.error!.message).toContain("the step's timeout (2000 ms)");
  });

  it("never waits past the mission's deadline (fails now instead of timing out later)", async () => {
    const { result } = await runYaml(`
version: "1.0"
name: deadline
timeout_seconds: 1
steps:
  - id: shaky
    step_type: flaky
    parameters: { succeed_on: 2, retry_after_ms: 5000 }
    retry: { max_attempts: 2, initial_delay_ms: 1 }
`);
    expect(result.steps.shaky).toMatchObject({ status: 'failed', attempts: 1, error: { code: MissionErrorCode.retryAfterTooLong } });
    expect(result.steps.shaky.error!.message).toContain('the time the mission has left');
  });

  it('waits for a hint within every limit', () => {
    const failure = Object.assign(new MissionError(MissionErrorCode.httpStatus, 'status 429'), { retryAfterMs: 1500 });
    expect(retryWait({ ...defaultRetryPolicy, initialDelayMs: 10, jitter: 0 }, 1, failure, { stepId: 's', stepTimeoutMs: 30_000, remainingMs: 10_000 })).toBe(1500);
    const plain = new MissionError(MissionErrorCode.io, 'disk');
    expect(retryWait({ ...defaultRetryPolicy, initialDelayMs: 10, jitter: 0 }, 1, plain, { stepId: 's', stepTimeoutMs: 1 })).toBe(10);
    const tooLong = retryWait({ ...defaultRetryPolicy, maxRetryAfterMs: 1000 }, 1, failure, { stepId: 's', stepTimeoutMs: 30_000 });
    expect(tooLong).toBeInstanceOf(MissionError);
    expect((tooLong as MissionError).message).toMatch(/^step 's' failed with MISSION_ERR_HTTP_STATUS \(status 429\) and the server asked to retry after 1500 ms/);
  });
});
