/**
 * Each deadline of a call fires on the injected clock and names itself: connect, first token,
 * idle (also for a stream that only sends keep-alive comments) and total. A failure after content
 * is never retried: it surfaces as an incomplete error counting the delivered characters.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import { DeadlineError } from '../../../providers/layer/deadlines.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';
import { adapterFor, apiKey, messages, rejection } from './helpers.js';
import { ManualClock, until } from './manual-clock.js';

let fake: FakeServer;
/** A server whose stream starts, then only ever sends SSE keep-alive comments. */
let keepAlive: Server;
let keepAliveUrl: string;
let keepAliveRequests = 0;
const intervals = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
  keepAlive = createServer((request, response) => {
    keepAliveRequests++;
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(': keep-alive\n\n');
    const interval = setInterval(() => response.write(': keep-alive\n\n'), 10);
    intervals.add(interval);
    response.on('close', () => {
      clearInterval(interval);
      intervals.delete(interval);
    });
  });
  await new Promise<void>((resolve) => keepAlive.listen(0, '127.0.0.1', resolve));
  keepAliveUrl = `http://127.0.0.1:${(keepAlive.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closePools();
  for (const interval of intervals) clearInterval(interval);
  keepAlive.closeAllConnections();
  await new Promise((resolve) => keepAlive.close(resolve));
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

const timeouts = { connect_ms: 10_000, first_token_ms: 20_000, idle_ms: 30_000, total_ms: 600_000 };

function setup(config: LlmConfig = {}) {
  const clock = new ManualClock();
  const llm = createLlm({
    config: { retry: { max_attempts: 1 }, timeouts, ...config },
    providers: { fake: adapterFor(fake), keepalive: createOpenAIAdapter({ apiKey, baseUrl: `${keepAliveUrl}/v1` }) },
    clock,
  });
  return { llm, clock };
}

/** Advances the clock to just before `ms`, checks nothing failed, then to `ms`. */
async function fireAt(clock: ManualClock, ms: number, failed: () => boolean): Promise<void> {
  clock.advance(ms - 1);
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(failed()).toBe(false);
  clock.advance(1);
}

describe('deadlines', () => {
  it('connect: no response started', async () => {
    const { llm, clock } = setup();
    fake.enqueue({ latencyMs: 60_000 });
    let failed = false;
    const answer = rejection(llm.complete({ provider: 'fake', model: 'gpt-4o-mini', messages })).finally(() => (failed = true));
    await until(() => fake.requests.length === 1);
    await fireAt(clock, 10_000, () => failed);
    const error = await answer;
    expect(error).toBeInstanceOf(DeadlineError);
    expect(error.code).toBe(LlmErrorCode.timeout);
    expect((error as DeadlineError).deadline).toBe('connect');
    expect(error.message).toContain('connect');
    expect(error.message).toContain('10000 ms');
    expect(error.toJSON()).toMatchObject({ deadline: 'connect', limitMs: 10_000 });
  });

  it('first token: headers came, content did not', async () => {
    const { llm, clock } = setup();
    fake.enqueue({ text: 'never sent', fault: { type: 'stall', afterChunks: 0 } });
    let failed = false;
    const answer = rejection(llm.complete({ provider: 'fake', model: 'gpt-4o-mini', messages })).finally(() => (failed = true));
    await until(() => fake.requests.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await fireAt(clock, 20_000, () => failed);
    const error = (await answer) as DeadlineError;
    expect(error.deadline).toBe('first-token');
    expect(error.message).toContain('first-token');
    expect(error.incomplete).toBeUndefined();
  });

  it('idle: a stream that only sends keep-alive comments stalls', async () => {
    const { llm, clock } = setup({ timeouts: { ...timeouts, first_token_ms: 120_000 } });
    keepAliveRequests = 0;
    let failed = false;
    const answer = rejection(llm.complete({ provider: 'keepalive', model: 'gpt-4o-mini', messages })).finally(() => (failed = true));
    await until(() => keepAliveRequests === 1);
    // Let the stream start and a few comments flow.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await fireAt(clock, 30_000, () => failed);
    const error = (await answer) as DeadlineError;
    expect(error.deadline).toBe('idle');
    expect(error.message).toContain('idle');
  });

  it('idle after content: never retried, surfaces as incomplete with the delivered characters', async () => {
    // Stream recovery (on by default) would continue the answer; this test is about the routed call.
    const { llm, clock } = setup({ retry: { max_attempts: 3 }, stream_recovery: 'off' });
    fake.enqueue({ text: 'Partial answer that will stall midway', fault: { type: 'stall', afterChunks: 3 } });
    const deltas: string[] = [];
    let failure: unknown;
    llm.stream({ provider: 'fake', model: 'gpt-4o-mini', messages }).subscribe({
      next: (event) => {
        if (event.type === 'text-delta') deltas.push(event.text);
      },
      error: (error) => (failure = error),
    });
    await until(() => deltas.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    clock.advance(30_000);
    await until(() => failure !== undefined);
    const error = failure as DeadlineError;
    expect(error.deadline).toBe('idle');
    expect(error.incomplete).toBe(true);
    expect(error.deliveredChars).toBe(deltas.join('').length);
    expect(error.deliveredChars).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('total: the whole call took too long', async () => {
    const { llm, clock } = setup({ timeouts: { ...timeouts, idle_ms: 500_000, total_ms: 45_000 } });
    fake.enqueue({ text: 'A slow answer that stops', fault: { type: 'stall', afterChunks: 2 } });
    let failed = false;
    const answer = rejection(llm.complete({ provider: 'fake', model: 'gpt-4o-mini', messages })).finally(() => (failed = true));
    await until(() => fake.requests.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fireAt(clock, 45_000, () => failed);
    const error = (await answer) as DeadlineError;
    expect(error.deadline).toBe('total');
    expect(error.message).toContain('45000 ms');
  });

  it('deadlines are configurable per target', async () => {
    const { llm, clock } = setup({
      routes: { quick: { targets: [{ provider: 'fake', model: 'gpt-4o-mini', timeouts: { connect_ms: 2_000 } }] } },
    });
    fake.enqueue({ latencyMs: 60_000 });
    let failed = false;
    const answer = rejection(llm.complete({ route: 'quick', messages })).finally(() => (failed = true));
    await until(() => fake.requests.length === 1);
    await fireAt(clock, 2_000, () => failed);
    expect(((await answer) as DeadlineError).deadline).toBe('connect');
  });
});
