/**
 * The circuit breaker of one provider+model as a pure XState v5 machine: closed → open (after
 * `failureThreshold` failures within `windowMs`, or at once on a quota error) → half-open (the
 * cool-down passed: one probe or one trial call) → closed (it worked) or open again. No timers
 * inside: the health tracker sends `cooldown.elapsed` and the probe results.
 */
import { assign, initialTransition, setup, transition, type SnapshotFrom } from 'xstate';

/** Events of the breaker. `at` is the injected clock's time. */
export type CircuitEvent =
  | { type: 'failure'; at: number; quota: boolean; threshold: number; windowMs: number; openMs: number; quotaOpenMs: number }
  | { type: 'success' }
  | { type: 'cooldown.elapsed' }
  | { type: 'probe.failed'; at: number; openMs: number };

/** The breaker's extended state. */
export interface CircuitContext {
  /** Times of the recent failures (at most `threshold` kept). */
  failures: number[];
  /** When an open circuit may go half-open. */
  openUntil: number;
  /** Whether the last opening was for quota (probes cannot tell a refilled quota, so none are sent). */
  quota: boolean;
}

const recentFailures = (context: CircuitContext, event: CircuitEvent): number[] => {
  if (event.type !== 'failure') return context.failures;
  const kept = context.failures.filter((at) => event.at - at < event.windowMs);
  kept.push(event.at);
  return kept.length > event.threshold ? kept.slice(kept.length - event.threshold) : kept;
};

/** The breaker machine. */
export const circuitMachine = setup({
  types: { context: {} as CircuitContext, events: {} as CircuitEvent },
  guards: {
    trips: ({ context, event }) => event.type === 'failure' && (event.quota || recentFailures(context, event).length >= event.threshold),
  },
  actions: {
    countFailure: assign({ failures: ({ context, event }) => recentFailures(context, event) }),
    open: assign(({ event }) => {
      if (event.type === 'failure') {
        return { failures: [], quota: event.quota, openUntil: event.at + (event.quota ? event.quotaOpenMs : event.openMs) };
      }
      if (event.type === 'probe.failed') return { failures: [], quota: false, openUntil: event.at + event.openMs };
      return {};
    }),
    reset: assign({ failures: [], quota: false, openUntil: 0 }),
  },
}).createMachine({
  id: 'circuit',
  context: { failures: [], openUntil: 0, quota: false },
  initial: 'closed',
  states: {
    closed: {
      on: {
        failure: [{ guard: 'trips', target: 'open', actions: 'open' }, { actions: 'countFailure' }],
        // A success does not clear the window: failures interleaved with successes still count.
      },
    },
    open: {
      on: { 'cooldown.elapsed': 'half-open' },
    },
    'half-open': {
      on: {
        success: { target: 'closed', actions: 'reset' },
        failure: { target: 'open', actions: 'open' },
        'probe.failed': { target: 'open', actions: 'open' },
      },
    },
  },
});

/** A breaker snapshot. */
export type CircuitSnapshot = SnapshotFrom<typeof circuitMachine>;

/** The state names: `closed`, `open`, `half-open`. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A new, closed breaker. */
export function newCircuit(): CircuitSnapshot {
  return initialTransition(circuitMachine)[0];
}

/** Advances a breaker by one event. */
export function advanceCircuit(snapshot: CircuitSnapshot, event: CircuitEvent): CircuitSnapshot {
  return transition(circuitMachine, snapshot, event)[0];
}
