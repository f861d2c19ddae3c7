/**
 * `kill -9` of the CLI leaves a command's process tree running; resume stops it (and only it)
 * before the step runs again. Real processes, real CLI, bounded waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopOrphanedProcesses } from '../../engine/run/orphan-processes.js';
import { currentBootId, readProcessStat } from '../../engine/steps/process-identity.js';
import { AuditStore } from '../../engine/store/index.js';
import { runCli, startCli, tempDir } from '../cli/cli-harness.js';

const linuxOnly = process.platform === 'linux' ? describe : describe.skip;

/** Alive and not a zombie. */
function isAlive(pid: number): boolean {
  const stat = readProcessStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const readPid = (file: string) => (): number | undefined => {
  try {
    const text = readFileSync(file, 'utf8');
    return /^\d+\n$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
};

const leftovers: number[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

linuxOnly('resume after kill -9', () => {
  it('stops the dead run\'s command process tree before running the step again', async () => {
    const directory = tempDir('mission-orphan-');
    const database = path.join(directory, 'state.db');
    // First life: start a background grandchild and wait; second life: finish at once.
    writeFileSync(
      path.join(directory, 'mission.yaml'),
      `version: "1.0"
name: orphan
steps:
  - id: long
    step_type: command
    parameters:
      command: sh
      args: ["-c", "if [ -e second-run ]; then exit 0; fi; touch second-run; sleep 60 & echo $! > child.pid; echo $$ > leader.pid; wait"]
`,
    );
    const cli = startCli(['run', 'mission.yaml', '--db', database], directory);
    children.push(cli);
    const leader = await waitFor(readPid(path.join(directory, 'leader.pid')));
    const grandchild = await waitFor(readPid(path.join(directory, 'child.pid')));
    leftovers.push(leader, grandchild);
    const store = AuditStore.open(database);
    const runId = await waitFor(() => {
      const run = store.listRuns()[0];
      return run && store.events(run.runId).some((event) => event.type === 'process-start') ? run.runId : undefined;
    });
    store.close();
    cli.kill('SIGKILL');
    await new Promise((resolve) => cli.once('close', resolve));
    expect(isAlive(leader)).toBe(true); // What issue 7 found: the tree outlives the CLI.
    expect(isAlive(grandchild)).toBe(true);

    const resumed = await runCli(['resume', runId, '--db', database, '--json'], directory);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'succeeded' });
    await waitFor(() => (!isAlive(leader) && !isAlive(grandchild) ? true : undefined), 5000);
    const after = AuditStore.open(database);
    const stop = after.events(runId).find((event) => event.type === 'process-stop');
    after.close();
    expect(stop).toMatchObject({ stepId: 'long', data: { pid: leader, pgid: leader } });
  }, 60_000);
});

linuxOnly('stopOrphanedProcesses', () => {
  /** A store with one run whose step recorded `record` as its started process. */
  function storeWith(record: Record<string, unknown>): { store: AuditStore; runId: string } {
    const store = AuditStore.open(':memory:');
    const runId = 'run-orphan';
    store.createRun({ runId, missionName: 'm', missionFile: 'm.yaml', missionSource: '', vars: {}, workspace: tempDir() });
    store.append(runId, { type: 'process-start', stepId: 's', data: record });
    return { store, runId };
  }

  function sleeper(): ChildProcess {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    children.push(child);
    return child;
  }

  it('never signals a process whose start time differs (a reused pid)', async () => {
    const child = sleeper();
    const stat = await waitFor(() => readProcessStat(child.pid!));
    const { store, runId } = storeWith({ pid: child.pid, pgid: child.pid, startTime: String(BigInt(stat.startTime) + 1n), bootId: currentBootId() });
    expect(await stopOrphanedProcesses(store, runId, new Set(), 200)).toEqual([]);
    expect(isAlive(child.pid!)).toBe(true);
  });

  it('never signals a process recorded in another boot, nor a step that succeeded', async () => {
    const child = sleeper();
    const stat = await waitFor(() => readProcessStat(child.pid!));
    const other = storeWith({ pid: child.pid, pgid: child.pid, startTime: stat.startTime, bootId: 'another-boot' });
    expect(await stopOrphanedProcesses(other.store, other.runId, new Set(), 200)).toEqual([]);
    const same = storeWith({ pid: child.pid, pgid: child.pid, startTime: stat.startTime, bootId: currentBootId() });
    expect(await stopOrphanedProcesses(same.store, same.runId, new Set(['s']), 200)).toEqual([]);
    expect(isAlive(child.pid!)).toBe(true);
  });

  it('stops what is left of a group whose leader has already exited', async () => {
    const directory = tempDir('mission-orphan-group-');
    const pidFile = path.join(directory, 'child.pid');
    const leader = spawn('sh', ['-c', `sleep 30 & echo $! > ${pidFile}`], { detached: true, stdio: 'ignore' });
    const stat = await waitFor(() => readProcessStat(leader.pid!));
    const grandchild = await waitFor(readPid(pidFile));
    leftovers.push(grandchild);
    await new Promise((resolve) => (leader.exitCode === null ? leader.once('exit', resolve) : resolve(undefined)));
    expect(isAlive(grandchild)).toBe(true);
    const { store, runId } = storeWith({ pid: leader.pid, pgid: leader.pid, startTime: stat.startTime, bootId: currentBootId() });
    expect(await stopOrphanedProcesses(store, runId, new Set(), 1000)).toHaveLength(1);
    await waitFor(() => (!isAlive(grandchild) ? true : undefined), 5000);
  });

  it('stops the matching group, escalating to SIGKILL when SIGTERM is ignored', async () => {
    // The shell says when its trap is set: a SIGTERM that came before would end it, not test the escalation.
    const ready = path.join(tempDir('mission-orphan-trap-'), 'ready');
    const child = spawn('sh', ['-c', `trap '' TERM; : > ${ready}; sleep 30 & wait; sleep 30`], { detached: true, stdio: 'ignore' });
    children.push(child);
    await waitFor(() => (existsSync(ready) ? true : undefined));
    const stat = await waitFor(() => readProcessStat(child.pid!));
    const { store, runId } = storeWith({ pid: child.pid, pgid: child.pid, startTime: stat.startTime, bootId: currentBootId() });
    const stopped = await stopOrphanedProcesses(store, runId, new Set(), 300);
    expect(stopped).toHaveLength(1);
    await waitFor(() => (!isAlive(child.pid!) ? true : undefined), 5000);
    expect(store.events(runId).at(-1)).toMatchObject({ type: 'process-stop', data: { killed: true } });
  });
});
