import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMissionFile, parseMission } from '../../engine/mission/index.js';
import { MissionError } from '../../engine/errors.js';

const yamlMission = `version: "1.0"
name: demo
steps:
  - id: first
    step_type: Tool
    parameters:
      tool: echo
  - id: second
    name: Second step
    step_type: {type: create_file}
    depends_on: [first]
    timeout_seconds: 5
    continue_on_error: true
    if: false
    for_each: [1, 2]
    retry: {max_attempts: 5, jitter: true}
  - id: third
    step_type: noop
    retry: {jitter: 0.5, retry_on: [MISSION_ERR_HTTP_STATUS]}
`;

describe('parseMission', () => {
  it('normalises step kinds, names, parameters and optional fields', () => {
    const { mission } = parseMission(yamlMission, 'demo.yaml');
    const [first, second, third] = mission.steps;
    expect(first).toEqual({
      id: 'first', name: 'first', kind: 'tool', dependsOn: [], continueOnError: false, parameters: { tool: 'echo' },
    });
    expect(second.kind).toBe('create_file');
    expect(second.name).toBe('Second step');
    expect(second.parameters).toEqual({});
    expect(second.dependsOn).toEqual(['first']);
    expect(second.timeoutSeconds).toBe(5);
    expect(second.continueOnError).toBe(true);
    expect(second.condition).toBe('false');
    expect(second.forEach).toEqual([1, 2]);
    expect(second.retry).toEqual({ maxAttempts: 5, initialDelayMs: 1000, backoffMultiplier: 2, maxDelayMs: 30_000, jitter: 0.2, maxRetryAfterMs: 60_000 });
    expect(third.retry).toEqual({
      maxAttempts: 3, initialDelayMs: 1000, backoffMultiplier: 2, maxDelayMs: 30_000, jitter: 0.5, maxRetryAfterMs: 60_000, retryOn: ['MISSION_ERR_HTTP_STATUS'],
    });
  });

  it('fills mission defaults: config, vars, outputs', () => {
    const { mission } = parseMission(yamlMission, 'demo.yaml');
    expect(mission.config).toEqual({ maxParallelSteps: 4, failFast: true });
    expect(mission.vars).toEqual({});
    expect(mission.outputs).toEqual({});
    expect(mission.version).toBe('1.0');
    expect(mission.timeoutSeconds).toBeUndefined();
  });

  it('keeps mission-level settings', () => {
    const { mission } = parseMission(
      'version: "2"\nname: x\nvars: {who: world}\ntimeout_seconds: 60\noutputs: {greeting: "{{ vars.who }}"}\n'
      + 'config: {max_parallel_steps: 2, timeout_seconds: 9, fail_fast: false}\nsteps: [{id: a, step_type: noop}]\n',
      'x.yaml',
    );
    expect(mission.vars).toEqual({ who: 'world' });
    expect(mission.timeoutSeconds).toBe(60);
    expect(mission.outputs).toEqual({ greeting: '{{ vars.who }}' });
    expect(mission.config).toEqual({ maxParallelSteps: 2, timeoutSeconds: 9, failFast: false });
  });

  it('reports positions of values and keys by JSON pointer, falling back to the nearest ancestor', () => {
    const loaded = parseMission(yamlMission, 'demo.yaml');
    expect(loaded.positionOf('/steps/1/step_type')).toEqual({ line: 10, column: 16 });
    expect(loaded.positionOf('/steps/1/depends_on/0')).toEqual({ line: 11, column: 18 });
    expect(loaded.keyPositionOf!('/steps/1/timeout_seconds')).toEqual({ line: 12, column: 5 });
    expect(loaded.positionOf('/steps/1/nothing/here')).toEqual({ line: 8, column: 5 });
    expect(loaded.positionOf('')).toEqual({ line: 1, column: 1 });
  });

  it('parses JSON with positions too', () => {
    const json = '{\n  "version": "1.0",\n  "name": "j",\n  "steps": [\n    {"id": "a", "step_type": "noop"}\n  ]\n}\n';
    const loaded = parseMission(json, 'm.json');
    expect(loaded.mission.steps[0].kind).toBe('noop');
    expect(loaded.positionOf('/steps/0/step_type')).toEqual({ line: 5, column: 30 });
    expect(loaded.source).toBe(json);
  });

  it('never throws on schema problems; it normalises defensively', () => {
    const loaded = parseMission('version: 1\nsteps: [7, {id: 3, step_type: [x], depends_on: b, parameters: [1]}]\nconfig: {max_parallel_steps: -1}\n', 'bad.yaml');
    expect(loaded.mission.steps).toHaveLength(2);
    expect(loaded.mission.steps[0]).toMatchObject({ id: '', kind: '' });
    expect(loaded.mission.steps[1]).toMatchObject({ id: '3', kind: '', dependsOn: ['b'], parameters: {} });
    expect(loaded.mission.config.maxParallelSteps).toBe(4);
    expect(parseMission('', 'empty.yaml').mission.steps).toEqual([]);
  });

  it('throws MISSION_ERR_LOAD with file:line:column on a YAML syntax error', () => {
    const broken = 'version: "1.0"\nname: x\nsteps:\n  - id: a\n    step_type: noop: x\n';
    expect(() => parseMission(broken, 'broken.yaml')).toThrowError(MissionError);
    try {
      parseMission(broken, 'broken.yaml');
    } catch (error) {
      expect((error as MissionError).code).toBe('MISSION_ERR_LOAD');
      expect((error as MissionError).message).toBe('broken.yaml:5:16: Nested mappings are not allowed in compact mappings');
    }
  });

  it('throws MISSION_ERR_LOAD with the position of a JSON syntax error and of a duplicate key', () => {
    expect(() => parseMission('{\n  "name": "x",\n  "steps": [}\n', 'bad.json')).toThrowError(/^bad\.json:3:\d+: /);
    expect(() => parseMission('name: a\nname: b\n', 'dup.yaml')).toThrowError(/^dup\.yaml:2:1: .*unique/i);
  });
});

describe('loadMissionFile', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('reads a file and keeps the path as given', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'mission-load-'));
    directories.push(directory);
    const file = join(directory, 'm.yaml');
    await writeFile(file, yamlMission);
    const loaded = await loadMissionFile(file);
    expect(loaded.file).toBe(file);
    expect(loaded.mission.steps.map((step) => step.id)).toEqual(['first', 'second', 'third']);
  });

  it('throws MISSION_ERR_LOAD for a missing file', async () => {
    await expect(loadMissionFile(join(tmpdir(), 'no-such-mission-file.yaml'))).rejects.toMatchObject({
      code: 'MISSION_ERR_LOAD',
      message: expect.stringMatching(/no-such-mission-file\.yaml: file not found$/),
    });
  });
});
