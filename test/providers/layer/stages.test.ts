/**
 * Stage composition: call stages and attempt stages run in the fixed order whatever order they are
 * given in, attempt stages once per attempt with the attempt's target, and a budget stage's
 * `LLM_ERR_BUDGET_EXHAUSTED` ends the call in the budget-exhausted state (no retry, no failover).
 */
import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import { advanceCall, startCall } from '../../../providers/layer/call-machine.js';
import type { CallStage } from '../../../providers/layer/stage.js';
import type { LlmEvent } from '../../../providers/types.js';
import { adapterFor, collect, messages, RecordingSink, rejection, failoverRoutes, twoFakes } from './helpers.js';
import { ManualClock, until } from './manual-clock.js';

const fakes = twoFakes({ defaults: { primary: { text: 'from primary' }, backup: { text: 'from backup' } } });

const routes = failoverRoutes;

/** A stage that logs when it is entered, on both levels. */
function loggingStage(name: string, log: string[]): CallStage {
  return {
    name,
    wrapCall: (context, next) => {
      log.push(`call:${name}`);
      return next(context.request);
    },
    wrapAttempt: (context, next) => {
      log.push(`attempt:${name}:${context.attempt}:${context.target.provider}`);
      return next(context.providerRequest);
    },
  };
}

describe('stage composition', () => {
  it('runs call stages then attempt stages in the fixed order, attempt stages per attempt', async () => {
    const log: string[] = [];
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const stages = ['ledger', 'budget', 'stream-recovery', 'cache', 'safety'].map((name) => loggingStage(name, log));
    const llm = createLlm({ config: { routes, retry: { max_attempts: 2, initial_delay_ms: 100 } }, providers: { primary: adapterFor(fakes.primary), backup: adapterFor(fakes.backup) }, clock, sink, stages, random: () => 0 });
    fakes.primary.enqueue({ fault: { type: 'status', status: 500 } });
    const answer = llm.complete({ route: 'smart', messages });
    await until(() => sink.ofType('llm-retry').length === 1);
    clock.advance(0);
    await answer;
    expect(log).toEqual([
      'call:safety',
      'call:cache',
      'call:stream-recovery',
      'call:budget',
      'call:ledger',
      ...['safety', 'cache', 'stream-recovery', 'budget', 'ledger'].map((name) => `attempt:${name}:1:primary`),
      ...['safety', 'cache', 'stream-recovery', 'budget', 'ledger'].map((name) => `attempt:${name}:2:primary`),
    ]);
  });

  it('gives stages the generation id, origin and audit recording; the generation event comes first even from a cache', async () => {
    const sink = new RecordingSink();
    const cache: CallStage = {
      name: 'cache',
      wrapCall: (context): Observable<LlmEvent> => {
        context.record({ type: 'cache-hit', key: 'k1' });
        return new Observable<LlmEvent>((subscriber) => {
          subscriber.next({ type: 'cache-hit', key: 'k1' });
          subscriber.next({ type: 'text-delta', text: 'cached' });
          subscriber.complete();
        });
      },
    };
    const llm = createLlm({ config: { routes }, providers: { primary: adapterFor(fakes.primary) }, sink, stages: [cache], generationId: () => 'gen-x' });
    const events = await collect(llm.stream({ route: 'smart', messages, origin: { runId: 'r', stepId: 's' } }));
    expect(events[0]).toEqual({ type: 'generation', generationId: 'gen-x', route: 'smart' });
    expect(events[2]).toEqual({ type: 'text-delta', text: 'cached' });
    expect(sink.records).toEqual([expect.objectContaining({ type: 'cache-hit', generationId: 'gen-x', origin: { runId: 'r', stepId: 's' } })]);
    expect(fakes.primary.requests).toHaveLength(0);
  });

  it('a stage may change the provider request of an attempt (redaction)', async () => {
    const redact: CallStage = {
      name: 'safety',
      wrapAttempt: (context, next) => next({ ...context.providerRequest, messages: [{ role: 'user', content: '[redacted]' }] }),
    };
    const llm = createLlm({ providers: { primary: adapterFor(fakes.primary) }, stages: [redact] });
    await llm.complete({ provider: 'primary', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'my card is 4111 1111 1111 1111' }] });
    expect(JSON.stringify(fakes.primary.requests[0].body)).not.toContain('4111');
  });
});

describe('budget-exhausted', () => {
  it('a budget stage refusal ends the call: no retry, no failover, audited', async () => {
    const sink = new RecordingSink();
    const budget: CallStage = {
      name: 'budget',
      wrapAttempt: () => {
        throw new LlmError(LlmErrorCode.budgetExhausted, 'run budget of 1.00 USD is spent', { isRetryable: true });
      },
    };
    const llm = createLlm({ config: { routes }, providers: { primary: adapterFor(fakes.primary), backup: adapterFor(fakes.backup) }, sink, stages: [budget] });
    const error = await rejection(llm.complete({ route: 'smart', messages }));
    expect(error.code).toBe(LlmErrorCode.budgetExhausted);
    expect(fakes.primary.requests).toHaveLength(0);
    expect(fakes.backup.requests).toHaveLength(0);
    expect(sink.ofType('llm-budget-exhausted')).toHaveLength(1);
    expect(sink.ofType('llm-retry')).toHaveLength(0);
    expect(sink.ofType('llm-failover')).toHaveLength(0);
  });

  it('the call machine goes to budget-exhausted, done or failed', () => {
    const facts = { type: 'attempt.failed' as const, retryable: true, rateLimited: false, failoverable: false, final: false, budgetExhausted: false, delayMs: 100, circuitOpen: false, preferFailover: false, maxAttempts: 3 };
    const start = startCall(2);
    expect(advanceCall(start, { ...facts, budgetExhausted: true }).value).toBe('budget-exhausted');
    expect(advanceCall(start, { type: 'attempt.succeeded' }).value).toBe('done');
    expect(advanceCall(start, facts).value).toBe('backoff');
    expect(advanceCall(start, { ...facts, final: true }).value).toBe('failed');
    const failedOver = advanceCall(start, { ...facts, circuitOpen: true });
    expect(failedOver.value).toBe('attempting');
    expect(failedOver.context).toMatchObject({ targetIndex: 1, attempt: 2, attemptOnTarget: 1 });
    expect(advanceCall(failedOver, { ...facts, circuitOpen: true }).value).toBe('failed');
  });
});
