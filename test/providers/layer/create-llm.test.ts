/**
 * createLlm end to end against two OpenAI fakes: the generation event, direct and routed calls,
 * retries with backoff on the injected clock, failover, non-retryable errors, unknown routes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';
import { adapterFor, apiKey, collect, messages, ofType, RecordingSink, rejection } from './helpers.js';
import { ManualClock, until } from './manual-clock.js';

let primary: FakeServer;
let backup: FakeServer;

beforeAll(async () => {
  primary = await startOpenAiFake({ apiKey, models: ['gpt-4o-mini'] });
  backup = await startOpenAiFake({ apiKey, models: ['gpt-4o-mini'] });
});
afterAll(async () => {
  await closePools();
  await primary.close();
  await backup.close();
});
beforeEach(() => {
  primary.requests.length = 0;
  backup.requests.length = 0;
  primary.setDefault({ text: 'from primary' });
  backup.setDefault({ text: 'from backup' });
});

const config: LlmConfig = {
  routes: {
    smart: { strategy: 'failover', targets: [{ provider: 'primary', model: 'gpt-4o-mini' }, { provider: 'backup', model: 'gpt-4o-mini' }] },
  },
  retry: { max_attempts: 3, initial_delay_ms: 1000, max_delay_ms: 8000 },
};

function setup(extra: { config?: LlmConfig } = {}) {
  const clock = new ManualClock();
  const sink = new RecordingSink();
  let ids = 0;
  const llm = createLlm({
    config: extra.config ?? config,
    providers: { primary: adapterFor(primary), backup: adapterFor(backup) },
    clock,
    sink,
    random: () => 0.5,
    generationId: () => `gen-${++ids}`,
  });
  return { llm, clock, sink };
}

describe('createLlm', () => {
  it('answers a direct provider+model call, generation event first', async () => {
    const { llm } = setup();
    const events = await collect(llm.stream({ provider: 'primary', model: 'gpt-4o-mini', messages }));
    expect(events[0]).toEqual({ type: 'generation', generationId: 'gen-1', route: undefined });
    expect(ofType(events, 'text-delta').map((event) => event.text).join('')).toBe('from primary');
    const answer = await llm.complete({ route: 'smart', messages });
    expect(answer.content).toBe('from primary');
    expect(primary.requests.at(-1)!.body.model).toBe('gpt-4o-mini');
    expect(primary.requests.at(-1)!.body).not.toHaveProperty('route');
  });

  it('retries a 503 after the jittered backoff on the injected clock, and audits the retry', async () => {
    const { llm, clock, sink } = setup();
    primary.enqueue({ fault: { type: 'status', status: 503 } });
    const answer = llm.complete({ route: 'smart', messages, origin: { runId: 'run-1', stepId: 'ask' } });
    await until(() => sink.ofType('llm-retry').length === 1);
    // Full jitter with random 0.5 and a 1000 ms ceiling: 500 ms.
    clock.advance(499);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(primary.requests).toHaveLength(1);
    clock.advance(1);
    expect((await answer).content).toBe('from primary');
    expect(primary.requests).toHaveLength(2);
    expect(sink.ofType('llm-retry')).toEqual([
      expect.objectContaining({ generationId: 'gen-1', origin: { runId: 'run-1', stepId: 'ask' }, target: 'primary/gpt-4o-mini', attempt: 1, delayMs: 500, errorCode: LlmErrorCode.server }),
    ]);
  });

  it('fails over to the backup when the primary refuses the key, within the same call', async () => {
    const { llm, sink } = setup();
    primary.enqueue({ fault: { type: 'status', status: 401 } });
    const events = await collect(llm.stream({ route: 'smart', messages }));
    expect(ofType(events, 'failover')).toEqual([{ type: 'failover', from: 'primary/gpt-4o-mini', to: 'backup/gpt-4o-mini', errorCode: LlmErrorCode.authentication }]);
    expect(ofType(events, 'text-delta').map((event) => event.text).join('')).toBe('from backup');
    expect(primary.requests).toHaveLength(1);
    expect(sink.ofType('llm-failover')).toEqual([
      expect.objectContaining({ from: 'primary/gpt-4o-mini', to: 'backup/gpt-4o-mini', attempt: 1, errorCode: LlmErrorCode.authentication, generationId: 'gen-1' }),
    ]);
  });

  it.each([400, 401, 404])('never retries HTTP %i on a one-target call', async (status) => {
    const { llm } = setup();
    primary.enqueue({ fault: { type: 'status', status } });
    const error = await rejection(llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages }));
    expect(error.status).toBe(status);
    expect(error.isRetryable).toBe(false);
    expect(primary.requests).toHaveLength(1);
  });

  it('names an unknown route and the known ones', async () => {
    const { llm } = setup();
    const error = await rejection(llm.complete({ route: 'nope', messages }));
    expect(error.code).toBe(LlmErrorCode.notConfigured);
    expect(error.message).toContain("route 'nope'");
    expect(error.message).toContain('smart');
  });
});

describe('unreachable targets', () => {
  it('fail over at once when the primary cannot be reached, and the call succeeds', async () => {
    const { llm, sink } = setup();
    primary.enqueue({ fault: { type: 'drop-before-response' } });
    const answer = await llm.complete({ route: 'smart', messages });
    expect(answer.content).toBe('from backup');
    expect(sink.ofType('llm-retry')).toHaveLength(0);
    expect(sink.ofType('llm-failover')).toEqual([expect.objectContaining({ errorCode: LlmErrorCode.connection })]);
  });

  it('are retried with backoff when no other target is left', async () => {
    const { llm, clock, sink } = setup();
    primary.enqueue({ fault: { type: 'drop-before-response' } });
    const answer = llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages });
    await until(() => sink.ofType('llm-retry').length === 1);
    clock.advance(500);
    expect((await answer).content).toBe('from primary');
  });
});
