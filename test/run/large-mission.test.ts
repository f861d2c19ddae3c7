import { describe, expect, it } from 'vitest';
import { parseMission } from '../../engine/mission/load.js';
import { planLevels } from '../../engine/mission/plan.js';
import { validateMission } from '../../engine/mission/validate.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { runYaml } from './harness.js';

function chain(length: number, backEdge = false): string {
  const lines = ['version: "1.0"', 'name: chain', 'steps:'];
  for (let index = 0; index < length; index++) {
    const needs = index > 0 ? [`s${index - 1}`] : backEdge ? [`s${length - 1}`] : [];
    lines.push(`  - { id: s${index}, step_type: noop${needs.length ? `, depends_on: [${needs.join(', ')}]` : ''} }`);
  }
  return lines.join('\n');
}

describe('large missions', () => {
  it('validates, plans and runs a 5,000-step chain (no recursion limits)', async () => {
    const text = chain(5000);
    expect(validateMission(parseMission(text, 'chain.yaml'), new StepKindRegistry(builtinStepKinds()))).toEqual([]);
    expect(planLevels(parseMission(text, 'chain.yaml').mission)).toHaveLength(5000);
    const { result } = await runYaml(text);
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.steps)).toHaveLength(5000);
    // 5,000 audited steps take a few seconds here; a loaded 2-core machine can take many times that.
  }, 120_000);

  it('finds a cycle that closes a 5,000-step chain', () => {
    const issues = validateMission(parseMission(chain(5000, true), 'cycle.yaml'), new StepKindRegistry(builtinStepKinds()));
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(/^dependency cycle: s0 → s4999 → s4998 → .* → s0$/);
  });
});
