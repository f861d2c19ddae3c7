import { describe, expect, it } from 'vitest';
import { parseMission, planLevels } from '../../engine/mission/index.js';

function levelsOf(steps: string): string[][] {
  return planLevels(parseMission(`version: "1.0"\nname: p\nsteps:\n${steps}`, 'p.yaml').mission);
}

describe('planLevels', () => {
  it('groups steps into topological levels, keeping file order within a level', () => {
    const steps = [
      '  - {id: report, step_type: noop, depends_on: [left, right]}',
      '  - {id: right, step_type: noop, depends_on: [root]}',
      '  - {id: root, step_type: noop}',
      '  - {id: left, step_type: noop, depends_on: [root]}',
      '  - {id: lone, step_type: noop}',
      '  - {id: late, step_type: noop, depends_on: [report, lone]}',
    ].join('\n');
    expect(levelsOf(steps)).toEqual([['root', 'lone'], ['right', 'left'], ['report'], ['late']]);
  });

  it('places a step by its longest dependency chain', () => {
    const steps = [
      '  - {id: a, step_type: noop}',
      '  - {id: b, step_type: noop, depends_on: [a]}',
      '  - {id: c, step_type: noop, depends_on: [a, b]}',
    ].join('\n');
    expect(levelsOf(steps)).toEqual([['a'], ['b'], ['c']]);
  });

  it('ignores unknown dependencies (the validator reports them)', () => {
    expect(levelsOf('  - {id: a, step_type: noop, depends_on: [ghost]}\n')).toEqual([['a']]);
  });

  it('throws MISSION_ERR_INVALID on a cycle, naming the steps involved', () => {
    const steps = [
      '  - {id: free, step_type: noop}',
      '  - {id: x, step_type: noop, depends_on: [y]}',
      '  - {id: y, step_type: noop, depends_on: [x]}',
    ].join('\n');
    expect(() => levelsOf(steps)).toThrowError(expect.objectContaining({
      code: 'MISSION_ERR_INVALID',
      message: 'dependency cycle among steps: x, y',
    }));
  });
});
