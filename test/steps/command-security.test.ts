/**
 * The `command` step against hostile values: templates cannot add words or break out of quotes,
 * credentials are withheld from the child, and the started process is recorded for resume.
 */
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnvironment } from '../../engine/steps/child-environment.js';
import { splitCommandWords } from '../../engine/steps/command-line.js';
import { commandStep } from '../../engine/steps/command.js';
import { runYaml } from '../run/harness.js';
import { createTestContext, makeTempDirectory, removeTempDirectory } from './context.js';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;
const workspaces: string[] = [];
afterEach(async () => {
  for (const workspace of workspaces.splice(0)) await removeTempDirectory(workspace);
});

async function workspace(): Promise<string> {
  const directory = await makeTempDirectory('command-security-');
  workspaces.push(directory);
  return directory;
}

function mission(step: string, vars: Record<string, string> = {}): string {
  const declared = Object.entries(vars).map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`).join('\n');
  return `version: "1.0"\nname: command-security\n${declared ? `vars:\n${declared}\n` : ''}steps:\n${step}\n`;
}

describe('splitting a command line before its templates are rendered', () => {
  it('keeps each template whole inside the word it appears in, whatever it contains', () => {
    const words = splitCommandWords(`touch "{{ vars.a }}" x{{ "} }" }}y '{{ vars.b }}'`, true);
    expect(words).toEqual([
      [{ text: 'touch', template: false }],
      [{ text: '{{ vars.a }}', template: true }],
      [{ text: 'x', template: false }, { text: '{{ "} }" }}', template: true }, { text: 'y', template: false }],
      [{ text: '{{ vars.b }}', template: true }],
    ]);
  });

  it('bounds the line and refuses an unclosed template', () => {
    expect(() => splitCommandWords('x'.repeat(70_000), true)).toThrow(/longer than/);
    expect(() => splitCommandWords('echo {{ vars.a', true)).toThrow(/unclosed/);
    expect(() => splitCommandWords('a '.repeat(5000), true)).toThrow(/more than 4096 words/);
  });
});

posixOnly('command templates cannot change word boundaries', () => {
  it('touches one file named by the whole value, not two', async () => {
    const directory = await workspace();
    const { result } = await runYaml(
      mission(`  - { id: t, step_type: command, parameters: { command: "touch {{ vars.v }}" } }`, { v: 'a.txt elsewhere.txt' }),
      { workspace: directory },
    );
    expect(result.status).toBe('succeeded');
    expect(await readdir(directory)).toEqual(['a.txt elsewhere.txt']);
  });

  it('does not let a quote in a value close the quotes around it', async () => {
    const directory = await workspace();
    const { result } = await runYaml(
      mission(`  - { id: e, step_type: command, parameters: { command: "echo '{{ vars.v }}' \\"{{ vars.v }}\\"" } }`, { v: `x' "y` }),
      { workspace: directory },
    );
    expect(result.steps.e.output).toMatchObject({ args: [`x' "y`, `x' "y`], stdout: `x' "y x' "y\n` });
  });

  it('still renders legacy {key} values inside one word, and templates in args as given', async () => {
    const directory = await workspace();
    const { result } = await runYaml(
      mission(
        [
          `  - { id: first, step_type: command, parameters: { command: echo, args: ["two words"] } }`,
          `  - { id: second, step_type: command, depends_on: [first], parameters: { command: "printf %s|%s {{ vars.v }} {previous_result}" } }`,
        ].join('\n'),
        { v: 'p q' },
      ),
      { workspace: directory },
    );
    const output = result.steps.second.output as { args: string[]; stdout: string };
    expect(output.args).toHaveLength(3);
    expect(output.args[1]).toBe('p q');
    expect(JSON.parse(output.args[2])).toMatchObject({ command: 'echo', stdout: 'two words\n' });
  });

  it('refuses a program name that renders with spaces, pointing at args', async () => {
    const directory = await workspace();
    const { result } = await runYaml(mission(`  - { id: p, step_type: command, parameters: { command: "{{ vars.v }} -la" } }`, { v: 'ls /' }), { workspace: directory });
    expect(result.steps.p.error).toMatchObject({ code: 'MISSION_ERR_PARAMETERS', message: expect.stringContaining('"args"') });
  });

  it('splits before rendering inside a tool step too', async () => {
    const directory = await workspace();
    const { result } = await runYaml(
      mission(`  - { id: t, step_type: tool, parameters: { tool: command, parameters: { command: "touch {{ vars.v }}" } } }`, { v: 'one two' }),
      { workspace: directory },
    );
    expect(result.status).toBe('succeeded');
    expect(await readdir(directory)).toEqual(['one two']);
  });
});

describe('the child environment', () => {
  const parent = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/someone',
    OPENAI_API_KEY: 'sk-openai-0123456789',
    ANTHROPIC_API_KEY: 'sk-ant-0123456789',
    GEMINI_API_KEY: 'gemini-0123456789',
    GOOGLE_API_KEY: 'google-0123456789',
    AZURE_OPENAI_API_KEY: 'azure-0123456789',
    AWS_ACCESS_KEY_ID: 'AKIA0123456789',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-0123456789',
    AWS_SESSION_TOKEN: 'aws-session-0123456789',
    AWS_BEARER_TOKEN_BEDROCK: 'bedrock-0123456789',
    MISSION_AUDIT_KEY: 'audit-key-0123456789',
    GITHUB_TOKEN: 'ghp_0123456789',
    DB_PASSWORD: 'hunter2hunter2',
    CLIENT_SECRET_VALUE: 'client-0123456789',
    TOKENIZERS_PARALLELISM: 'false',
    KEYBOARD_LAYOUT: 'us',
  };

  it('withholds every credential, keeps the rest, and passes what inherit_env names or env sets', () => {
    expect(childEnvironment(parent)).toEqual({ PATH: '/usr/bin:/bin', HOME: '/home/someone', TOKENIZERS_PARALLELISM: 'false', KEYBOARD_LAYOUT: 'us' });
    const chosen = childEnvironment(parent, { inherit: ['GITHUB_TOKEN'], explicit: { MY_API_KEY: 'given' } });
    expect(chosen).toMatchObject({ GITHUB_TOKEN: 'ghp_0123456789', MY_API_KEY: 'given' });
    expect(chosen).not.toHaveProperty('OPENAI_API_KEY');
  });

  posixOnly('as a real process sees it', () => {
    it('`command: env` prints no credential of the parent', async () => {
      const directory = await workspace();
      const { context } = createTestContext(directory, { env: parent });
      const output = (await commandStep.execute({ command: 'env' } as never, context)) as { stdout: string };
      for (const [name, value] of Object.entries(parent)) {
        if (/KEY_ID$|API_KEY|SECRET|TOKEN$|_TOKEN_|PASSWORD/.test(name)) expect(output.stdout).not.toContain(value);
      }
      expect(output.stdout).toContain('HOME=/home/someone');
      const inherited = (await commandStep.execute({ command: 'env', inherit_env: ['OPENAI_API_KEY'] } as never, context)) as { stdout: string };
      expect(inherited.stdout).toContain('OPENAI_API_KEY=sk-openai-0123456789');
      expect(inherited.stdout).not.toContain('ANTHROPIC_API_KEY');
    });
  });
});

posixOnly('recording the started process', () => {
  it('emits process-start with pid, process group, start time and boot id', async () => {
    const directory = await workspace();
    const { context, events } = createTestContext(directory);
    await commandStep.execute({ command: 'true' } as never, context);
    const start = events.find((event) => event.type === 'process-start');
    expect(start).toMatchObject({ pid: expect.any(Number), startTime: expect.stringMatching(/^\d+$/) });
    expect(start!.pgid).toBe(start!.pid); // The command leads its own group.
  });
});
