import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { repoRoot, runCli, tempDir } from './cli-harness.js';

const apiKey = 'sk-cli-test-key-do-not-print';
/** Every provider variable blanked, so the machine's own environment cannot leak into a test. */
const noProviders: Record<string, string> = Object.fromEntries(
  [
    'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'GEMINI_API_KEY', 'GOOGLE_API_KEY',
    'GOOGLE_GEMINI_BASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION',
    'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AZURE_OPENAI_API_KEY',
    'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT_NAME', 'AZURE_OPENAI_API_VERSION', 'OLLAMA_HOST', 'SHIMMY_BASE_URL',
  ].map((name) => [name, '']),
);
const mission = path.join(repoRoot, 'missions', 'ask-a-model.yaml');

let fake: FakeServer;
beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey, models: ['gpt-4o-mini', 'gpt-4.1'] });
});
afterAll(() => fake.close());

describe('LLM missions from the command line', () => {
  it('runs ask-a-model.yaml against a configured provider, with every call audited', async () => {
    fake.enqueue(
      { text: 'Water evaporates, condenses into clouds and falls as rain.', usage: { inputTokens: 20, outputTokens: 12 } },
      { text: '{"question":"What falls from clouds?","answer":"Rain"}', usage: { inputTokens: 30, outputTokens: 10 } },
      { toolCalls: [{ id: 'call_1', name: 'read_file', arguments: { path: 'out/ask/quiz.json' } }] },
      { text: 'The answer fits the question.' },
    );
    const cwd = tempDir();
    const env = { ...noProviders, OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${fake.url}/v1` };
    const outcome = await runCli(['run', mission, '--json'], cwd, env);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result.outputs).toEqual({
      explanation: 'Water evaporates, condenses into clouds and falls as rain.',
      question: 'What falls from clouds?',
      review: 'The answer fits the question.',
      tokens: 72,
    });
    const events = JSON.parse((await runCli(['audit', 'show', result.runId, '--json'], cwd, env)).stdout);
    const types = events.map((event: { type: string }) => event.type);
    expect(types.filter((type: string) => type === 'llm-request')).toHaveLength(4);
    expect(types.filter((type: string) => type === 'llm-response')).toHaveLength(4);
    expect(types).toContain('tool-call');
    expect(JSON.stringify(events)).not.toContain(apiKey);
    expect((await runCli(['audit', 'verify'], cwd, env)).code).toBe(0);
  });

  it('fails before it starts, naming the variables to set, when no provider is configured', async () => {
    const cwd = tempDir();
    const outcome = await runCli(['run', mission], cwd, noProviders);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('MISSION_ERR_PREFLIGHT');
    expect(outcome.stderr).toContain('OPENAI_API_KEY');
    expect(outcome.stderr).toContain('ANTHROPIC_API_KEY');
    const runs = JSON.parse((await runCli(['runs', '--json'], cwd, noProviders)).stdout);
    expect(runs).toEqual([]);
  });
});

describe('mission providers', () => {
  it('lists what the environment configures, its models and whether it answers, without secrets', async () => {
    const env = { ...noProviders, OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${fake.url}/v1`, ANTHROPIC_API_KEY: 'sk-ant-unreachable', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
    const outcome = await runCli(['providers', '--json', '--timeout', '2000'], tempDir(), env);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).not.toContain(apiKey);
    expect(outcome.stdout).not.toContain('sk-ant-unreachable');
    const { providers } = JSON.parse(outcome.stdout);
    const byId = Object.fromEntries(providers.map((provider: { id: string }) => [provider.id, provider]));
    expect(byId.openai).toMatchObject({ configured: true, reachable: true, models: ['gpt-4o-mini', 'gpt-4.1'] });
    expect(byId.anthropic).toMatchObject({ configured: true, reachable: false });
    expect(byId.gemini).toMatchObject({ configured: false, missing: ['GEMINI_API_KEY'] });
    expect(Object.keys(byId).sort()).toEqual(['anthropic', 'azure', 'bedrock', 'gemini', 'ollama', 'openai', 'shimmy']);
  });
});
