/**
 * Routes from the command line: the failover example mission against two fakes (the primary
 * answers 500s, the backup answers), mission.config.yaml and --config, and the health that
 * `mission providers` shows for each configured target.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicFake } from '../fakes/anthropic-fake.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { repoRoot, runCli, tempDir } from './cli-harness.js';

const openAiKey = 'sk-routes-openai-key-never-printed';
const anthropicKey = 'sk-ant-routes-key-never-printed';
const blank = Object.fromEntries(
  ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION',
    'AWS_PROFILE', 'AWS_BEARER_TOKEN_BEDROCK', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'OLLAMA_HOST', 'SHIMMY_BASE_URL'].map((name) => [name, '']),
);
const failoverMission = path.join(repoRoot, 'missions', 'failover.yaml');

let openai: FakeServer;
let anthropic: FakeServer;
let env: Record<string, string>;
beforeAll(async () => {
  openai = await startOpenAiFake({ apiKey: openAiKey, models: ['gpt-4o-mini'] });
  anthropic = await startAnthropicFake();
  env = {
    ...blank,
    OPENAI_API_KEY: openAiKey, OPENAI_BASE_URL: `${openai.url}/v1`,
    ANTHROPIC_API_KEY: anthropicKey, ANTHROPIC_BASE_URL: anthropic.url,
    // Nothing local answers: keep the probes for Ollama and Shimmy off any real server.
    OLLAMA_HOST: 'http://127.0.0.1:9', SHIMMY_BASE_URL: 'http://127.0.0.1:9',
  };
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

describe('missions/failover.yaml', () => {
  it('fails over from the failing primary to the backup within the call: nothing is re-run, the audit shows llm-failover', async () => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
    openai.enqueue(
      // The agent's first turn: read the notes with the tool.
      { toolCalls: [{ id: 'call_1', name: 'read_file', arguments: { path: 'out/failover/notes.txt' } }] },
      // Its second turn: the primary fails twice (max_attempts 2)…
      { fault: { type: 'status', status: 500 } },
      { fault: { type: 'status', status: 500 } },
    );
    // …and the backup answers.
    anthropic.enqueue({ text: 'Water evaporates and condenses into clouds. It falls as rain and collects again.' });
    const cwd = tempDir();
    const outcome = await runCli(['run', failoverMission, '--json'], cwd, env);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result.outputs).toEqual({ explanation: 'Water evaporates and condenses into clouds. It falls as rain and collects again.', served_by: 'anthropic' });
    expect(result.steps.explain.attempts).toBe(1);
    expect(result.steps.explain.output.tool_calls).toEqual([{ tool: 'read_file', ok: true }]);
    expect(openai.requests.filter((request) => request.url.pathname.endsWith('/chat/completions'))).toHaveLength(3);
    expect(anthropic.requests.filter((request) => request.url.pathname === '/v1/messages')).toHaveLength(1);

    const events = JSON.parse((await runCli(['audit', 'show', result.runId, '--json'], cwd, env)).stdout) as { type: string; stepId?: string; data?: Record<string, unknown> }[];
    const failover = events.find((event) => event.type === 'llm-failover');
    expect(failover).toMatchObject({ stepId: 'explain', data: { from: 'openai/gpt-4o-mini', to: 'anthropic/claude-3-5-haiku-latest', errorCode: 'LLM_ERR_SERVER' } });
    expect(events.filter((event) => event.type === 'tool-call')).toHaveLength(1);
    const responses = events.filter((event) => event.type === 'llm-response');
    expect(responses.at(-1)!.data).toMatchObject({ route: 'resilient', provider: 'anthropic', requestId: expect.any(String), usage: { raw: expect.objectContaining({ output_tokens: expect.any(Number) }) } });
    expect(JSON.stringify(events)).not.toContain(openAiKey);
    expect(JSON.stringify(events)).not.toContain(anthropicKey);
    expect((await runCli(['audit', 'verify'], cwd, env)).code).toBe(0);
  });
});

describe('mission.config.yaml', () => {
  const routedMission = ['version: "1.0"', 'name: routed', 'steps:', '  - id: ask', '    step_type: llm', '    parameters: { route: cheap, prompt: "hi" }', ''].join('\n');

  it('defines routes a mission uses; a route defined nowhere is a validation error with did-you-mean', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'm.yaml'), routedMission);
    let outcome = await runCli(['validate', 'm.yaml'], cwd, env);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("m.yaml:6:26: step 'ask' names route 'cheap', which no llm.routes defines");

    writeFileSync(path.join(cwd, 'mission.config.yaml'), 'llm:\n  routes:\n    cheep:\n      targets: [{ provider: openai, model: gpt-4o-mini }]\n');
    outcome = await runCli(['validate', 'm.yaml'], cwd, env);
    expect(outcome.stderr).toContain("hint: did you mean 'cheep'?");

    writeFileSync(path.join(cwd, 'other.yaml'), 'llm:\n  routes:\n    cheap:\n      targets: [{ provider: openai, model: gpt-4o-mini }]\n');
    outcome = await runCli(['validate', 'm.yaml', '--config', 'other.yaml'], cwd, env);
    expect(outcome.code).toBe(0);
  });

  it('runs a mission whose route only the project file defines (the run checks the mission with it too)', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'm.yaml'), routedMission);
    writeFileSync(path.join(cwd, 'mission.config.yaml'), 'llm:\n  routes:\n    cheap:\n      targets: [{ provider: openai, model: gpt-4o-mini }]\n');
    const outcome = await runCli(['run', 'm.yaml', '--json'], cwd, env);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout).steps.ask).toMatchObject({ status: 'succeeded', output: { route: 'cheap', provider: 'openai' } });
  });

  it('stops every command with file:line:col when the project file is invalid', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'm.yaml'), routedMission);
    writeFileSync(path.join(cwd, 'mission.config.yaml'), 'llm:\n  retry:\n    max_attempts: lots\n');
    for (const command of [['validate', 'm.yaml'], ['plan', 'm.yaml'], ['run', 'm.yaml'], ['providers']]) {
      const outcome = await runCli(command, cwd, env);
      expect(outcome.code, command.join(' ')).toBe(2);
      expect(outcome.stderr).toContain("mission.config.yaml:3:19: 'llm.retry.max_attempts' must be a whole number");
    }
    const missing = await runCli(['validate', 'm.yaml', '--config', 'nope.yaml'], cwd, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: file not found');
  });
});

describe('mission providers', () => {
  it("shows each configured target's circuit, latency, error rate and rate limits", async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'mission.config.yaml'), [
      'llm:',
      '  routes:',
      '    smart:',
      '      targets:',
      '        - { provider: openai, model: gpt-4o-mini }',
      '        - { provider: anthropic, model: claude-3-5-haiku-latest }',
      '  limits:',
      '    openai: { rpm: 500, tpm: 200000, concurrency: 16 }',
      '',
    ].join('\n'));
    const outcome = await runCli(['providers', '--json', '--timeout', '2000'], cwd, env);
    expect(outcome.code).toBe(0);
    const { providers, targets } = JSON.parse(outcome.stdout);
    expect(providers.find((provider: { id: string }) => provider.id === 'openai')).toMatchObject({ configured: true, reachable: true });
    expect(targets).toContainEqual(expect.objectContaining({
      target: 'openai/gpt-4o-mini', routes: ['smart'], circuit: 'closed', errorRate: 0, calls: 0,
      rateLimit: { provider: expect.objectContaining({ limits: { rpm: 500, tpm: 200000, concurrency: 16 }, inFlight: 0, queued: 0 }) },
    }));
    expect(targets).toContainEqual(expect.objectContaining({ target: 'anthropic/claude-3-5-haiku-latest', routes: ['smart'], circuit: 'closed' }));
    const text = await runCli(['providers'], cwd, env);
    expect(text.stdout).toContain('openai/gpt-4o-mini [smart]  circuit closed  latency –  errors 0% of 0 call(s)  limits: rpm 500, tpm 200000, concurrency 16');
    expect(outcome.stdout + text.stdout).not.toContain(openAiKey);
  });
});
