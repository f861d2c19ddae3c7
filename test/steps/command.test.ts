import { readFileSync } from 'node:fs';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissionError } from '../../engine/errors.js';
import { splitCommandLine } from '../../engine/steps/command-line.js';
import { commandStep } from '../../engine/steps/command.js';
import { runProcess } from '../../engine/steps/process-runner.js';
import { createTestContext, makeTempDirectory, removeTempDirectory } from './context.js';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

/** Whether a process still runs (a zombie waiting to be reaped counts as dead). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met in time');
}

const readPid = (file: string) => async (): Promise<number | undefined> => {
  const text = await readFile(file, 'utf8').catch(() => '');
  return /^\d+\n$/.test(text) ? Number(text) : undefined;
};

let workspace: string;
const started: number[] = [];

beforeEach(async () => {
  workspace = await makeTempDirectory('command-');
});
afterEach(async () => {
  // A failing test must not leave sleepers behind.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
  await removeTempDirectory(workspace);
});

describe('splitCommandLine', () => {
  it('splits on whitespace and honours quotes and escapes without expanding anything', () => {
    expect(splitCommandLine('chmod +x ai_chat.py')).toEqual(['chmod', '+x', 'ai_chat.py']);
    expect(splitCommandLine(`echo "a b" 'c "d"' e\\ f "x\\"y" $HOME`)).toEqual(['echo', 'a b', 'c "d"', 'e f', 'x"y', '$HOME']);
    expect(splitCommandLine('  git   commit -m ""  ')).toEqual(['git', 'commit', '-m', '']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => splitCommandLine('echo "open')).toThrow(MissionError);
  });
});

posixOnly('command', () => {
  it('runs a program with args and returns its output', async () => {
    const { context } = createTestContext(workspace);
    expect(await commandStep.execute({ command: 'echo', args: ['hello', 'world'] }, context)).toEqual({
      command: 'echo',
      args: ['hello', 'world'],
      exit_code: 0,
      stdout: 'hello world\n',
      stderr: '',
      stdout_truncated: false,
      stderr_truncated: false,
    });
  });

  it('passes arguments literally: no shell, no expansion', async () => {
    const { context } = createTestContext(workspace);
    const output = (await commandStep.execute({ command: 'echo', args: ['$HOME;', 'rm', '-rf', '*', '|', 'cat'] }, context)) as { stdout: string };
    expect(output.stdout).toBe('$HOME; rm -rf * | cat\n');
  });

  it('splits a one-string command line when no args are given (RustChain examples do this)', async () => {
    const { context } = createTestContext(workspace);
    expect(await commandStep.execute({ command: 'echo "two words" three' }, context)).toMatchObject({ command: 'echo', args: ['two words', 'three'], stdout: 'two words three\n' });
  });

  it('fails a non-zero exit with MISSION_ERR_COMMAND_FAILED and attaches the output', async () => {
    const { context } = createTestContext(workspace);
    const error = await commandStep.execute({ command: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'] }, context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissionError);
    expect(error).toMatchObject({
      code: 'MISSION_ERR_COMMAND_FAILED',
      message: 'command "sh" exited with code 3',
      output: { exit_code: 3, stdout: 'out\n', stderr: 'err\n' },
    });
  });

  it('reports a missing program as MISSION_ERR_COMMAND_SPAWN', async () => {
    const { context } = createTestContext(workspace);
    await expect(commandStep.execute({ command: 'definitely-not-a-command-4711', args: [] }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_COMMAND_SPAWN',
      message: 'command not found: definitely-not-a-command-4711',
    });
  });

  it('merges env over the context environment', async () => {
    const { context } = createTestContext(workspace, { env: { PATH: process.env.PATH, FROM_CONTEXT: 'ctx', OVERRIDDEN: 'old' } });
    const output = (await commandStep.execute(
      { command: 'sh', args: ['-c', 'echo "$FROM_CONTEXT $OVERRIDDEN $FROM_STEP"'], env: { OVERRIDDEN: 'new', FROM_STEP: 'step' } },
      context,
    )) as { stdout: string };
    expect(output.stdout).toBe('ctx new step\n');
  });

  it('runs in the workspace by default and in a confined working directory when asked', async () => {
    await mkdir(path.join(workspace, 'sub'));
    const { context } = createTestContext(workspace);
    expect(((await commandStep.execute({ command: 'pwd' }, context)) as { stdout: string }).stdout.trim()).toBe(await realpath(workspace));
    for (const key of ['working_dir', 'working_directory', 'cwd']) {
      const output = (await commandStep.execute({ command: 'pwd', [key]: 'sub' }, context)) as { stdout: string };
      expect(output.stdout.trim()).toBe(path.join(await realpath(workspace), 'sub'));
    }
  });

  it('refuses working directories outside the workspace, missing ones and conflicting spellings', async () => {
    const { context } = createTestContext(workspace);
    await expect(commandStep.execute({ command: 'pwd', working_dir: '..' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(commandStep.execute({ command: 'pwd', cwd: '/' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(commandStep.execute({ command: 'pwd', working_dir: 'missing' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_FILE_NOT_FOUND' });
    await expect(commandStep.execute({ command: 'pwd', working_dir: 'a', cwd: 'b' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
  });

  it('caps each output stream and flags the truncation, while still draining the pipe', async () => {
    const { context } = createTestContext(workspace);
    const output = (await commandStep.execute(
      { command: 'sh', args: ['-c', 'head -c 300000 /dev/zero | tr "\\0" a; echo tail >&2'], max_output_bytes: 1000 },
      context,
    )) as { stdout: string; stderr: string; stdout_truncated: boolean; stderr_truncated: boolean; exit_code: number };
    expect(output.exit_code).toBe(0);
    expect(output.stdout).toBe('a'.repeat(1000));
    expect(output.stdout_truncated).toBe(true);
    expect(output.stderr).toBe('tail\n');
    expect(output.stderr_truncated).toBe(false);
  });

  it('does not cut a multi-byte character in half at the cap', async () => {
    const { context } = createTestContext(workspace);
    // "é" is two bytes: a 5-byte cap keeps two whole characters and drops the split third.
    const output = (await commandStep.execute(
      { command: process.execPath, args: ['-e', 'process.stdout.write("ééé"); process.stderr.write("ééé")'], max_output_bytes: 5 },
      context,
    )) as { stdout: string; stderr: string; stdout_truncated: boolean };
    expect(output.stdout).toBe('éé');
    expect(output.stderr).toBe('éé');
    expect(output.stdout_truncated).toBe(true);
  });

  it('kills the whole process tree when the signal aborts', async () => {
    const { context, controller } = createTestContext(workspace);
    const running = commandStep.execute({ command: 'sh', args: ['-c', 'sleep 30 & echo $! > grandchild.pid; sleep 30'] }, context).catch((caught: unknown) => caught);
    const grandchild = await waitFor(readPid(path.join(workspace, 'grandchild.pid')));
    started.push(grandchild);
    expect(isAlive(grandchild)).toBe(true);
    const startedAt = Date.now();
    controller.abort();
    const error = await running;
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(error).toMatchObject({ code: 'MISSION_ERR_CANCELLED', output: { exit_code: null, signal: 'SIGTERM' } });
    await waitFor(async () => (isAlive(grandchild) ? undefined : true), 3000);
  });

  it('keeps the runner\'s abort reason (e.g. its step timeout)', async () => {
    const { context, controller } = createTestContext(workspace);
    const running = commandStep.execute({ command: 'sleep', args: ['30'] }, context);
    setTimeout(() => controller.abort(new MissionError('MISSION_ERR_STEP_TIMEOUT', 'step "x" timed out after 1 s')), 100);
    await expect(running).rejects.toMatchObject({ code: 'MISSION_ERR_STEP_TIMEOUT', message: 'step "x" timed out after 1 s' });
  });

  it('stops the tree after timeout_seconds with MISSION_ERR_STEP_TIMEOUT', async () => {
    const { context } = createTestContext(workspace);
    const startedAt = Date.now();
    const error = await commandStep
      .execute({ command: 'sh', args: ['-c', 'sleep 30 & echo $! > grandchild.pid; echo started; sleep 30'], timeout_seconds: 0.5 }, context)
      .catch((caught: unknown) => caught);
    expect(Date.now() - startedAt).toBeLessThan(4000);
    expect(error).toMatchObject({ code: 'MISSION_ERR_STEP_TIMEOUT', output: { stdout: 'started\n' } });
    const grandchild = Number(await readFile(path.join(workspace, 'grandchild.pid'), 'utf8'));
    started.push(grandchild);
    await waitFor(async () => (isAlive(grandchild) ? undefined : true), 3000);
  });

  it('treats a timeout_seconds beyond what a timer can hold as long, not as immediate', async () => {
    const { context } = createTestContext(workspace);
    const output = await commandStep.execute({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 200)'], timeout_seconds: 30 * 24 * 3600 } as never, context);
    expect(output).toMatchObject({ exit_code: 0 });
  });

  it('does not start at all when already cancelled', async () => {
    const { context, controller } = createTestContext(workspace);
    controller.abort();
    await expect(commandStep.execute({ command: 'touch', args: ['made.txt'] }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_CANCELLED' });
    await expect(readFile(path.join(workspace, 'made.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('validates parameters', async () => {
    const { context } = createTestContext(workspace);
    await expect(commandStep.execute({ args: ['x'] } as never, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
    await expect(commandStep.execute({ command: 'echo', shell: true } as never, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARAMETERS',
      message: expect.stringContaining('unknown parameter "shell"'),
    });
  });
});

posixOnly('runProcess', () => {
  it('escalates to SIGKILL when the tree ignores SIGTERM', async () => {
    const controller = new AbortController();
    const running = runProcess({
      command: 'sh',
      args: ['-c', 'trap "" TERM; sleep 30 & echo $! > stubborn.pid; wait'],
      cwd: workspace,
      env: { PATH: process.env.PATH ?? '' },
      maxOutputBytes: 1024,
      signal: controller.signal,
      killGraceMs: 200,
    });
    const stubborn = await waitFor(readPid(path.join(workspace, 'stubborn.pid')));
    started.push(stubborn);
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ aborted: true, exitSignal: 'SIGKILL' });
    await waitFor(async () => (isAlive(stubborn) ? undefined : true), 3000);
  });

  it('finishes when a background grandchild keeps the output pipes open', async () => {
    const startedAt = Date.now();
    const result = await runProcess({
      command: 'sh',
      args: ['-c', 'sleep 30 & echo done'],
      cwd: workspace,
      env: { PATH: process.env.PATH ?? '' },
      maxOutputBytes: 1024,
      signal: new AbortController().signal,
      drainMs: 100,
    });
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'done\n', aborted: false, timedOut: false });
  });
});
