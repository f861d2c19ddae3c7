import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import type { TemplateScope } from '../../engine/expressions/index.js';
import type { StepDefinition } from '../../engine/mission/types.js';
import { sleep } from '../../engine/run/abort.js';
import { runAttempt, type AttemptInput } from '../../engine/run/step-attempt.js';
import type { StepContext, StepKind } from '../../engine/steps/types.js';

const scope: TemplateScope = {
  steps: {},
  vars: {},
  env: {},
  mission: { name: 'm', version: '1.0', file: 'm.yaml' },
  run: { id: 'run', workspace: '.' },
};

function attemptInput(step: Partial<StepDefinition>, kind: StepKind, overrides: Partial<AttemptInput> = {}): AttemptInput {
  return {
    step: { id: 'each', name: 'each', kind: kind.name, dependsOn: [], continueOnError: false, parameters: {}, ...step },
    kind,
    scope,
    runSignal: new AbortController().signal,
    timeoutMs: 60_000,
    maxParallel: 2,
    contextFor: (signal) => ({ signal, stepId: 'each', attempt: 1, logger: pino({ level: 'silent' }) }) as StepContext,
    ...overrides,
  };
}

describe('a for_each attempt', () => {
  it('stops the remaining items and aborts the running ones when one item fails', async () => {
    const started: string[] = [];
    let releaseSlow!: () => void;
    let slowSignal: AbortSignal | undefined;
    const kind: StepKind = {
      name: 'item',
      description: 'fails, waits or succeeds by item',
      parameters: { type: 'object' },
      execute: async (parameters, context) => {
        const item = String(parameters.item);
        started.push(item);
        if (item === 'slow') {
          slowSignal = context.signal;
          await new Promise<void>((resolve) => (releaseSlow = resolve));
        }
        if (item === 'fail') throw new Error('item failed');
        return item;
      },
    };
    const attempt = runAttempt(attemptInput({ forEach: ['slow', 'fail', 'a', 'b'], parameters: { item: '{{ item }}' } }, kind));
    await expect(attempt).rejects.toThrow('item failed');
    expect(slowSignal?.aborted).toBe(true);
    releaseSlow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['slow', 'fail']);
  });
});

describe('timeouts longer than a timer can hold', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // setTimeout fires delays beyond 2^31-1 ms (about 24.8 days) after 1 ms instead.
  const thirtyDaysMs = 30 * 24 * 3600 * 1000;

  it('do not time a step out at once', async () => {
    vi.useFakeTimers();
    const kind: StepKind = {
      name: 'wait',
      description: 'resolves after a second',
      parameters: { type: 'object' },
      execute: () => new Promise((resolve) => setTimeout(() => resolve('done'), 1000)),
    };
    const attempt = runAttempt(attemptInput({}, kind, { timeoutMs: thirtyDaysMs }));
    const settled = attempt.then((value) => ({ value }), (error: { code?: string }) => ({ error: error.code }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled).toEqual({ value: 'done' });
  });

  it('still time a step out when they are over', async () => {
    vi.useFakeTimers();
    const kind: StepKind = { name: 'hang', description: 'never settles', parameters: { type: 'object' }, execute: () => new Promise(() => {}) };
    const settled = runAttempt(attemptInput({}, kind, { timeoutMs: thirtyDaysMs }))
      .then(() => 'succeeded', (error: { code?: string }) => error.code);
    let outcome: string | undefined;
    void settled.then((value) => (outcome = value));
    await vi.advanceTimersByTimeAsync(thirtyDaysMs - 1000);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcome).toBe('MISSION_ERR_STEP_TIMEOUT');
  });

  it('do not cut a long retry wait short', async () => {
    vi.useFakeTimers();
    let woke = false;
    void sleep(thirtyDaysMs, new AbortController().signal).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(thirtyDaysMs);
    expect(woke).toBe(true);
  });
});
