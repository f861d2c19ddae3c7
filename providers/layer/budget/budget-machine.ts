/**
 * The state of one budget bucket as an XState machine — a pure definition, advanced with
 * `transition()`: ok → warned (each alert level crossed) → exhausted. Raising the limit or
 * resetting the spend moves it back. The actions it returns are what the budget stage reports
 * (alerts, exhaustion); the machine itself does no I/O.
 */
import { assign, setup } from 'xstate';

/** What the machine is told: the bucket's spend as a fraction of its limit. */
export type BudgetMachineEvent = { type: 'spend'; fraction: number };

/** The machine's memory: the alert levels, and the highest one passed. */
export interface BudgetMachineContext {
  alerts: number[];
  /** The highest alert level crossed, 0 when none. */
  level: number;
  /** Set by the last transition: the level just crossed, for the stage to report. */
  crossed?: number;
}

const highestCrossed = (alerts: number[], fraction: number): number => alerts.filter((alert) => fraction >= alert).at(-1) ?? 0;

/** The budget machine. Input: the alert levels (ascending fractions). */
export const budgetMachine = setup({
  types: { context: {} as BudgetMachineContext, events: {} as BudgetMachineEvent, input: {} as { alerts: number[] } },
  guards: {
    exhausted: ({ event }) => event.fraction >= 1,
    crossesNewLevel: ({ context, event }) => highestCrossed(context.alerts, event.fraction) > context.level,
    belowEveryLevel: ({ context, event }) => highestCrossed(context.alerts, event.fraction) === 0,
  },
  actions: {
    recordLevel: assign(({ context, event }) => {
      const level = highestCrossed(context.alerts, event.fraction);
      return { level, crossed: level > context.level ? level : undefined };
    }),
    clearLevel: assign({ level: 0, crossed: undefined }),
  },
}).createMachine({
  id: 'budget',
  initial: 'ok',
  context: ({ input }) => ({ alerts: [...input.alerts].sort((a, b) => a - b), level: 0 }),
  states: {
    ok: {
      on: {
        spend: [
          { guard: 'exhausted', target: 'exhausted', actions: 'recordLevel' },
          { guard: 'crossesNewLevel', target: 'warned', actions: 'recordLevel' },
        ],
      },
    },
    warned: {
      on: {
        spend: [
          { guard: 'exhausted', target: 'exhausted', actions: 'recordLevel' },
          { guard: 'belowEveryLevel', target: 'ok', actions: 'clearLevel' },
          { actions: 'recordLevel' },
        ],
      },
    },
    exhausted: {
      on: {
        // The limit was raised or the spend reset.
        spend: [
          { guard: 'exhausted', actions: assign({ crossed: undefined }) },
          { guard: 'belowEveryLevel', target: 'ok', actions: 'clearLevel' },
          { target: 'warned', actions: assign(({ context, event }) => ({ level: highestCrossed(context.alerts, event.fraction), crossed: undefined })) },
        ],
      },
    },
  },
});
