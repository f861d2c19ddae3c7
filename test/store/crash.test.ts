import { spawnSync } from 'node:child_process';
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
