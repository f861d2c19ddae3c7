/**
 * Circuit breakers: the pure machine's transitions, and the breaker in a live layer fed by real
 * traffic (server errors, quota, malformed streams) and closed again by a free probe (a model list,
 * never a completion).
 */
import { describe, expect, it } from 'vitest';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { advanceCircuit, newCircuit, type CircuitEvent } from '../../../providers/layer/circuit-machine.js';
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import { HealthTracker } from '../../../providers/layer/health.js';
import { defaultHealth } from '../../../providers/layer/resolve-policies.js';
import type { LlmEvent, ProviderAdapter } from '../../../providers/types.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { adapterFor, collect, failoverRoutes, messages, ofType, RecordingSink, twoFakes } from './helpers.js';
import { ManualClock, until } from './manual-clock.js';

const failure = (at: number, quota = false, recentSuccesses = 0, consecutive = 1): CircuitEvent => ({ type: 'failure', at, quota, threshold: 3, windowMs: 10_000, openMs: 5_000, quotaOpenMs: 600_000, recentSuccesses, consecutive });

describe('circuit machine', () => {
  it('opens after the threshold of failures within the window, not outside it', () => {
    let circuit = newCircuit();
    circuit = advanceCircuit(circuit, failure(0));
    circuit = advanceCircuit(circuit, failure(9_000));
    circuit = advanceCircuit(circuit, failure(15_000)); // the first fell out of the window
    expect(circuit.value).toBe('closed');
    circuit = advanceCircuit(circuit, failure(16_000));
    expect(circuit.value).toBe('open');
    expect(circuit.context.openUntil).toBe(21_000);
  });

  it('stays closed for a flaky target: failures must be at least half of the window', () => {
    let circuit = newCircuit();
    // One failure in three calls: 14 failures and 26 successes in the window.
    for (let at = 0; at < 40; at += 3) circuit = advanceCircuit(circuit, failure(at * 10, false, Math.round((at * 2) / 3)));
    expect(circuit.value).toBe('closed');
    circuit = advanceCircuit(circuit, failure(500, false, 14));
    expect(circuit.value).toBe('open');
  });

  it('opens on twice the threshold of failures in a row, however many successes came before', () => {
    let circuit = newCircuit();
    for (let run = 1; run <= 5; run++) circuit = advanceCircuit(circuit, failure(run, false, 60, run));
    expect(circuit.value).toBe('closed');
    circuit = advanceCircuit(circuit, failure(6, false, 60, 6));
    expect(circuit.value).toBe('open');
  });

  it('goes half-open after the cool-down, closes on success, reopens on failure', () => {
    let circuit = newCircuit();
    for (const at of [1, 2, 3]) circuit = advanceCircuit(circuit, failure(at));
    circuit = advanceCircuit(circuit, { type: 'cooldown.elapsed' });
    expect(circuit.value).toBe('half-open');
    const reopened = advanceCircuit(circuit, { type: 'probe.failed', at: 10_000, openMs: 5_000 });
    expect(reopened.value).toBe('open');
    expect(reopened.context.openUntil).toBe(15_000);
    const closed = advanceCircuit(circuit, { type: 'success' });
    expect(closed.value).toBe('closed');
    expect(closed.context.failures).toEqual([]);
  });

  it('opens at once, and for long, on a quota error', () => {
    const circuit = advanceCircuit(newCircuit(), failure(100, true));
    expect(circuit.value).toBe('open');
    expect(circuit.context.openUntil).toBe(600_100);
    expect(circuit.context.quota).toBe(true);
  });
});

describe('health tracker', () => {
  const tracker = (clock: ManualClock) => new HealthTracker({ ...defaultHealth, slowFirstTokenMs: 1_000 }, clock, () => undefined, () => undefined);

  it('keeps a busy, 30 %-flaky target closed: the failure share is taken over what both records still cover', () => {
    // Hundreds of calls in one window: more successes and failures than either record keeps. The
    // share must not compare 64 remembered failures with 64 remembered successes (a 50 % "share").
    const clock = new ManualClock();
    const health = new HealthTracker(defaultHealth, clock, () => undefined, () => undefined);
    const events: LlmEvent[] = [];
    // Never more than two failures in a row (well under the six that open a circuit at once).
    for (let call = 0; call < 600; call++) {
      clock.advance(1);
      if (call % 10 === 3 || call % 10 === 6 || call % 10 === 9) health.recordFailure('busy/m', 'busy', 'm', new LlmError(LlmErrorCode.server, 'flaky'), events);
      else health.recordSuccess('busy/m', 'busy', 'm', 10, events);
    }
    expect(health.snapshot()['busy/m'].circuit).toBe('closed');
    expect(events.filter((event) => event.type === 'circuit-open')).toEqual([]);
    // When it does die, it opens.
    for (let call = 0; call < 6; call++) health.recordFailure('busy/m', 'busy', 'm', new LlmError(LlmErrorCode.server, 'dead'), events);
    expect(health.snapshot()['busy/m'].circuit).toBe('open');
  });

  it('counts a slow first token as a failure, keeps an EWMA of first-token latency', () => {
    const clock = new ManualClock();
    const health = tracker(clock);
    const events: LlmEvent[] = [];
    health.recordSuccess('a/m', 'a', 'm', 100, events);
    health.recordSuccess('a/m', 'a', 'm', 200, events);
    expect(health.firstTokenMs('a/m')).toBe(120);
    for (let index = 0; index < 3; index++) health.recordSuccess('a/m', 'a', 'm', 5_000, events);
    expect(events).toEqual([expect.objectContaining({ type: 'circuit-open', target: 'a/m' })]);
    expect(health.snapshot()['a/m']).toMatchObject({ circuit: 'open', failures: 3, lastError: { code: LlmErrorCode.timeout } });
  });

  it('ignores client errors and rate limits, counts timeouts and malformed streams', () => {
    const health = tracker(new ManualClock());
    const events: LlmEvent[] = [];
    for (const code of [LlmErrorCode.badRequest, LlmErrorCode.rateLimited, LlmErrorCode.authentication, LlmErrorCode.contextLength]) {
      health.recordFailure('a/m', 'a', 'm', new LlmError(code, 'client'), events);
    }
    expect(health.snapshot()['a/m'].failures).toBe(0);
    for (const code of [LlmErrorCode.timeout, LlmErrorCode.malformedResponse, LlmErrorCode.overloaded]) {
      health.recordFailure('a/m', 'a', 'm', new LlmError(code, 'target'), events);
    }
    expect(health.isOpen('a/m')).toBe(true);
  });

  it('lets one trial call through a half-open circuit when no probe can decide', () => {
    const clock = new ManualClock();
    const health = tracker(clock);
    const events: LlmEvent[] = [];
    for (let index = 0; index < 3; index++) health.recordFailure('a/m', 'a', 'm', new LlmError(LlmErrorCode.server, 'down'), events);
    expect(health.admit('a/m', 'a', 'm', events)).toBe(false);
    clock.advance(defaultHealth.openMs);
    expect(health.admit('a/m', 'a', 'm', events)).toBe(true);
    expect(health.admit('a/m', 'a', 'm', events)).toBe(false);
    health.recordSuccess('a/m', 'a', 'm', 50, events);
    expect(events.map((event) => event.type)).toEqual(['circuit-open', 'circuit-half-open', 'circuit-closed']);
  });
});

describe('breaker in the layer', () => {
  const fakes = twoFakes({ fake: { models: ['gpt-4o-mini'] }, defaults: { primary: { text: 'from primary' }, backup: { text: 'from backup' } } });

  const config: LlmConfig = {
    routes: failoverRoutes,
    retry: { max_attempts: 1 },
    health: { failure_threshold: 3, window_ms: 10_000, open_ms: 5_000 },
  };
  const setup = (providers?: Record<string, ProviderAdapter>) => {
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const llm = createLlm({ config, providers: providers ?? { primary: adapterFor(fakes.primary), backup: adapterFor(fakes.backup) }, clock, sink });
    return { llm, clock, sink };
  };
  const chatRequests = (fake: FakeServer) => fake.requests.filter((request) => request.url.pathname.endsWith('/chat/completions')).length;

  it('opens on server errors, skips the target, and a model-list probe closes it', async () => {
    const { llm, clock, sink } = setup();
    fakes.primary.setDefault({ fault: { type: 'status', status: 503 } });
    const streams: LlmEvent[][] = [];
    for (let index = 0; index < 3; index++) streams.push(await collect(llm.stream({ route: 'smart', messages })));
    expect(ofType(streams[2], 'circuit-open')).toEqual([expect.objectContaining({ target: 'primary/gpt-4o-mini' })]);
    const openRecord = sink.ofType('llm-circuit-open')[0];
    expect(openRecord.generationId).toBeDefined();
    expect(llm.health().targets['primary/gpt-4o-mini']).toMatchObject({ circuit: 'open', failures: 3, lastError: { code: LlmErrorCode.server } });

    const answer = await llm.complete({ route: 'smart', messages });
    expect(answer.content).toBe('from backup');
    expect(chatRequests(fakes.primary)).toBe(3);

    fakes.primary.setDefault({ text: 'from primary' });
    clock.advance(5_000);
    await until(() => sink.ofType('llm-circuit-closed').length === 1);
    expect(sink.ofType('llm-circuit-half-open')).toHaveLength(1);
    expect(sink.ofType('llm-circuit-closed')[0].generationId).toBeUndefined();
    // The probe listed models; it never sent a (billed) completion.
    expect(fakes.primary.requests.at(-1)!.url.pathname).toBe('/v1/models');
    expect(chatRequests(fakes.primary)).toBe(3);
    expect((await llm.complete({ route: 'smart', messages })).content).toBe('from primary');
    llm.close();
  });

  it('a quota error opens the circuit at once and for long, without probes', async () => {
    const { llm, clock } = setup();
    fakes.primary.enqueue({ fault: { type: 'status', status: 429, body: { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } } } });
    expect((await llm.complete({ route: 'smart', messages })).content).toBe('from backup');
    const state = llm.health().targets['primary/gpt-4o-mini'];
    expect(state.circuit).toBe('open');
    expect(state.openUntil! - clock.now()).toBe(30 * 60_000);
    clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fakes.primary.requests).toHaveLength(1);
    expect((await llm.complete({ route: 'smart', messages })).content).toBe('from backup');
    llm.close();
  });

  it('a malformed stream counts against the target', async () => {
    const { llm } = setup();
    fakes.primary.setDefault({ text: 'broken', fault: { type: 'malformed', afterChunks: 0 } });
    for (let index = 0; index < 3; index++) await llm.complete({ route: 'smart', messages }).catch(() => undefined);
    expect(llm.health().targets['primary/gpt-4o-mini'].circuit).toBe('open');
    llm.close();
  });
});

describe('bounds', () => {
  it('tracks at most maxTrackedTargets targets, forgetting closed ones first', async () => {
    const { maxTrackedTargets } = await import('../../../providers/layer/health.js');
    const clock = new ManualClock();
    const health = new HealthTracker(defaultHealth, clock, () => undefined, () => undefined);
    const events: LlmEvent[] = [];
    for (let index = 0; index < 3; index++) health.recordFailure('dead/m', 'dead', 'm', new LlmError(LlmErrorCode.server, 'down'), events);
    for (let index = 0; index < maxTrackedTargets + 10; index++) health.recordSuccess(`p/m${index}`, 'p', `m${index}`, 10, events);
    const snapshot = health.snapshot();
    expect(Object.keys(snapshot)).toHaveLength(maxTrackedTargets);
    expect(snapshot['dead/m'].circuit).toBe('open');
  });
});
