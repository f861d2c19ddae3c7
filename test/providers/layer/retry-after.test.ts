/**
 * Retry-After in all its forms is obeyed to the millisecond on the injected clock, and capped: a
 * longer hint fails over (or fails quoting the hint); 429 storms keep retrying within the budget;
 * no wait runs past the call's deadline.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGeminiAdapter } from '../../../providers/adapters/gemini.js';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools, parseGoDuration, parseRateLimitReset } from '../../../providers/http.js';
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import type { FakeFault, FakeServer } from '../../fakes/fake-server.js';
import { startGeminiFake } from '../../fakes/gemini-fake.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';
import { adapterFor, apiKey, messages, RecordingSink, rejection } from './helpers.js';
import { ManualClock, until } from './manual-clock.js';

let primary: FakeServer;
let backup: FakeServer;
let gemini: FakeServer;

beforeAll(async () => {
  [primary, backup, gemini] = await Promise.all([startOpenAiFake({ apiKey }), startOpenAiFake({ apiKey }), startGeminiFake()]);
});
afterAll(async () => {
  await closePools();
  await Promise.all([primary.close(), backup.close(), gemini.close()]);
});
beforeEach(() => {
  for (const fake of [primary, backup, gemini]) fake.requests.length = 0;
  primary.setDefault({ text: 'from primary' });
  backup.setDefault({ text: 'from backup' });
});

const route: LlmConfig['routes'] = {
  smart: { targets: [{ provider: 'primary', model: 'gpt-4o-mini' }, { provider: 'backup', model: 'gpt-4o-mini' }] },
};

function setup(config: LlmConfig = {}) {
  const clock = new ManualClock(Date.now());
  const sink = new RecordingSink();
  const llm = createLlm({
    config: { routes: route, ...config },
    providers: { primary: adapterFor(primary), backup: adapterFor(backup), gemini: createGeminiAdapter({ apiKey, baseUrl: gemini.url }) },
    clock,
    sink,
    random: () => 0.5,
  });
  return { llm, clock, sink };
}

const status429 = (headers: Record<string, string>, body?: unknown): { fault: FakeFault } => ({ fault: { type: 'status', status: 429, headers, body } });

/** Lets loopback I/O run without moving the clock. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Checks the second request is sent exactly `delayMs` after the retry was scheduled. */
async function expectRetryAt(fake: FakeServer, clock: ManualClock, sink: RecordingSink, delayMs: number): Promise<void> {
  await until(() => sink.ofType('llm-retry').length === 1);
  expect(sink.ofType('llm-retry')[0].delayMs).toBe(delayMs);
  clock.advance(delayMs - 1);
  await settle();
  expect(fake.requests).toHaveLength(1);
  clock.advance(1);
  await until(() => fake.requests.length === 2);
}

describe('Retry-After', () => {
  it('obeys retry-after in seconds', async () => {
    const { llm, clock, sink } = setup();
    primary.enqueue(status429({ 'retry-after': '2' }));
    const answer = llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages });
    await expectRetryAt(primary, clock, sink, 2000);
    expect((await answer).content).toBe('from primary');
  });

  it('obeys retry-after-ms to the millisecond', async () => {
    const { llm, clock, sink } = setup();
    primary.enqueue(status429({ 'retry-after-ms': '1234' }));
    const answer = llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages });
    await expectRetryAt(primary, clock, sink, 1234);
    expect((await answer).content).toBe('from primary');
  });

  it('obeys retry-after as an HTTP date', async () => {
    const { llm, clock, sink } = setup();
    const at = new Date(Math.ceil((Date.now() + 5_000) / 1000) * 1000);
    primary.enqueue(status429({ 'retry-after': at.toUTCString() }));
    const answer = llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages });
    await until(() => sink.ofType('llm-retry').length === 1);
    const delayMs = sink.ofType('llm-retry')[0].delayMs as number;
    // The date is read against the wall clock when the answer arrives: between 4 and 6 s from now.
    expect(delayMs).toBeGreaterThan(3_000);
    expect(delayMs).toBeLessThanOrEqual(6_000);
    clock.advance(delayMs - 1);
    await settle();
    expect(primary.requests).toHaveLength(1);
    clock.advance(1);
    expect((await answer).content).toBe('from primary');
  });

  it("obeys Gemini's RetryInfo", async () => {
    const { llm, clock, sink } = setup();
    gemini.enqueue({
      fault: {
        type: 'status',
        status: 429,
        body: {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            message: 'Quota exceeded for metric: generate_content_free_tier_requests',
            details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7.5s' }],
          },
        },
      },
    });
    const answer = llm.complete({ provider: 'gemini', model: 'gemini-2.5-flash', messages });
    await expectRetryAt(gemini, clock, sink, 7500);
    expect((await answer).content).toBe('Hello from the fake.');
  });

  it("obeys OpenAI's reset header of the exhausted limit", async () => {
    const { llm, clock, sink } = setup();
    primary.enqueue(status429({ 'x-ratelimit-remaining-requests': '10', 'x-ratelimit-reset-requests': '120ms', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '2.5s' }));
    const answer = llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages });
    await expectRetryAt(primary, clock, sink, 2500);
    await answer;
  });

  it("obeys Anthropic-style RFC 3339 reset headers", async () => {
    const { llm, clock, sink } = setup();
    const reset = new Date(Date.now() + 4_000).toISOString();
    primary.enqueue(status429({ 'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': reset }));
    const answer = llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages });
    await until(() => sink.ofType('llm-retry').length === 1);
    const delayMs = sink.ofType('llm-retry')[0].delayMs as number;
    expect(delayMs).toBeGreaterThan(3_000);
    expect(delayMs).toBeLessThanOrEqual(4_000);
    clock.advance(delayMs);
    await answer;
  });
});

describe('Retry-After cap', () => {
  it('fails a one-target call at once, quoting a hint above max_retry_after_ms', async () => {
    const { llm } = setup({ retry: { max_retry_after_ms: 60_000 } });
    primary.enqueue(status429({ 'retry-after': '120' }));
    const error = await rejection(llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages }));
    expect(error.code).toBe(LlmErrorCode.rateLimited);
    expect(error.message).toContain('asked to wait 120000 ms');
    expect(error.message).toContain('max_retry_after_ms (60000 ms)');
    expect(primary.requests).toHaveLength(1);
  });

  it('fails over at once when the hint is too long and a backup exists', async () => {
    const { llm, sink } = setup();
    primary.enqueue(status429({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' }));
    const answer = await llm.complete({ route: 'smart', messages });
    expect(answer.content).toBe('from backup');
    expect(sink.ofType('llm-retry')).toHaveLength(0);
    expect(sink.ofType('llm-failover')).toEqual([expect.objectContaining({ from: 'primary/gpt-4o-mini', to: 'backup/gpt-4o-mini', errorCode: LlmErrorCode.rateLimited })]);
  });

  it('never sleeps past the call deadline', async () => {
    const { llm, clock, sink } = setup({ timeouts: { total_ms: 5_000 } });
    primary.enqueue(status429({ 'retry-after': '3' }), status429({ 'retry-after': '3' }));
    const answer = rejection(llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages }));
    await until(() => sink.ofType('llm-retry').length === 1);
    clock.advance(3_000);
    const error = await answer;
    expect(error.code).toBe(LlmErrorCode.rateLimited);
    expect(error.message).toContain("would pass the call's total deadline");
    expect(primary.requests).toHaveLength(2);
  });
});

describe('429 storms', () => {
  it('keep retrying past max_attempts within the retry budget, and succeed', async () => {
    const { llm, clock, sink } = setup({ retry: { max_attempts: 2 } });
    const storm = 8;
    for (let index = 0; index < storm; index++) primary.enqueue(status429({ 'retry-after': '1' }));
    const answer = llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages });
    for (let retry = 1; retry <= storm; retry++) {
      await until(() => sink.ofType('llm-retry').length === retry);
      clock.advance(1_000);
    }
    expect((await answer).content).toBe('from primary');
    expect(primary.requests).toHaveLength(storm + 1);
  });

  it('other retryable errors stop at max_attempts', async () => {
    const { llm, clock, sink } = setup({ retry: { max_attempts: 2, initial_delay_ms: 100 } });
    primary.enqueue({ fault: { type: 'status', status: 500 } }, { fault: { type: 'status', status: 500 } });
    const answer = rejection(llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages }));
    await until(() => sink.ofType('llm-retry').length === 1);
    clock.advance(100);
    expect((await answer).code).toBe(LlmErrorCode.server);
    expect(primary.requests).toHaveLength(2);
  });
});

describe('reset headers', () => {
  it('parses Go durations and refuses anything else', () => {
    expect(parseGoDuration('6m0s')).toBe(360_000);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('120ms')).toBe(120);
    expect(parseGoDuration('0.5s')).toBe(500);
    for (const bad of ['', '5', '-1s', 'soon', '1d', '1s garbage']) expect(parseGoDuration(bad)).toBeUndefined();
  });

  it('waits for the exhausted limit, else the soonest reset', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRateLimitReset({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' }, now)).toBe(1000);
    expect(parseRateLimitReset({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' }, now)).toBe(1000);
    expect(parseRateLimitReset({ 'anthropic-ratelimit-output-tokens-remaining': '0', 'anthropic-ratelimit-output-tokens-reset': new Date(now + 42_000).toISOString() }, now)).toBe(42_000);
    expect(parseRateLimitReset({ 'anthropic-ratelimit-requests-reset': 'tomorrow' }, now)).toBeUndefined();
    expect(parseRateLimitReset({}, now)).toBeUndefined();
  });
});
