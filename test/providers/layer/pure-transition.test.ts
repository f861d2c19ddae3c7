/** The shared-scope transitions compute exactly what XState's own `transition()` computes. */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { advanceCall, callMachine, startCall, type CallMachineEvent } from '../../../providers/layer/call-machine.js';
import { advanceCircuit, circuitMachine, newCircuit, type CircuitEvent } from '../../../providers/layer/circuit-machine.js';

const failed = { type: 'attempt.failed' as const, retryable: true, rateLimited: false, failoverable: true, final: false, budgetExhausted: false, delayMs: 10, circuitOpen: false, preferFailover: false, maxAttempts: 2 };

describe('pure transitions', () => {
  it('match transition() for the call machine', () => {
    const events: CallMachineEvent[] = [failed, { type: 'backoff.elapsed' }, failed, { ...failed, rateLimited: true, delayMs: 0 }, { type: 'backoff.elapsed' }, { ...failed, circuitOpen: true }, { type: 'attempt.succeeded' }];
    let ours = startCall(3);
    let theirs = initialTransition(callMachine, { targetCount: 3 })[0];
    expect(ours.value).toEqual(theirs.value);
    for (const event of events) {
      ours = advanceCall(ours, event);
      theirs = transition(callMachine, theirs, event)[0];
      expect(ours.value).toEqual(theirs.value);
      expect(ours.context).toEqual(theirs.context);
    }
    expect(ours.value).toBe('done');
    // Memoised payload-free transitions give the very same snapshot.
    expect(advanceCall(startCall(3), { type: 'attempt.succeeded' })).toBe(advanceCall(startCall(3), { type: 'attempt.succeeded' }));
    expect(ours.context).toMatchObject({ attempt: 5, targetIndex: 2 });
  });

  it('match transition() for the circuit machine', () => {
    const failure = (at: number): CircuitEvent => ({ type: 'failure', at, quota: false, threshold: 2, windowMs: 1_000, openMs: 500, quotaOpenMs: 10_000, recentSuccesses: 1, consecutive: 1 });
    const events: CircuitEvent[] = [failure(2), failure(3), { type: 'cooldown.elapsed' }, { type: 'success' }];
    let ours = newCircuit();
    let theirs = initialTransition(circuitMachine)[0];
    for (const event of events) {
      ours = advanceCircuit(ours, event);
      theirs = transition(circuitMachine, theirs, event)[0];
      expect(ours.value).toEqual(theirs.value);
      expect(ours.context).toEqual(theirs.context);
    }
    expect(ours.value).toBe('closed');
    // The shared start state was not mutated by any of this.
    expect(newCircuit().context).toEqual({ failures: [], openUntil: 0, quota: false });
  });
});
