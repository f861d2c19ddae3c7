/**
 * `--log-level debug` (issue 7): what someone debugging a run needs — step start and end with
 * timing, rendered parameters, provider HTTP requests with status and timing — and never a secret.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { runCli, tempDir } from './cli-harness.js';

const apiKey = 'sk-debug-log-key-never-printed';
const serviceToken = 'tok-debug-service-secret-42';
const noProviders: Record<string, string> = Object.fromEntries(
  ['ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'OLLAMA_HOST', 'SHIMMY_BASE_URL'].map((name) => [name, '']),
);

let fake: FakeServer;
beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey, models: ['gpt-4o-mini'] });
});
afterAll(() => fake.close());

/** The JSON log lines on stderr. */
function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('mission run --log-level debug', () => {
  it('logs step timing, rendered parameters and provider requests, without credentials', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'debug.yaml'),
      [
        'version: "1.0"',
        'name: debug',
        'steps:',
        '  - id: ask',
        '    step_type: llm',
        '    parameters: { prompt: "Say hi", provider: openai, model: gpt-4o-mini }',
        '  - id: note',
        '    step_type: create_file',
        '    depends_on: [ask]',
        '    parameters: { path: out.txt, content: "{{ steps.ask.output.content }} with {{ env.MY_SERVICE_TOKEN }}" }',
      ].join('\n'),
    );
    fake.enqueue({ text: 'Hi there' });
    const env = { ...noProviders, OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${fake.url}/v1`, MY_SERVICE_TOKEN: serviceToken };
    const outcome = await runCli(['run', 'debug.yaml', '--log-level', 'debug'], cwd, env);
    expect(outcome.code, outcome.stderr).toBe(0);
    const lines = logLines(outcome.stderr);

    const ended = lines.find((line) => line.msg === 'step-succeeded' && line.stepId === 'note');
    expect(ended).toMatchObject({ attempts: 1, durationMs: expect.any(Number) });
    expect(lines.some((line) => line.msg === 'step-start' && line.stepId === 'ask' && line.attempt === 1)).toBe(true);

    const rendered = lines.find((line) => line.msg === 'rendered parameters' && line.stepId === 'note');
    expect(rendered?.parameters).toBe('{"path":"out.txt","content":"Hi there with [redacted]"}');

    // Discovery's probes of local servers are provider requests too; find the model call.
    const request = lines.find((line) => line.msg === 'provider request' && line.provider === 'openai');
    expect(request).toMatchObject({ provider: 'openai', method: 'POST', status: 200, durationMs: expect.any(Number) });
    expect(String(request!.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions$/);

    expect(outcome.stderr).not.toContain(apiKey);
    expect(outcome.stderr).not.toContain(serviceToken);
  });

  it('logs nothing of the kind at the default level', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'quiet.yaml'), 'version: "1.0"\nname: quiet\nsteps:\n  - { id: a, step_type: noop }\n');
    const outcome = await runCli(['run', 'quiet.yaml'], cwd, { MISSION_LOG_LEVEL: '' });
    expect(outcome.code).toBe(0);
    expect(logLines(outcome.stderr)).toEqual([]);
  });
});
