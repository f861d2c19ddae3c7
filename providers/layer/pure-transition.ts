/**
 * Advancing a pure machine on the hot path. XState's `transition()` builds a fresh inert actor
 * (and computes an initial snapshot) on every call, about 100 µs each, which would be most of the
 * layer's cost per call. The layer's machines spawn nothing, invoke nothing and have no actions
 * besides `assign`, so one inert scope per machine is safe to share: the snapshot in, the
 * snapshot out, no I/O, exactly what `transition()` computes (the tests hold both to each other).
 */
import { createActor, type ActorScope, type AnyStateMachine, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';

/** Pure transitions of one machine, through one shared inert scope. */
export interface PureTransitions<Machine extends AnyStateMachine> {
  initial(input?: InputFrom<Machine>): SnapshotFrom<Machine>;
  next(snapshot: SnapshotFrom<Machine>, event: EventFromLogic<Machine>): SnapshotFrom<Machine>;
}

/** Builds the pure transitions of `machine` (which must not spawn, invoke or run custom actions). */
export function pureTransitions<Machine extends AnyStateMachine>(machine: Machine): PureTransitions<Machine> {
  const self = createActor(machine);
  const scope = {
    self,
    defer: () => undefined,
    id: '',
    logger: () => undefined,
    sessionId: '',
    stopChild: () => undefined,
    system: self.system,
    emit: () => undefined,
    actionExecutor: () => undefined,
  } as unknown as ActorScope<SnapshotFrom<Machine>, EventFromLogic<Machine>>;
  return {
    initial: (input) => machine.getInitialSnapshot(scope as never, input) as SnapshotFrom<Machine>,
    next: (snapshot, event) => machine.transition(snapshot as never, event, scope as never) as SnapshotFrom<Machine>,
  };
}
