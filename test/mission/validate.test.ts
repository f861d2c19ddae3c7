import { describe, expect, it } from 'vitest';
import { formatIssue, parseMission, validateMission } from '../../engine/mission/index.js';
import { issuesOf, testRegistry } from './helpers.js';

const schemaProblems = [
  'version: 1.0',
  'name: schema problems',
  'variables: {a: 1}',
  'steps:',
  '  - id: one',
  '    step_type: noop',
  '    dependencies: [two]',
  '    timeout: 30',
  '    config: {x: 1}',
  '  - id: two',
  '    step_type: noop',
  '    timeout_seconds: "30"',
  '    retry: {max_attempts: 0, jitter: 2, delay: 5}',
  '  - id: three',
  '    parameters: {}',
  'config:',
  '  max_parallel: 2',
  '  fail_fast: "yes"',
].join('\n');

const semanticProblems = [
  'version: "1.0"',
  'name: semantic problems',
  'vars:',
  '  mode: full',
  'steps:',
  '  - id: fetch',
  '    step_type: noop',
  '  - id: write',
  '    step_type: create_file',
  '    depends_on: [fetch]',
  '    parameters:',
  '      path: "out/{{ vars.mode }}.txt"',
  '      mode: "{{ vars.file_mode }}"',
  '      content: |',
  '        Count: {{ steps.fetch.output.count }}',
  '        Later: {{ steps.summary.output }}',
  '        Bad: {{ steps.fetsh.output }}',
  '  - id: fetch',
  '    step_type: noop',
  '  - id: summary',
  '    step_type: llm',
  '    depends_on: [wirte]',
  '    parameters:',
  '      prompt: "Summarise {{ steps.write.output.path | upper }}"',
  '      max_tokens: "lots"',
  '  - id: odd',
  '    step_type: CreateFile',
  '  - id: old',
  '    step_type: git_commit',
  '  - id: typo',
  '    step_type: {type: nop}',
].join('\n');

const cyclesAndTemplates = [
  'version: "1.0"',
  'name: cycles and templates',
  'steps:',
  '  - id: a',
  '    step_type: noop',
  '    depends_on: [c]',
  '  - id: b',
  '    step_type: noop',
  '    depends_on: [a]',
  '  - id: c',
  '    step_type: noop',
  '    depends_on: [b]',
  '  - id: self',
  '    step_type: noop',
  '    depends_on: [self]',
  '  - id: loop',
  '    step_type: noop',
  '    depends_on: [a]',
  '    for_each: "{{ steps.a.output.items }}"',
  '    if: "steps.a.status == \'succeeded\' && {{ vars.x }}"',
  '    parameters:',
  '      each: "{{ item }} #{{ index }}"',
  '      chained: "{{ steps.c.output }}"',
  '      bad: "{{ name | upcase }}"',
  '      syntax: \'{{ steps.a.output | default: "x" }}\'',
  '      field: "{{ steps.a.result }}"',
  '  - id: plain',
  '    step_type: noop',
  '    if: "{{ item == 1 }}"',
  '    for_each: "not a template"',
  'outputs:',
  '  total: "{{ steps.loop.output | length }}"',
  '  missing: "{{ steps.nope.output }}"',
].join('\n');

describe('validateMission: schema', () => {
  it('maps schema errors to positions with plain wording and did-you-mean hints', () => {
    expect(issuesOf(schemaProblems)).toEqual([
      'm.yaml:1:10: \'version\' must be a string, got 1\n  hint: write it in quotes, e.g. "1.0" (unquoted, YAML reads a number)',
      "m.yaml:3:1: unknown property 'variables' in the mission\n  hint: did you mean 'vars'?",
      "m.yaml:7:5: unknown property 'dependencies' in step 'one'\n  hint: did you mean 'depends_on'?",
      "m.yaml:8:5: unknown property 'timeout' in step 'one'\n  hint: did you mean 'timeout_seconds'?",
      "m.yaml:9:5: unknown property 'config' in step 'one'\n  hint: did you mean 'parameters'?",
      'm.yaml:12:22: \'timeout_seconds\' in step \'two\' must be a number, got the string "30"',
      "m.yaml:13:27: 'retry.max_attempts' in step 'two' must be at least 1, got 0",
      "m.yaml:13:38: 'retry.jitter' in step 'two' must be true or false or a number from 0 to 1, got 2",
      "m.yaml:13:41: unknown property 'delay' in 'retry' in step 'two'\n  hint: did you mean 'initial_delay_ms'?",
      "m.yaml:14:5: step 'three' is missing required property 'step_type'\n  hint: add step_type: <kind>, e.g. create_file, command, llm",
      "m.yaml:17:3: unknown property 'max_parallel' in 'config'\n  hint: did you mean 'max_parallel_steps'?",
      'm.yaml:18:14: \'config.fail_fast\' must be true or false, got the string "yes"',
    ]);
  });

  it('requires at least one step', () => {
    expect(issuesOf('version: "1.0"\nname: x\nsteps: []\n')).toEqual([
      'm.yaml:3:8: the mission has no steps\n  hint: add at least one step under steps:',
    ]);
    expect(issuesOf('version: "1.0"\nname: x\n')).toEqual([
      "m.yaml:1:1: the mission is missing required property 'steps'\n  hint: add a steps: list",
    ]);
  });

  it('reports an empty file and a document that is not a map', () => {
    expect(issuesOf('')).toEqual(['m.yaml:1:1: the mission file is empty\n  hint: start with version: "1.0", name: …, steps: […]']);
    expect(issuesOf('- a\n- b\n')[0]).toBe('m.yaml:1:1: a mission must be a map, not a list or a single value\n  hint: start with version: "1.0", name: …, steps: […]');
  });

  it('accepts the extensions: vars, if, for_each, retry, timeout_seconds, outputs, id, metadata', () => {
    const mission = [
      'id: m1', 'metadata: {owner: me}', 'version: "1.0"', 'name: ok', 'timeout_seconds: 60',
      'vars: {mode: full, files: [a, b]}',
      'steps:',
      '  - id: first',
      '    step_type: noop',
      '    description: does nothing',
      '  - id: each',
      '    step_type: {type: create_file}',
      '    depends_on: [first]',
      '    if: "steps.first.status == \'succeeded\' && vars.mode == \'full\'"',
      '    for_each: "{{ vars.files }}"',
      '    retry: {max_attempts: 3, initial_delay_ms: 10, backoff_multiplier: 2, max_delay_ms: 100, jitter: true, retry_on: [MISSION_ERR_IO]}',
      '    parameters: {path: "{{ item }}.txt", content: "#{{ index }} {{ now }}", mode: "{{ vars.mode | length }}"}',
      'outputs: {written: "{{ steps.each.output }}"}',
      'config: {max_parallel_steps: 2, timeout_seconds: 5, fail_fast: false}',
    ].join('\n');
    expect(issuesOf(mission)).toEqual([]);
  });
});

describe('validateMission: semantics', () => {
  it('reports duplicates, unknown targets, kinds, parameters and template reads, sorted by position', () => {
    expect(issuesOf(semanticProblems)).toEqual([
      'm.yaml:13:14: vars.file_mode is not declared\n  hint: declare it under vars: (file_mode: <default>) or pass --var file_mode=…',
      "m.yaml:16:16: step 'write' reads steps.summary, but does not depend on 'summary'\n  hint: add 'summary' to depends_on",
      "m.yaml:17:14: {{ steps.fetsh.output }} reads steps.fetsh, but there is no step 'fetsh'\n  hint: did you mean 'fetch'?",
      "m.yaml:18:9: duplicate step id 'fetch' (first used on line 6)\n  hint: give each step a unique id",
      "m.yaml:22:18: step 'summary' depends on 'wirte', which is not a step in this mission\n  hint: did you mean 'write'?",
      "m.yaml:24:26: step 'summary' reads steps.write, but does not depend on 'write'\n  hint: add 'write' to depends_on",
      'm.yaml:25:19: \'parameters.max_tokens\' in step \'summary\' must be a whole number, got the string "lots"',
      "m.yaml:27:16: unknown step kind 'CreateFile'\n  hint: did you mean 'create_file'?",
      "m.yaml:29:16: step kind 'git_commit' is a RustChain kind not supported yet\n  hint: replace it with a supported kind (see `mission kinds`) or register a custom kind of that name",
      "m.yaml:31:23: unknown step kind 'nop'\n  hint: did you mean 'noop'?",
    ]);
  });

  it('reserves the step id __proto__ (templates read steps.<id> from a plain object)', () => {
    expect(issuesOf(['version: "1.0"', 'name: m', 'steps:', '  - id: __proto__', '    step_type: noop'].join('\n'))).toEqual([
      "m.yaml:4:9: step id '__proto__' is reserved\n  hint: choose another id",
    ]);
  });

  it('names cycles and checks conditions, for_each, transforms, fields and outputs', () => {
    expect(issuesOf(cyclesAndTemplates)).toEqual([
      'm.yaml:6:18: dependency cycle: a → c → b → a\n  hint: each step waits for the next, so none can start; remove one of these depends_on entries',
      'm.yaml:15:18: dependency cycle: self → self\n  hint: each step waits for the next, so none can start; remove one of these depends_on entries',
      "m.yaml:20:9: condition of step 'loop' mixes text and {{ }}\n  hint: write one expression, e.g. if: steps.check.output.ok && vars.mode == 'full'",
      "m.yaml:24:13: unknown name 'name' in {{ name | upcase }}\n  hint: templates read steps, vars, env, mission, run, now, timestamp, item, index; declare inputs under vars: and write vars.name",
      "m.yaml:24:13: unknown transform 'upcase' in {{ name | upcase }}\n  hint: transforms: default, first, fromJson, join, json, keys, last, length, lower, number, split, string, trim, upper",
      'm.yaml:25:16: template syntax error in {{ steps.a.output | default: "x" }}: token : (colon) unexpected\n  hint: transform arguments go in parentheses: value | default(\'x\')',
      "m.yaml:26:15: steps.a.result is not part of a step result (output, status, error)\n  hint: did you mean steps.a.output.result?",
      "m.yaml:30:15: for_each of step 'plain' must be a list or a {{ }} template that renders to one",
      "m.yaml:33:13: {{ steps.nope.output }} reads steps.nope, but there is no step 'nope'",
    ]);
  });

  it('counts --var names as declared and rejects item outside for_each', () => {
    const mission = [
      'version: "1.0"', 'name: x', 'steps:', '  - id: a', '    step_type: noop',
      '    parameters: {who: "{{ vars.who }}", each: "{{ item }}"}',
    ].join('\n');
    expect(issuesOf(mission)).toEqual([
      'm.yaml:6:24: vars.who is not declared\n  hint: declare it under vars: (who: <default>) or pass --var who=…',
      "m.yaml:6:48: {{ item }} reads 'item', which exists only inside a step with for_each",
    ]);
    expect(issuesOf(mission, { providedVars: ['who'] })).toEqual([
      "m.yaml:6:48: {{ item }} reads 'item', which exists only inside a step with for_each",
    ]);
  });

  it('suggests vars.<name> for a bare name that is a declared var, and flags reading itself', () => {
    const mission = [
      'version: "1.0"', 'name: x', 'vars: {topic: ai}', 'steps:', '  - id: a', '    step_type: noop',
      '    parameters: {t: "{{ topic }}", me: "{{ steps.a.status }}"}',
    ].join('\n');
    expect(issuesOf(mission)).toEqual([
      "m.yaml:7:22: unknown name 'topic' in {{ topic }}\n  hint: did you mean 'vars.topic'?",
      "m.yaml:7:41: step 'a' reads its own result in {{ steps.a.status }}\n  hint: a step can only read steps that finished before it",
    ]);
  });

  it('checks parameters against the kind schema: required, unknown and typed, ignoring template values', () => {
    const mission = [
      'version: "1.0"', 'name: x', 'vars: {n: 1}', 'steps:', '  - id: w', '    step_type: create_file',
      '    parameters:', '      content: 42', '      mode: "{{ vars.n }}"', '      pth: x.txt',
    ].join('\n');
    expect(issuesOf(mission)).toEqual([
      "m.yaml:8:7: step 'w' is missing required parameter 'path'",
      "m.yaml:8:16: 'parameters.content' in step 'w' must be a string, got 42\n  hint: write it in quotes to make it a string",
      "m.yaml:10:7: unknown parameter 'pth' in step 'w'\n  hint: did you mean 'path'?",
    ]);
  });

  it('treats legacy {key} strings as templates for type checks', () => {
    const mission = [
      'version: "1.0"', 'name: x', 'steps:', '  - id: w', '    step_type: create_file',
      '    parameters: {path: a.txt, mode: "{previous_result}"}',
    ].join('\n');
    expect(issuesOf(mission)).toEqual([]);
  });
});

describe('formatIssue', () => {
  it('prints file:line:column: message, with the hint on its own line', () => {
    expect(formatIssue({ file: 'a.yaml', line: 3, column: 7, message: 'bad', pointer: '/x' })).toBe('a.yaml:3:7: bad');
    expect(formatIssue({ file: 'a.yaml', line: 3, column: 7, message: 'bad', hint: 'fix it', pointer: '/x' }))
      .toBe('a.yaml:3:7: bad\n  hint: fix it');
  });

  it('carries the JSON pointer of each issue', () => {
    const loaded = parseMission(semanticProblems, 'm.yaml');
    const pointers = validateMission(loaded, testRegistry()).map((issue) => issue.pointer);
    expect(pointers).toContain('/steps/2/id');
    expect(pointers).toContain('/steps/3/depends_on/0');
    expect(pointers).toContain('/steps/6/step_type/type');
  });
});
