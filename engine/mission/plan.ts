/**
 * Execution levels: which steps can run together. The scheduler runs steps as soon as their own
 * dependencies finish; levels are the static picture of that, for `mission plan` and tests.
 */
import { MissionError, MissionErrorCode } from '../errors.js';
import type { MissionDefinition } from './types.js';

/**
 * Topological levels: level 0 has no dependencies, level n depends on something in level n − 1.
 * Within a level, steps keep their file order. Unknown `depends_on` targets are ignored (the
 * validator reports them); a cycle throws `MISSION_ERR_INVALID` naming the steps left.
 */
export function planLevels(mission: MissionDefinition): string[][] {
  const known = new Set(mission.steps.map((step) => step.id));
  const placed = new Set<string>();
  const levels: string[][] = [];
  let remaining = mission.steps.filter((step, position, all) =>
    all.findIndex((other) => other.id === step.id) === position);
  while (remaining.length > 0) {
    const level = remaining.filter((step) =>
      step.dependsOn.every((target) => !known.has(target) || placed.has(target)));
    if (level.length === 0) {
      throw new MissionError(
        MissionErrorCode.invalid,
        `dependency cycle among steps: ${remaining.map((step) => step.id).join(', ')}`,
      );
    }
    for (const step of level) placed.add(step.id);
    levels.push(level.map((step) => step.id));
    remaining = remaining.filter((step) => !placed.has(step.id));
  }
  return levels;
}
