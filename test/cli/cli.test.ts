import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { outcomeOf, repoRoot, runCli, startCli, tempDir } from './cli-harness.js';

const missions = path.join(repoRoot, 'missions');

describe('mission run', () => {
  it('runs hello.yaml and prints the documented --json shape', async () => {
    const cwd = tempDir();
    const outcome = await runCli(['run', path.join(missions, 'hello.yaml'), '--json', '--var', 'who=tester'], cwd);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(Object.keys(result).sort()).toEqual(['durationMs', 'outputs', 'runId', 'status', 'steps']);
    expect(result.status).toBe('succeeded');
    expect(result.steps.greet).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(typeof result.steps.greet.durationMs).toBe('number');
    expect(result.outputs.greeting).toBe('Hello, tester! Written by mission hello.\n');
    expect(readFileSync(path.join(cwd, 'out', 'hello.txt'), 'utf8')).toContain('tester');
    expect(existsSync(path.join(cwd, '.mission', 'state.db'))).toBe(true);
  });

  it('exits 1 when the mission fails, with the error in the result', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'fails.yaml'),
      'version: "1.0"\nname: fails\nsteps:\n  - id: missing\n    step_type: read_file\n    parameters: { path: nope.txt }\n',
    );
    const outcome = await runCli(['run', 'fails.yaml', '--json'], cwd);
    expect(outcome.code).toBe(1);
    const result = JSON.parse(outcome.stdout);
    expect(result.status).toBe('failed');
    expect(result.steps.missing.error.code).toBe('MISSION_ERR_FILE_NOT_FOUND');
  });

  it('exits 2 with file:line:column lines for an invalid mission', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'bad.yaml'),
      'version: "1.0"\nname: bad\nsteps:\n  - id: a\n    step_type: creat_file\n    parameters: { path: x }\n',
    );
    const outcome = await runCli(['run', 'bad.yaml'], cwd);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/^bad\.yaml:5:16: unknown step kind 'creat_file'\n  hint: did you mean 'create_file'\?/m);
    const validate = await runCli(['validate', 'bad.yaml'], cwd);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/^bad\.yaml:5:16: /m);
  });

  it('exits 2 on a usage error', async () => {
    const outcome = await runCli(['run'], tempDir());
    expect(outcome.code).toBe(2);
  });

  it('lists step kinds with their parameter schemas', async () => {
    const outcome = await runCli(['kinds', '--json'], tempDir());
    expect(outcome.code).toBe(0);
    const { kinds, unsupported } = JSON.parse(outcome.stdout);
    expect(kinds.map((kind: { name: string }) => kind.name)).toContain('create_file');
    expect(kinds.find((kind: { name: string }) => kind.name === 'llm').parameters.type).toBe('object');
    expect(unsupported).toContain('git_commit');
  });

  it('validate prints warnings for keys it ignores, and exits 0', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'extra.yaml'), 'version: "1.0"\nname: extra\nauthor: someone\nsteps:\n  - { id: a, step_type: noop }\n');
    const outcome = await runCli(['validate', 'extra.yaml'], cwd);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain("extra.yaml:3:1: warning: unknown property 'author' in the mission is ignored");
  });

  it('plans levels as JSON', async () => {
    const outcome = await runCli(['plan', path.join(missions, 'fan-out.yaml'), '--json'], tempDir());
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout)).toEqual({ levels: [['postcards', 'stamp'], ['album'], ['only_big_albums']] });
  });

  it('lists runs and shows a run as JSON', async () => {
    const cwd = tempDir();
    const run = JSON.parse((await runCli(['run', path.join(missions, 'hello.yaml'), '--json'], cwd)).stdout);
    const runs = JSON.parse((await runCli(['runs', '--json'], cwd)).stdout);
    expect(runs[0]).toMatchObject({ id: run.runId, mission: 'hello', status: 'succeeded' });
    expect(typeof runs[0].start).toBe('string');
    const shown = await runCli(['audit', 'show', run.runId, '--json'], cwd);
    const events = JSON.parse(shown.stdout);
    expect(events[0].type).toBe('mission-start');
    expect(events.at(-1).type).toBe('mission-end');
  });
});

describe('mission audit verify', () => {
  it('passes on an intact store and names the first tampered event', async () => {
    const cwd = tempDir();
    const run = JSON.parse((await runCli(['run', path.join(missions, 'hello.yaml'), '--json'], cwd)).stdout);
    const intact = await runCli(['audit', 'verify'], cwd);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('intact');

    const database = new Database(path.join(cwd, '.mission', 'state.db'));
    const edited = database
      .prepare("select idx from events where run_id = ? and body like '%step-succeeded%' order by idx limit 1")
      .get(run.runId) as { idx: number };
    database
      .prepare("update events set body = replace(body, 'step-succeeded', 'step-failed') where run_id = ? and idx = ?")
      .run(run.runId, edited.idx);
    database.close();

    const tampered = await runCli(['audit', 'verify', '--run', run.runId], cwd);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`${run.runId} event #${edited.idx}`);
  });
});

describe('bad command-line input is a usage error (exit 2), never a stack trace', () => {
  it('rejects an unknown log level, a store path that cannot be a file, and a missing workspace', async () => {
    const cwd = tempDir();
    const hello = path.join(missions, 'hello.yaml');
    for (const args of [
      ['--log-level', 'bogus'],
      ['--db', cwd],
      ['--workspace', path.join(cwd, 'missing')],
    ]) {
      const outcome = await runCli(['run', hello, ...args], cwd);
      expect(outcome.code, args.join(' ')).toBe(2);
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('warns about a --var the mission does not declare', async () => {
    const cwd = tempDir();
    const outcome = await runCli(['run', path.join(missions, 'hello.yaml'), '--var', 'wh0=x'], cwd);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain('--var wh0 is not declared');
  });
});

describe('commands that read the store', () => {
  it('refuse a store that does not exist instead of creating an empty one', async () => {
    const cwd = tempDir();
    const verify = await runCli(['audit', 'verify', '--db', 'mistyped.db'], cwd);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('no audit store at');
    expect((await runCli(['resume', 'some-run'], cwd)).code).toBe(2);
    const runs = await runCli(['runs', '--json'], cwd);
    expect(runs).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(existsSync(path.join(cwd, 'mistyped.db'))).toBe(false);
    expect(existsSync(path.join(cwd, '.mission'))).toBe(false);
  });

  it('stop quietly when the reader closes the pipe early', async () => {
    const cwd = tempDir();
    for (let index = 0; index < 3; index++) await runCli(['run', path.join(missions, 'hello.yaml')], cwd);
    const child = startCli(['audit', 'show', JSON.parse((await runCli(['runs', '--json'], cwd)).stdout)[0].id], cwd);
    child.stdout?.destroy();
    const outcome = await outcomeOf(child);
    expect(outcome.stderr).not.toContain('EPIPE');
    expect(outcome.code).toBe(0);
  });
});

describe('usage errors and logs', () => {
  it('runs --limit that is not a positive whole number is a usage error (exit 2), not a crash', async () => {
    const cwd = tempDir();
    await runCli(['run', path.join(missions, 'hello.yaml')], cwd);
    for (const limit of ['abc', '-1', '1.5']) {
      const outcome = await runCli(['runs', '--limit', limit], cwd);
      expect(outcome.code, limit).toBe(2);
      expect(outcome.stderr).toContain('--limit');
      expect(outcome.stderr).not.toContain('    at ');
    }
    expect(JSON.parse((await runCli(['runs', '--limit', '1', '--json'], cwd)).stdout)).toHaveLength(1);
  });

  it("the CLI logger redacts secrets at a log line's top level as well as one level down", () => {
    const contextModule = pathToFileURL(path.join(repoRoot, 'dist', 'engine', 'cli', 'cli-context.js')).href;
    const script = [
      `const { createLogger } = await import(${JSON.stringify(contextModule)});`,
      "const logger = createLogger('info');",
      "logger.info({ apiKey: 'secret-top-key', authorization: 'Bearer secret-top-auth', headers: { authorization: 'Bearer secret-header', 'x-api-key': 'secret-x', 'x-goog-api-key': 'secret-goog', Authorization: 'Bearer secret-capital' } }, 'top');",
      "logger.info({ request: { apiKey: 'secret-nested', headers: { 'api-key': 'secret-azure', 'x-amz-security-token': 'secret-aws' } } }, 'nested');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stderr).toContain('"msg":"top"');
    expect(child.stderr).toContain('"msg":"nested"');
    expect(child.stderr).toContain('[redacted]');
    expect(child.stderr).not.toContain('secret-');
  });
});

describe('mission audit erase', () => {
  it("erases a run's payloads and the chain still verifies", async () => {
    const cwd = tempDir();
    const run = JSON.parse((await runCli(['run', path.join(missions, 'hello.yaml'), '--json', '--var', 'who=private-person'], cwd)).stdout);
    const erased = await runCli(['audit', 'erase', run.runId], cwd);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(/^erased [1-9]\d* payloads/);
    expect((await runCli(['audit', 'verify', '--run', run.runId], cwd)).code).toBe(0);
    const database = new Database(path.join(cwd, '.mission', 'state.db'));
    const payloads = database.prepare("select count(*) as count from payloads where content like '%private-person%'").get() as { count: number };
    const runs = database.prepare("select count(*) as count from runs where vars like '%private-person%'").get() as { count: number };
    database.close();
    expect(payloads.count).toBe(0);
    expect(runs.count).toBe(0);
  });
});

describe('interruption and resume', () => {
  it('Ctrl-C cancels running steps, kills their processes, records it and exits 130', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'long.yaml'),
      [
        'version: "1.0"',
        'name: long',
        'steps:',
        '  - id: wait',
        '    step_type: command',
        '    parameters: { command: sh, args: ["-c", "echo $$ > pid.txt; sleep 30"] }',
      ].join('\n'),
    );
    const child = startCli(['run', 'long.yaml', '--json'], cwd);
    const outcome = outcomeOf(child);
    await waitFor(() => existsSync(path.join(cwd, 'pid.txt')) && readFileSync(path.join(cwd, 'pid.txt'), 'utf8').trim() !== '');
    child.kill('SIGINT');
    const finished = await outcome;
    expect(finished.code).toBe(130);
    expect(JSON.parse(finished.stdout).steps.wait.status).toBe('cancelled');
    const pid = Number(readFileSync(path.join(cwd, 'pid.txt'), 'utf8'));
    await waitFor(() => !isAlive(pid));
    const runs = JSON.parse((await runCli(['runs', '--json'], cwd)).stdout);
    expect(runs[0].status).toBe('cancelled');
  }, 120_000);

  it('resumes a run killed with SIGKILL: finished steps do not run again and the chain verifies', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'resumable.yaml'),
      [
        'version: "1.0"',
        'name: resumable',
        'config: { max_parallel_steps: 1 }',
        'steps:',
        '  - id: count',
        '    step_type: command',
        '    parameters: { command: sh, args: ["-c", "echo ran >> count.txt"] }',
        '  - id: block',
        '    step_type: command',
        '    depends_on: [count]',
        '    parameters: { command: sh, args: ["-c", "touch blocked; test -f go || sleep 30"] }',
        '  - id: finish',
        '    step_type: create_file',
        '    depends_on: [block]',
        '    parameters: { path: done.txt, content: "{{ steps.count.output.exit_code }}" }',
      ].join('\n'),
    );
    const child = startCli(['run', 'resumable.yaml', '--json'], cwd);
    const outcome = outcomeOf(child);
    await waitFor(() => existsSync(path.join(cwd, 'blocked')));
    child.kill('SIGKILL');
    await outcome;
    writeFileSync(path.join(cwd, 'go'), '');

    const runs = JSON.parse((await runCli(['runs', '--json'], cwd)).stdout);
    expect(runs[0].status).toBe('interrupted');
    const resumed = await runCli(['resume', runs[0].id, '--json'], cwd);
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout);
    expect(result.status).toBe('succeeded');
    expect(result.runId).toBe(runs[0].id);
    expect(readFileSync(path.join(cwd, 'count.txt'), 'utf8')).toBe('ran\n');
    expect(readFileSync(path.join(cwd, 'done.txt'), 'utf8')).toBe('0');
    const verified = await runCli(['audit', 'verify', '--run', runs[0].id], cwd);
    expect(verified.code).toBe(0);
    const again = await runCli(['resume', runs[0].id], cwd);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('MISSION_ERR_NOT_RESUMABLE');
    // Five CLI processes in a row: on a busy 2-core machine each start can take seconds.
  }, 120_000);
});

describe('resume of a mission whose file changed', () => {
  it('says that it resumes the mission as recorded, not the edited file', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'flaky.yaml');
    const mission = (command: string): string =>
      ['version: "1.0"', 'name: flaky', 'steps:', '  - id: check', '    step_type: command', `    parameters: { command: "${command}" }`].join('\n');
    writeFileSync(file, mission('false'));
    const first = JSON.parse((await runCli(['run', 'flaky.yaml', '--json'], cwd)).stdout);
    expect(first.status).toBe('failed');
    writeFileSync(file, mission('true'));
    const resumed = await runCli(['resume', first.runId, '--json'], cwd);
    expect(resumed.code).toBe(1);
    expect(JSON.parse(resumed.stdout).status).toBe('failed');
    expect(resumed.stderr).toContain('flaky.yaml changed since run');
    // Unchanged (back as recorded): nothing to say.
    writeFileSync(file, mission('false'));
    expect((await runCli(['resume', first.runId, '--json'], cwd)).stderr).toBe('');
  });
});

describe('example missions', () => {
  for (const file of ['hello.yaml', 'data-pipeline.yaml', 'fan-out.yaml', 'retries.yaml']) {
    it(`${file} runs and succeeds`, async () => {
      const cwd = tempDir();
      const outcome = await runCli(['run', path.join(missions, file), '--json'], cwd);
      expect(outcome.stderr).toBe('');
      const result = JSON.parse(outcome.stdout);
      expect(result.status).toBe('succeeded');
      expect(outcome.code).toBe(0);
    });
  }
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
