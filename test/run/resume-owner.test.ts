/** Resume refuses a run that a live process is still running; a crashed run's owner is gone. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { resumeRun } from '../../engine/run/run-mission.js';
import { AuditStore } from '../../engine/store/index.js';
import { newLog, runYaml, testKinds } from './harness.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';

const mission = `
version: "1.0"
name: owned
steps:
  - { id: a, step_type: noop }
  - { id: b, step_type: flaky, depends_on: [a], parameters: { succeed_on: 99 } }
`;

let sleeper: ChildProcess | undefined;
afterEach(() => {
  sleeper?.kill('SIGKILL');
  sleeper = undefined;
});

/** A failed run whose row then claims to be running in the process `owner`. */
async function runClaimedBy(owner: string): Promise<{ store: AuditStore; runId: string; file: string }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mission-owner-')), 'state.db');
  const store = AuditStore.open(file);
  const { result } = await runYaml(mission, { store });
  expect(result.status).toBe('failed');
  const database = new Database(file);
  database.prepare("UPDATE runs SET status = 'running', owner = ? WHERE run_id = ?").run(owner, result.runId);
  database.close();
  return { store, runId: result.runId, file };
}

const registry = (): StepKindRegistry => new StepKindRegistry([...builtinStepKinds(), ...testKinds(newLog())]);

describe('resume and the process that owns a run', () => {
  it('refuses while the owning process on this machine is alive, unless told to take over', async () => {
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const { store, runId } = await runClaimedBy(`${os.hostname()}:${sleeper.pid}`);
    await expect(resumeRun(runId, { store, registry: registry() })).rejects.toMatchObject({
      code: 'MISSION_ERR_NOT_RESUMABLE',
      message: expect.stringContaining(`still running in process ${sleeper.pid}`),
    });
    const taken = await resumeRun(runId, { store, registry: registry(), takeOver: true });
    expect(taken.steps.a.status).toBe('succeeded');
    store.close();
  });

  it('resumes a run whose owner is gone (killed) or on another machine', async () => {
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    for (const owner of [`${os.hostname()}:${gone.pid}`, `some-other-host:${process.pid}`]) {
      const { store, runId } = await runClaimedBy(owner);
      const resumed = await resumeRun(runId, { store, registry: registry() });
      expect(resumed.runId).toBe(runId);
      expect(store.getRun(runId)?.owner).toBeUndefined();
      expect(store.verify({ runId }).ok).toBe(true);
      store.close();
    }
  });

  it('records this process as the owner while a run is running, and clears it at the end', async () => {
    const store = AuditStore.open(':memory:');
    store.createRun({ runId: 'r', missionName: 'm', missionFile: 'm.yaml', missionSource: '', vars: {}, workspace: '.' });
    expect(store.getRun('r')?.owner).toBe(`${os.hostname()}:${process.pid}`);
    store.setRunStatus('r', 'failed');
    expect(store.getRun('r')?.owner).toBeUndefined();
    store.close();
  });
});
