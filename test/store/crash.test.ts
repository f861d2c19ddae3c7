import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../engine/store/index.js';
import { temporaryFolder } from './helpers.js';

const viteNode = fileURLToPath(new URL('../../node_modules/vite-node/vite-node.mjs', import.meta.url));
const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
let temporary: ReturnType<typeof temporaryFolder>;

beforeEach(() => {
  temporary = temporaryFolder();
});
afterEach(() => temporary.remove());

function runWriter(events: number, end: 'exit' | 'kill'): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, [viteNode, writer], {
    env: { ...process.env, AUDIT_FILE: temporary.file, AUDIT_EVENTS: String(events), AUDIT_END: end },
    encoding: 'utf8',
    timeout: 15_000,
  });
}

function inspectStore(): { count: number | undefined; report: ReturnType<AuditStore['verify']>; indexes: number[] } {
  const store = AuditStore.open(temporary.file);
  try {
    return { count: store.getRun('crash')?.eventCount, report: store.verify(), indexes: store.events('crash').map((event) => event.index) };
  } finally {
    store.close();
  }
}

describe('process end', () => {
  it('process.exit() in the same turn as the appends still writes them', () => {
    const child = runWriter(300, 'exit');
    expect(child.status, String(child.stderr)).toBe(0);
    const { count, report } = inspectStore();
    expect(count).toBe(300);
    expect(report).toMatchObject({ ok: true, eventsChecked: 300 });
  });

  it('a kill -9 loses only the unwritten batch and leaves a verifiable prefix', () => {
    const child = runWriter(2000, 'kill');
    expect(child.signal).toBe('SIGKILL');
    const { count, report, indexes } = inspectStore();
    // Batches of 512 are written as the 513th, 1025th and 1537th appends arrive; the last 464 die with the process.
    expect(count).toBe(1536);
    expect(indexes).toEqual(Array.from({ length: 1536 }, (_, index) => index));
    expect(report).toMatchObject({ ok: true, eventsChecked: 1536 });
  });
});

describe('two processes on one file', () => {
  it('append to their own runs at the same time without corrupting either', async () => {
    const parent = AuditStore.open(temporary.file);
    parent.createRun({ runId: 'parent', missionName: 'p', missionFile: 'p.yaml', missionSource: 'steps: []', vars: {}, workspace: '.' });
    const child = spawn(process.execPath, [viteNode, writer], {
      env: { ...process.env, AUDIT_FILE: temporary.file, AUDIT_RUN: 'child', AUDIT_EVENTS: '20000', AUDIT_END: 'exit' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let childDone = false;
    void exited.then(() => {
      childDone = true;
    });
    // Keep appending (one batch per turn) until the child has finished; bounded by a deadline.
    let appended = 0;
    let overlapped = false;
    const deadline = Date.now() + 15_000;
    while (!childDone && Date.now() < deadline) {
      for (let index = 0; index < 50; index += 1) parent.append('parent', { type: 'tick', data: { appended }, payload: { appended: appended++ } });
      await new Promise((resolve) => setImmediate(resolve));
      if (!overlapped) overlapped = (parent.getRun('child')?.eventCount ?? 0) > 0;
    }
    expect(await exited, stderr).toBe(0);
    parent.close();

    const store = AuditStore.open(temporary.file);
    try {
      expect(overlapped).toBe(true);
      expect(store.getRun('child')?.eventCount).toBe(20_000);
      expect(store.getRun('parent')?.eventCount).toBe(appended);
      expect(store.verify()).toMatchObject({ ok: true, runsChecked: 2, eventsChecked: 20_000 + appended });
    } finally {
      store.close();
    }
  });
});
