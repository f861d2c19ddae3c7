import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMission } from '../../engine/mission/load.js';
import { formatIssue, validateMission } from '../../engine/mission/validate.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { newLog, runYaml, testKinds } from './harness.js';

describe('tool step (RustChain)', () => {
  it('runs a step kind by name with its parameters (alias Tool)', async () => {
    const { result, workspace } = await runYaml(`
version: "1.0"
name: tools
steps:
  - id: make
    step_type: Tool
    parameters: { tool: create_file, parameters: { path: made.txt, content: "by a tool" } }
`);
    expect(result.status).toBe('succeeded');
    expect(result.steps.make.output).toMatchObject({ path: 'made.txt', created: true });
    expect(readFileSync(path.join(workspace, 'made.txt'), 'utf8')).toBe('by a tool');
  });

  it('runs custom kinds registered by the embedding application as tools', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: custom-tool
steps:
  - { id: call, step_type: tool, parameters: { tool: echo, parameters: { said: hi } } }
`);
    expect(result.steps.call.output).toEqual({ said: 'hi' });
  });

  it('reports an unregistered tool at validation, with a suggestion', () => {
    const registry = new StepKindRegistry([...builtinStepKinds(), ...testKinds(newLog())]);
    const loaded = parseMission('version: "1.0"\nname: t\nsteps:\n  - id: a\n    step_type: tool\n    parameters: { tool: creat_file }\n', 't.yaml');
    expect(validateMission(loaded, registry).map(formatIssue)).toEqual([
      "t.yaml:6:25: tool 'creat_file' is not registered\n  hint: did you mean 'create_file'?",
    ]);
  });

  it('checks the tool\'s own parameters when it runs', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: bad-tool-parameters
steps:
  - { id: make, step_type: tool, parameters: { tool: create_file, parameters: { content: "no path" } } }
`);
    expect(result.steps.make.error).toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
    expect(result.steps.make.error?.message).toContain('path');
  });
});
