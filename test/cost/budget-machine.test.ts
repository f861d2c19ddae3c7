/** The budget machine, a pure definition: ok → warned (per level) → exhausted, and back when raised. */
import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { budgetMachine } from '../../providers/layer/budget/budget-machine.js';

function walk(fractions: number[]): { state: string; crossed?: number }[] {
  let [snapshot] = initialTransition(budgetMachine, { alerts: [0.8, 0.5, 0.95] });
  return fractions.map((fraction) => {
    [snapshot] = transition(budgetMachine, snapshot, { type: 'spend', fraction });
    return { state: String(snapshot.value), crossed: snapshot.context.crossed };
  });
}

describe('budget machine', () => {
  it('warns once per level crossed, in order, then exhausts', () => {
    expect(walk([0.1, 0.55, 0.6, 0.85, 0.99, 1.0, 1.2])).toEqual([
      { state: 'ok', crossed: undefined },
      { state: 'warned', crossed: 0.5 },
      { state: 'warned', crossed: undefined },
      { state: 'warned', crossed: 0.8 },
      { state: 'warned', crossed: 0.95 },
      // Exhaustion is the news here: no alert level is newly crossed.
      { state: 'exhausted', crossed: undefined },
      { state: 'exhausted', crossed: undefined },
    ]);
  });

  it('a jump past several levels reports the highest; raising the limit moves back', () => {
    expect(walk([0.9, 1.5, 0.6, 0.2])).toEqual([
      { state: 'warned', crossed: 0.8 },
      // Straight past 95 % into exhaustion: the 95 % level is recorded on the way.
      { state: 'exhausted', crossed: 0.95 },
      { state: 'warned', crossed: undefined },
      { state: 'ok', crossed: undefined },
    ]);
  });
});
