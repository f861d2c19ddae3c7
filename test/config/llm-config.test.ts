/**
 * The llm: configuration: the schema (positions in the mission and in mission.config.yaml),
 * routes a step names, and the layering mission over project over defaults.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProjectConfig, parseProjectConfig } from '../../engine/config/project-config.js';
import { formatIssue, parseMission, validateMission } from '../../engine/mission/index.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { mergeLlmConfig } from '../../providers/layer/config/index.js';

const registry = new StepKindRegistry(builtinStepKinds());
const issuesOf = (text: string, projectRoutes?: string[]) =>
  validateMission(parseMission(text, 'm.yaml'), registry, { projectRoutes }).map(formatIssue);

const mission = (llm: string, parameters = '{ route: smart, prompt: "hi" }') => [
  'version: "1.0"',
  'name: routed',
  llm,
  'steps:',
  '  - id: ask',
  '    step_type: llm',
  `    parameters: ${parameters}`,
].join('\n');

const smartRoute = [
  'llm:',
  '  routes:',
  '    smart:',
  '      strategy: failover',
  '      targets:',
  '        - { provider: openai, model: gpt-4o-mini }',
  '        - { provider: anthropic, model: claude-3-5-haiku-latest }',
  '  retry: { max_attempts: 4, initial_delay_ms: 250, max_delay_ms: 8000, max_retry_after_ms: 60000 }',
  '  timeouts: { connect_ms: 5000, first_token_ms: 30000, idle_ms: 30000, total_ms: 300000 }',
  '  limits:',
  '    openai: { rpm: 500, tpm: 200000, concurrency: 16 }',
  '    openai/gpt-4o-mini: { concurrency: 4 }',
].join('\n');

describe("a mission's llm: block", () => {
  it('accepts the documented example and keeps it on the mission', () => {
    const text = mission(smartRoute);
    expect(issuesOf(text)).toEqual([]);
    expect(parseMission(text, 'm.yaml').mission.llm?.limits?.['openai/gpt-4o-mini']).toEqual({ concurrency: 4 });
  });

  it('reports schema problems at their line and column', () => {
    const text = mission(['llm:', '  retry: { max_attempts: 0 }', '  limits:', '    openai: { rpm: "many" }', '    opneai: { rpm: 5 }', '  routes:', '    smart:', '      targets:', '        - { provider: openai, modle: gpt-4o }'].join('\n'));
    const issues = issuesOf(text);
    expect(issues).toEqual([
      "m.yaml:4:26: 'llm.retry.max_attempts' must be at least 1, got 0",
      "m.yaml:6:20: 'llm.limits.openai.rpm' must be a whole number, got the string \"many\"",
      "m.yaml:7:5: 'opneai' in 'llm.limits' is not a valid name\n  hint: did you mean 'openai'? (openai, azure, anthropic, gemini, bedrock, ollama, shimmy), or provider/model such as openai/gpt-4o-mini",
      "m.yaml:11:11: 'llm.routes.smart.targets[0]' is missing required property 'model'",
      "m.yaml:11:31: unknown property 'modle' in 'llm.routes.smart.targets[0]'\n  hint: did you mean 'model'?",
    ]);
  });

  it('says "did you mean" for a route nobody defined', () => {
    const issues = issuesOf(mission(smartRoute, '{ route: smrat, prompt: "hi" }'));
    expect(issues).toEqual([
      "m.yaml:18:26: step 'ask' names route 'smrat', which no llm.routes defines\n  hint: did you mean 'smart'?",
    ]);
  });

  it('accepts a route the project file defines, and refuses one defined nowhere', () => {
    const text = mission('description: no llm block', '{ route: cheap, prompt: "hi" }');
    expect(issuesOf(text, ['cheap'])).toEqual([]);
    expect(issuesOf(text)[0]).toContain("names route 'cheap', which no llm.routes defines");
  });

  it('refuses a route beside a provider or model', () => {
    const issues = issuesOf(mission(smartRoute, '{ route: smart, provider: openai, prompt: "hi" }'));
    expect(issues[0]).toContain("step 'ask' names both a route and provider");
  });

  it('leaves a templated route to run time', () => {
    expect(issuesOf(mission(`vars: { route: smart }\n${smartRoute}`, '{ route: "{{ vars.route }}", prompt: "hi" }'))).toEqual([]);
  });
});

describe('mission.config.yaml', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'mission-config-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('is optional in the working directory and required when named', async () => {
    expect(await loadProjectConfig({ directory })).toEqual({ llm: {} });
    await expect(loadProjectConfig({ path: path.join(directory, 'nope.yaml') })).rejects.toMatchObject({ code: 'MISSION_ERR_CONFIG', message: expect.stringContaining('file not found') });
  });

  it('is found in the directory and validated, every problem at its position', async () => {
    await writeFile(path.join(directory, 'mission.config.yaml'), smartRoute);
    const loaded = await loadProjectConfig({ directory });
    expect(loaded.llm.routes?.smart.targets).toHaveLength(2);
    expect(loaded.file).toBe(path.join(directory, 'mission.config.yaml'));

    const { issues } = parseProjectConfig(['llm:', '  timeouts: { total_ms: -1 }', 'lmm: {}'].join('\n'), 'mission.config.yaml');
    expect(issues.map(formatIssue)).toEqual([
      "mission.config.yaml:2:25: 'llm.timeouts.total_ms' must be at least 1, got -1",
      "mission.config.yaml:3:1: unknown property 'lmm' in mission.config.yaml\n  hint: did you mean 'llm'?",
    ]);
  });

  it('reports a YAML syntax error with its position', () => {
    expect(() => parseProjectConfig('llm:\n  retry: { max_attempts: 2\n', 'c.yaml')).toThrow(/^c\.yaml:\d+:\d+: /);
  });

  it('refuses a file too large to be configuration', async () => {
    const file = path.join(directory, 'big.yaml');
    await writeFile(file, `# ${'x'.repeat(1024 * 1024 + 10)}\n`);
    await expect(loadProjectConfig({ path: file })).rejects.toMatchObject({ code: 'MISSION_ERR_CONFIG' });
  });
});

describe('layering', () => {
  it('merges maps key by key, the mission over the project over the defaults', () => {
    const merged = mergeLlmConfig(
      { retry: { max_attempts: 3, initial_delay_ms: 500 }, timeouts: { total_ms: 300_000 } },
      { retry: { initial_delay_ms: 250 }, limits: { openai: { rpm: 500, tpm: 200_000 } } },
      { retry: { max_attempts: 5 }, limits: { openai: { rpm: 100 } } },
    );
    expect(merged).toEqual({
      retry: { max_attempts: 5, initial_delay_ms: 250 },
      timeouts: { total_ms: 300_000 },
      limits: { openai: { rpm: 100, tpm: 200_000 } },
    });
  });

  it('replaces a route by name as a whole and keeps the others', () => {
    const project = { routes: { smart: { targets: [{ provider: 'openai', model: 'a' }, { provider: 'anthropic', model: 'b' }] }, cheap: { targets: [{ provider: 'ollama', model: 'c' }] } } };
    const missionLevel = { routes: { smart: { strategy: 'weighted' as const, targets: [{ provider: 'gemini', model: 'd' }] } } };
    const merged = mergeLlmConfig(project, missionLevel);
    expect(merged.routes).toEqual({ smart: missionLevel.routes.smart, cheap: project.routes.cheap });
    // The inputs are untouched and share nothing with the result.
    expect(project.routes.smart.targets).toHaveLength(2);
    merged.routes!.cheap.targets[0].model = 'changed';
    expect(project.routes.cheap.targets[0].model).toBe('c');
  });

  it('drops keys that would reach an object prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "retry": {"__proto__": {"polluted": true}, "max_attempts": 2}}');
    const merged = mergeLlmConfig({}, hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged.retry)).toBe(Object.prototype);
    expect(merged.retry).toEqual({ max_attempts: 2 });
  });
});
