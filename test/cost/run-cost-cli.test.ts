/** `mission run` shows the run's cost: `cost` on the `--json` result and its steps, a line in the summary. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { repoRoot, runCli, tempDir } from '../cli/cli-harness.js';

const apiKey = 'sk-cost-cli-key-do-not-print';
const providerVariables = [
  'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'GEMINI_API_KEY', 'GOOGLE_API_KEY',
  'GOOGLE_GEMINI_BASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION',
  'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AZURE_OPENAI_API_KEY',
  'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT_NAME', 'AZURE_OPENAI_API_VERSION', 'OLLAMA_HOST', 'SHIMMY_BASE_URL',
];
const mission = path.join(repoRoot, 'missions', 'ask-a-model.yaml');
const directories: string[] = [];

let fake: FakeServer;
beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey, models: ['gpt-4o-mini'] });
});
afterAll(async () => {
  await fake.close();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function scenarios(): void {
  fake.enqueue(
    { text: 'Water evaporates, condenses into clouds and falls as rain.', usage: { inputTokens: 20, outputTokens: 12 } },
    { text: '{"question":"What falls from clouds?","answer":"Rain"}', usage: { inputTokens: 30, outputTokens: 10 } },
    { toolCalls: [{ id: 'call_1', name: 'read_file', arguments: { path: 'out/ask/quiz.json' } }], usage: { inputTokens: 100, outputTokens: 20 } },
    { text: 'The answer fits the question.', usage: { inputTokens: 200, outputTokens: 10 } },
  );
}

describe('mission run: the run cost', () => {
  const env = () => ({ ...Object.fromEntries(providerVariables.map((name) => [name, ''])), OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${fake.url}/v1` });

  it('--json carries cost for the run and for each step that called a model', async () => {
    scenarios();
    const cwd = tempDir();
    directories.push(cwd);
    const outcome = await runCli(['run', mission, '--json'], cwd, env());
    expect(outcome.code, outcome.stderr).toBe(0);
    const result = JSON.parse(outcome.stdout);
    // gpt-4o-mini at $0.15 / $0.60 per million: explain 20 × 0.15 + 12 × 0.6 = 10.2 → 10 µ$;
    // quiz 30 × 0.15 + 10 × 0.6 = 10.5 → 11 µ$; reviewer (two agent turns) 27 + 36 = 63 µ$.
    expect(result.steps.explain.cost).toEqual({ costMicros: 10, calls: 1, estimatedCalls: 0, unknownCostCalls: 0 });
    expect(result.steps.quiz.cost).toEqual({ costMicros: 11, calls: 1, estimatedCalls: 0, unknownCostCalls: 0 });
    expect(result.steps.reviewer.cost).toEqual({ costMicros: 63, calls: 2, estimatedCalls: 0, unknownCostCalls: 0 });
    expect(result.steps.save_quiz.cost).toBeUndefined();
    expect(result.cost).toEqual({ costMicros: 84, calls: 4, estimatedCalls: 0, unknownCostCalls: 0 });
    const report = JSON.parse((await runCli(['cost', 'report', '--by', 'step', '--json'], cwd, env())).stdout);
    expect(report.total).toMatchObject({ calls: 4, costMicros: 84 });
  });

  it('the terminal summary ends with the cost line', async () => {
    scenarios();
    const cwd = tempDir();
    directories.push(cwd);
    const outcome = await runCli(['run', mission], cwd, env());
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout.trim().split('\n').at(-1)).toBe('cost $0.000084 (4 calls)');
  });
});
