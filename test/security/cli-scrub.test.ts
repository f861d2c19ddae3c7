/**
 * The built CLI with a credential in its environment: `--json`, the summary, `audit show` and log
 * lines never carry its value, whatever a step echoed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../cli/cli-harness.js';

const key = 'sk-cli-test-abcdef0123456789';
const env = { OPENAI_API_KEY: key };

const mission = `version: "1.0"
name: leaky
steps:
  - id: echo
    step_type: command
    parameters: { command: echo, args: ["key={{ env.OPENAI_API_KEY }}"] }
  - id: missing
    step_type: command
    depends_on: [echo]
    parameters: { command: "nonexistent-{{ env.OPENAI_API_KEY }}" }
`;

describe('the CLI with a credential in its environment', () => {
  it('prints no credential value in --json, the summary, audit show or the logs', async () => {
    const directory = tempDir('mission-cli-scrub-');
    writeFileSync(path.join(directory, 'leaky.yaml'), mission);
    const database = path.join(directory, 'state.db');
    const json = await runCli(['run', 'leaky.yaml', '--db', database, '--json', '--log-level', 'debug'], directory, env);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as { runId: string; steps: Record<string, { error?: { message: string }; output?: { stdout: string } }> };
    expect(result.steps.missing.error?.message).toBe('command not found: nonexistent-[redacted]');
    expect(result.steps.echo.output?.stdout).toBe('key=[redacted]\n');
    const summary = await runCli(['run', 'leaky.yaml', '--db', database], directory, env);
    const shown = await runCli(['audit', 'show', result.runId, '--db', database], directory, env);
    const shownJson = await runCli(['audit', 'show', result.runId, '--db', database, '--json'], directory, env);
    // Error messages and outputs are erasable payloads: the chained events carry only codes.
    const shownPayloads = await runCli(['audit', 'show', result.runId, '--db', database, '--payloads'], directory, env);
    for (const outcome of [json, summary, shown, shownJson, shownPayloads]) {
      expect(outcome.stdout + outcome.stderr).not.toContain(key);
    }
    expect(shownPayloads.stdout).toContain('[redacted]');
  }, 60_000);

  it('masks credential values in every pino log line', () => {
    const contextModule = pathToFileURL(path.join(repoRoot, 'dist', 'engine', 'cli', 'cli-context.js')).href;
    const script = `const { createLogger } = await import(${JSON.stringify(contextModule)});
      createLogger('info').info({ detail: 'the key is ${key}' }, 'echo ${key}');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('[redacted]');
    expect(run.stderr).not.toContain(key);
  });
});
