/**
 * The step lifecycle as a pure XState v5 machine definition. The runner advances it with
 * `transition()` (no actor, no timers inside): retry delays and I/O stay in the runner, and every
 * state change the machine makes is what the audit store records.
 *
 * pending → ready → running → (retry-wait → running)* → succeeded | failed | skipped | cancelled,
 * plus awaiting-approval (entered by steps that wait for a person).
 */
import { assign, initialTransition, setup, transition, type SnapshotFrom } from 'xstate';

/** Events the runner sends to a step's machine. */
export type StepMachineEvent =
  | { type: 'dependencies.met' }
  | { type: 'skip' }
  | { type: 'start' }
  | { type: 'succeed' }
  | { type: 'fail'; retryable: boolean }
  | { type: 'retry' }
  | { type: 'approval.request' }
  | { type: 'approval.grant' }
  | { type: 'approval.deny' }
  | { type: 'cancel' };

/** The machine's extended state. */
export interface StepMachineContext {
  /** Attempts started so far. */
  attempt: number;
  maxAttempts: number;
}

/** The step lifecycle machine. Input: the retry policy's attempt budget. */
export const stepMachine = setup({
  types: {
    context: {} as StepMachineContext,
    events: {} as StepMachineEvent,
    input: {} as { maxAttempts: number },
  },
  guards: {
    canRetry: ({ context, event }) =>
      event.type === 'fail' && event.retryable && context.attempt < context.maxAttempts,
  },
  actions: {
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
  },
}).createMachine({
  id: 'step',
  context: ({ input }) => ({ attempt: 0, maxAttempts: Math.max(1, input.maxAttempts) }),
  initial: 'pending',
  states: {
    pending: {
      on: { 'dependencies.met': 'ready', skip: 'skipped', cancel: 'cancelled' },
    },
    ready: {
      on: { start: { target: 'running', actions: 'countAttempt' }, skip: 'skipped', cancel: 'cancelled' },
    },
    running: {
      on: {
        succeed: 'succeeded',
        fail: [{ guard: 'canRetry', target: 'retry-wait' }, { target: 'failed' }],
        'approval.request': 'awaiting-approval',
        cancel: 'cancelled',
      },
    },
    'retry-wait': {
      // `fail` here means giving up while waiting (the mission timed out before the next attempt).
      on: { retry: { target: 'running', actions: 'countAttempt' }, fail: 'failed', cancel: 'cancelled' },
    },
    'awaiting-approval': {
      on: { 'approval.grant': 'running', 'approval.deny': 'failed', cancel: 'cancelled' },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    skipped: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** A step machine snapshot. */
export type StepSnapshot = SnapshotFrom<typeof stepMachine>;

/** Names of the machine's states. */
export type StepState = 'pending' | 'ready' | 'running' | 'retry-wait' | 'awaiting-approval' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/*
 * The machine is deterministic and its snapshots immutable, so a transition depends only on
 * (state, context, event). XState's `transition()` costs tens of microseconds; memoising it per
 * distinct input keeps the machine the single source of truth while a 10,000-step mission pays
 * that cost a handful of times instead of 30,000.
 */
const initialSnapshots = new Map<number, StepSnapshot>();
const transitions = new WeakMap<StepSnapshot, Map<string, StepSnapshot>>();

/** The initial snapshot of a step allowed `maxAttempts` attempts. */
export function initialStepSnapshot(maxAttempts: number): StepSnapshot {
  let snapshot = initialSnapshots.get(maxAttempts);
  if (!snapshot) {
    snapshot = initialTransition(stepMachine, { maxAttempts })[0];
    initialSnapshots.set(maxAttempts, snapshot);
  }
  return snapshot;
}

/** Advances a snapshot; returns the same snapshot when the event does not apply in its state. */
export function advanceStep(snapshot: StepSnapshot, event: StepMachineEvent): StepSnapshot {
  let known = transitions.get(snapshot);
  if (!known) {
    known = new Map();
    transitions.set(snapshot, known);
  }
  const key = event.type === 'fail' ? `fail:${event.retryable}` : event.type;
  let next = known.get(key);
  if (!next) {
    next = transition(stepMachine, snapshot, event)[0];
    known.set(key, next);
  }
  return next;
}

/** The state name of a snapshot. */
export function stepStateOf(snapshot: StepSnapshot): StepState {
  return snapshot.value as StepState;
}
