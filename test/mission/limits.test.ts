/**
 * Validation is linear in its input and bounded (issue 8): deep nesting, huge expressions, many
 * keys and megabyte values are refused or reported quickly, with positions, in bounded text.
 */
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { MissionError } from '../../engine/errors.js';
import { compileExpression } from '../../engine/expressions/index.js';
import { maxExpressionDepth, maxExpressionLength, maxExpressionOperators } from '../../engine/expressions/expression-limits.js';
import { formatIssues, missionSchema, parseMission, validateMission } from '../../engine/mission/index.js';
import { maxNestingDepth } from '../../engine/mission/nesting-limit.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { issuesOf, testRegistry } from './helpers.js';

const head = 'version: "1.0"\nname: m\n';

/** A `vars:` value nested `depth` levels (the mission map and `vars` count as 2). */
function nestedVars(depth: number, style: 'flow' | 'block'): string {
  const inner = depth - 2;
  if (style === 'flow') return `${head}vars:\n  v: ${'['.repeat(inner)}${']'.repeat(inner)}\nsteps: [{ id: a, step_type: noop }]\n`;
  const lines = [`${head}vars:`];
  for (let level = 0; level < inner; level++) lines.push(`${'  '.repeat(level + 1)}k${level}:`);
  lines.push(`${'  '.repeat(inner + 1)}leaf: 1`);
  return `${lines.join('\n')}\nsteps: [{ id: a, step_type: noop }]\n`;
}

function loadError(text: string, file = 'deep.yaml'): MissionError {
  try {
    parseMission(text, file);
  } catch (error) {
    return error as MissionError;
  }
  throw new Error('expected the mission to be refused');
}

describe('nesting depth', () => {
  it.each(['flow', 'block'] as const)('accepts %s nesting up to the limit', (style) => {
    expect(parseMission(nestedVars(maxNestingDepth, style), 'ok.yaml').mission.name).toBe('m');
  });

  it.each(['flow', 'block'] as const)('refuses %s nesting 1,000 levels deep with a position, not a stack overflow', (style) => {
    const error = loadError(nestedVars(1000, style));
    expect(error.code).toBe('MISSION_ERR_LOAD');
    expect(error.message).toMatch(/^deep\.yaml:\d+:\d+: maps and lists are nested more than 64 levels deep here/);
    expect(error.message).not.toContain('call stack');
  });

  it('names the line where the limit is crossed', () => {
    const error = loadError(nestedVars(maxNestingDepth + 1, 'block'));
    // Lines 1-3 are version, name and vars:; the map at level n (counting the mission as 1) starts
    // on line n + 2, so the one a level too deep starts on line 64 + 3.
    expect(error.message).toMatch(new RegExp(`^deep\\.yaml:${maxNestingDepth + 3}:`));
  });
});

describe('expression bounds', () => {
  it('refuses 5,000 nested parentheses quickly, at the template position', () => {
    const text = `${head}steps:\n  - id: a\n    step_type: noop\n    parameters:\n      message: "{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}"\n`;
    const startedAt = performance.now();
    const issues = issuesOf(text);
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^m\.yaml:7:\d+: template too complex in \{\{ \(\(\(/);
    expect(issues[0].length).toBeLessThan(600);
  });

  it('refuses nesting deeper than the limit in a short expression, pointing at the bracket', () => {
    const expression = `${'('.repeat(maxExpressionDepth + 1)}1${')'.repeat(maxExpressionDepth + 1)}`;
    const issues = issuesOf(`${head}steps:\n  - id: a\n    step_type: noop\n    parameters: { message: "{{ ${expression} }}" }\n`);
    expect(issues[0]).toMatch(new RegExp(`^m\\.yaml:6:${28 + 3 + maxExpressionDepth + 1}: template too complex .*more than ${maxExpressionDepth} levels`));
  });

  it('refuses a chain of 2,000 member accesses (which overflowed the stack) with a coded error', () => {
    expect(() => compileExpression(`vars${'.a'.repeat(2000)}`)).toThrow(expect.objectContaining({ code: 'MISSION_ERR_TEMPLATE_TOO_COMPLEX' }));
    expect(compileExpression(`vars${'.a'.repeat(maxExpressionOperators)}`).evaluate({ vars: {} })).toBeUndefined();
  });

  it('accepts expressions within the limits, and does not count brackets inside strings', () => {
    expect(compileExpression(`${'('.repeat(maxExpressionDepth)}1${')'.repeat(maxExpressionDepth)}`).evaluate({})).toBe(1);
    expect(compileExpression(`'${'('.repeat(100)}' | length`).evaluate({})).toBe(100);
  });

  it('throws MISSION_ERR_TEMPLATE_TOO_COMPLEX at run time too (conditions, rendered templates)', () => {
    expect(() => compileExpression('1 + '.repeat(maxExpressionLength))).toThrow(expect.objectContaining({ code: 'MISSION_ERR_TEMPLATE_TOO_COMPLEX' }));
  });
});

describe('many keys and big values', () => {
  it('validates 50,000 unknown top-level keys in seconds and collapses the warnings', () => {
    const keys = Array.from({ length: 50_000 }, (_, index) => `k${index}: 1`).join('\n');
    const text = `${head}${keys}\nsteps: [{ id: a, step_type: noop }]\n`;
    const startedAt = performance.now();
    const issues = validateMission(parseMission(text, 'keys.yaml'), testRegistry());
    const seconds = (performance.now() - startedAt) / 1000;
    // Linear work takes ~1 s here; the quadratic version took over a minute. Generous for a busy machine.
    expect(seconds).toBeLessThan(30);
    expect(issues).toHaveLength(50_000);
    const lines = formatIssues(issues);
    expect(lines.filter((line) => line.startsWith('keys.yaml:'))).toHaveLength(6);
    expect(lines.at(-1)).toBe(`keys.yaml: warning: … and 49,995 more like "unknown property 'k0' in the mission is ignored"`);
    expect(issues[49_999]).toMatchObject({ line: 50_002, column: 1 });
  });

  it('never echoes more than ~200 characters of a bad value', () => {
    const huge = 'x'.repeat(1_000_000);
    const issues = issuesOf(`${head}steps:\n  - id: a\n    step_type: ${huge}\n    depends_on: [${'y'.repeat(300_000)}]\n    timeout_seconds: "${huge}"\n`);
    expect(issues.length).toBeGreaterThanOrEqual(3);
    for (const issue of issues) expect(issue.length).toBeLessThan(1_000);
  });

  it('reports a duplicate key in linear time, at the duplicate', () => {
    const keys = Array.from({ length: 20_000 }, (_, index) => `  v${index}: 1`).join('\n');
    const error = loadError(`${head}vars:\n${keys}\n  v7: 2\nsteps: [{ id: a, step_type: noop }]\n`, 'dup.yaml');
    expect(error.message).toBe("dup.yaml:20004:3: Map keys must be unique ('v7' appears twice)");
  });
});

describe('schemas skipped by runtime meta-validation', () => {
  it('the mission schema is a valid draft-07 schema', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    expect(ajv.validateSchema(missionSchema as object), JSON.stringify(ajv.errors)).toBe(true);
  });

  it("every built-in kind's parameter schema is a valid 2020-12 schema", () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    for (const kind of new StepKindRegistry(builtinStepKinds()).names().map((name) => builtinStepKinds().find((candidate) => candidate.name === name)!)) {
      expect(ajv.validateSchema(kind.parameters as object), `${kind.name}: ${JSON.stringify(ajv.errors)}`).toBe(true);
      expect(() => ajv.compile(kind.parameters as object), kind.name).not.toThrow();
    }
  });
});
