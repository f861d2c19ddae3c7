/**
 * One LLM call as a pure XState v5 machine: attempt → backoff → attempt … → next target → … →
 * done | failed | budget-exhausted. No I/O and no timers inside: the call runner feeds it the
 * facts of each failed attempt and advances it with `transition()` (no actor per call, which keeps
 * the hot path allocation-light); the state it enters says what to do next, and each change is a
 * layer event (`retry`, `failover`) the audit trail records.
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import { pureTransitions } from './pure-transition.js';

/** The facts of a failed attempt the machine decides on. */
export interface AttemptFailure {
  type: 'attempt.failed';
  /** The error says a retry may succeed (`isRetryable`). */
  retryable: boolean;
  /** A rate-limit answer: retried within the time budget, not counted against `maxAttempts`. */
  rateLimited: boolean;
  /** Another target may succeed where this one failed (a server, key, quota or model problem of this target). */
  failoverable: boolean;
  /** Content had already reached the caller, or the caller cancelled: nothing may be repeated. */
  final: boolean;
  /** A stage said the budget is spent: no retry, no failover. */
  budgetExhausted: boolean;
  /** The wait before a retry, or undefined when waiting is not allowed (hint above the cap, budget or deadline passed). */
  delayMs: number | undefined;
  /** The circuit of this target is open now: waiting for it is pointless. */
  circuitOpen: boolean;
  /**
   * The target looks unreachable (no connection, no response in time): with another target left,
   * the call moves on at once instead of waiting for this one.
   */
  preferFailover: boolean;
  /** Attempts allowed on this target by its retry policy. */
  maxAttempts: number;
}

/** Events the runner sends. */
export type CallMachineEvent = AttemptFailure | { type: 'attempt.succeeded' } | { type: 'backoff.elapsed' };

/** The machine's extended state. */
export interface CallMachineContext {
  /** Attempts started in the whole call (1-based once running). */
  attempt: number;
  /** Attempts started on the current target. */
  attemptOnTarget: number;
  /** Index of the current target in the call's plan. */
  targetIndex: number;
  targetCount: number;
  /** The delay of the backoff being waited, for the runner. */
  delayMs: number;
}

/**
 * Attempts one call may make at most, whatever the policies say: a server answering 429 with
 * `retry-after: 0` forever must not hold a call in a loop.
 */
export const maxAttemptsPerCall = 50;

const canWait = (context: CallMachineContext, event: CallMachineEvent): boolean =>
  event.type === 'attempt.failed' &&
  event.retryable &&
  !event.circuitOpen &&
  !(event.preferFailover && context.targetIndex + 1 < context.targetCount) &&
  event.delayMs !== undefined &&
  context.attempt < maxAttemptsPerCall &&
  (event.rateLimited || context.attemptOnTarget < event.maxAttempts);

/** The call machine. Input: how many targets the call may try. */
export const callMachine = setup({
  types: {
    context: {} as CallMachineContext,
    events: {} as CallMachineEvent,
    input: {} as { targetCount: number },
  },
  guards: {
    budgetExhausted: ({ event }) => event.type === 'attempt.failed' && event.budgetExhausted,
    final: ({ event }) => event.type === 'attempt.failed' && event.final,
    canRetry: ({ context, event }) => canWait(context, event),
    canFailover: ({ context, event }) =>
      event.type === 'attempt.failed' && (event.failoverable || event.retryable) && context.targetIndex + 1 < context.targetCount,
  },
  actions: {
    startBackoff: assign({ delayMs: ({ event }) => (event.type === 'attempt.failed' ? (event.delayMs ?? 0) : 0) }),
    nextAttempt: assign({
      attempt: ({ context }) => context.attempt + 1,
      attemptOnTarget: ({ context }) => context.attemptOnTarget + 1,
    }),
    nextTarget: assign({
      attempt: ({ context }) => context.attempt + 1,
      attemptOnTarget: 1,
      targetIndex: ({ context }) => context.targetIndex + 1,
    }),
  },
}).createMachine({
  id: 'llm-call',
  context: ({ input }) => ({ attempt: 1, attemptOnTarget: 1, targetIndex: 0, targetCount: input.targetCount, delayMs: 0 }),
  initial: 'attempting',
  states: {
    attempting: {
      on: {
        'attempt.succeeded': 'done',
        'attempt.failed': [
          { guard: 'budgetExhausted', target: 'budget-exhausted' },
          { guard: 'final', target: 'failed' },
          { guard: 'canRetry', target: 'backoff', actions: 'startBackoff' },
          // Re-entering `attempting` is the failover transition.
          { guard: 'canFailover', target: 'attempting', reenter: true, actions: 'nextTarget' },
          { target: 'failed' },
        ],
      },
    },
    backoff: {
      on: { 'backoff.elapsed': { target: 'attempting', actions: 'nextAttempt' } },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
    'budget-exhausted': { type: 'final' },
  },
});

/** A call machine snapshot. */
export type CallSnapshot = SnapshotFrom<typeof callMachine>;

const transitions = pureTransitions(callMachine);
/** Snapshots are immutable: the start state per target count is computed once. */
const startStates = new Map<number, CallSnapshot>();

/** The state a new call starts in. */
export function startCall(targetCount: number): CallSnapshot {
  let snapshot = startStates.get(targetCount);
  if (!snapshot) {
    snapshot = transitions.initial({ targetCount });
    if (startStates.size < 64) startStates.set(targetCount, snapshot);
  }
  return snapshot;
}

/**
 * Results of events without a payload (`attempt.succeeded`, `backoff.elapsed`) per snapshot: the
 * machine is pure and snapshots immutable, so the same snapshot and event always give the same
 * result, and the common path (start → done) costs a lookup instead of a transition.
 */
const memo = new WeakMap<CallSnapshot, Map<string, CallSnapshot>>();

/** Advances a call's machine by one event. */
export function advanceCall(snapshot: CallSnapshot, event: CallMachineEvent): CallSnapshot {
  if (event.type === 'attempt.failed') return transitions.next(snapshot, event);
  let results = memo.get(snapshot);
  let next = results?.get(event.type);
  if (next === undefined) {
    next = transitions.next(snapshot, event);
    if (!results) memo.set(snapshot, (results = new Map()));
    results.set(event.type, next);
  }
  return next;
}
