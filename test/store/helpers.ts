/** Shared set-up for the audit store tests: temporary stores, sample runs, raw SQLite access. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore, type AuditStoreOptions } from '../../engine/store/index.js';

/** A temporary folder removed by the returned `remove()`. */
export function temporaryFolder(): { folder: string; file: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'audit-store-test-'));
  return { folder, file: join(folder, 'nested', 'audit.db'), remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Creates run `runId` in `store`. */
export function createSampleRun(store: AuditStore, runId: string, startedAt?: Date): void {
  store.createRun({
    runId,
    missionName: 'summarise',
    missionFile: 'missions/summarise.yaml',
    missionSource: `name: summarise\nsteps: []\n# ${runId}\n`,
    vars: { topic: 'audit', count: 3 },
    workspace: 'work',
    ...(startedAt === undefined ? {} : { startedAt }),
  });
}

/** Opens a store at `file`, writes `count` events to each run (every other one with a payload), closes it. */
export function buildStore(file: string, runIds: string[], count: number, options: AuditStoreOptions = {}): void {
  const store = AuditStore.open(file, options);
  runIds.forEach((runId, position) => createSampleRun(store, runId, new Date(Date.UTC(2025, 0, 1, 0, position))));
  for (let index = 0; index < count; index += 1) {
    for (const runId of runIds) {
      store.append(runId, {
        type: index % 2 === 0 ? 'step-start' : 'step-succeeded',
        stepId: `step-${index >> 1}`,
        data: { index, runId },
        ...(index % 2 === 1 ? { payload: { output: `result ${index} of ${runId}` } } : {}),
      });
    }
  }
  store.close();
}

/** Runs `change` on a raw connection to `file` (the attacker's view: plain write access). */
export function tamper(file: string, change: (database: Database.Database) => void): void {
  const database = new Database(file);
  try {
    change(database);
  } finally {
    database.close();
  }
}
