/**
 * The circuit breaker of one provider+model as a pure XState v5 machine: closed → open (after
 * `failureThreshold` failures within `windowMs` that are at least half of the calls in that window,
 * or twice that many failures in a row, or at once on a quota error) → half-open (the
 * cool-down passed: one probe or one trial call) → closed (it worked) or open again. No timers
 * inside: the health tracker sends `cooldown.elapsed` and the probe results.
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import { pureTransitions } from './pure-transition.js';

/** Events of the breaker. `at` is the injected clock's time. */
export type CircuitEvent =
  | {
      type: 'failure';
      at: number;
      quota: boolean;
      threshold: number;
      windowMs: number;
      openMs: number;
      quotaOpenMs: number;
      /** Successful calls within the window (counted by the tracker, so a success in a closed circuit costs no transition). */
      recentSuccesses: number;
      /**
       * When the tracker's ring of success times is full, the oldest time it still holds: before it
       * successes were forgotten, so the failure share is taken from then on only (a busy target
       * would otherwise have its failures compared with a truncated count of its successes).
       */
      successesKnownSince?: number;
      /** Successes from `successesKnownSince` on (with it set). */
      successesSinceKnown?: number;
      /** Failures since the last success, this one included. */
      consecutive: number;
    }
  | { type: 'success' }
  | { type: 'cooldown.elapsed' }
  | { type: 'probe.failed'; at: number; openMs: number };

/** The breaker's extended state. */
export interface CircuitContext {
  /** Times of the recent failures within the window (at most {@link maxRemembered}). */
  failures: number[];
  /** When an open circuit may go half-open. */
  openUntil: number;
  /** Whether the last opening was for quota (probes cannot tell a refilled quota, so none are sent). */
  quota: boolean;
}

/**
 * Outcomes remembered per circuit. A flaky target (some failures among many successes) stays
 * closed: only a failure share of at least {@link tripRatio} opens it, so a dead target trips
 * within `failureThreshold` calls while one failing 30 % of calls keeps serving (retries cover it).
 */
export const maxRemembered = 64;
/** The share of failures in the window that, with the threshold met, opens a circuit. */
export const tripRatio = 0.5;
/**
 * Failures in a row, as a multiple of the threshold, that open a circuit whatever the window says
 * (twice the threshold: six in a row happen by chance to a target failing 30 % of calls less than
 * once in a thousand runs, and a dead target gets there in six calls).
 */
export const consecutiveFactor = 2;

const remember = (times: number[], at: number, windowMs: number): number[] => {
  let start = 0;
  while (start < times.length && at - times[start] >= windowMs) start++;
  const kept = start === 0 ? times.slice() : times.slice(start);
  kept.push(at);
  if (kept.length > maxRemembered) kept.shift();
  return kept;
};

const trips = (context: CircuitContext, event: CircuitEvent): boolean => {
  if (event.type !== 'failure') return false;
  if (event.quota) return true;
  // A run of failures trips at once, however busy the window was with earlier successes.
  if (event.consecutive >= consecutiveFactor * event.threshold) return true;
  const remembered = remember(context.failures, event.at, event.windowMs);
  if (remembered.length < event.threshold) return false;
  // The share is taken over the span both records still cover in full: the window, shortened to
  // the oldest remembered failure when that list is full, and to the oldest remembered success.
  let from = event.at - event.windowMs;
  if (remembered.length >= maxRemembered) from = Math.max(from, remembered[0]);
  let successes = event.recentSuccesses;
  if (event.successesKnownSince !== undefined && event.successesKnownSince > from) {
    from = event.successesKnownSince;
    successes = event.successesSinceKnown ?? 0;
  }
  let failures = 0;
  for (const time of remembered) if (time >= from) failures++;
  return failures >= tripRatio * (failures + successes);
};

/** The breaker machine. */
export const circuitMachine = setup({
  types: { context: {} as CircuitContext, events: {} as CircuitEvent },
  guards: {
    trips: ({ context, event }) => trips(context, event),
  },
  actions: {
    countFailure: assign({ failures: ({ context, event }) => (event.type === 'failure' ? remember(context.failures, event.at, event.windowMs) : context.failures) }),
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

const transitions = pureTransitions(circuitMachine);
const closedCircuit = transitions.initial();

/** A new, closed breaker. */
export function newCircuit(): CircuitSnapshot {
  return closedCircuit;
}

/** Advances a breaker by one event. */
export function advanceCircuit(snapshot: CircuitSnapshot, event: CircuitEvent): CircuitSnapshot {
  return transitions.next(snapshot, event);
}
