/**
 * Run-level tampering: edits of the runs row (status, variables, timestamps, owner) and deleted or
 * inserted whole runs, which per-run event chains alone cannot see.
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resumeRun } from '../../engine/run/run-mission.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { AuditStore, canonicalJson, sha256Hex, type VerifyReport } from '../../engine/store/index.js';
import { tamper, temporaryFolder } from './helpers.js';

const auditKey = 'run-tamper-key-b81e';
const missionSource = 'version: "1.0"\nname: tiny\nsteps:\n  - { id: a, step_type: noop }\n';
let temporary: ReturnType<typeof temporaryFolder>;

/** A run recorded the way the engine records one; `end` set means it finished with that status. */
function engineRun(store: AuditStore, runId: string, end?: 'succeeded' | 'failed', startedAt?: Date): void {
  const vars = { who: `person of ${runId}` };
  store.createRun({ runId, missionName: 'tiny', missionFile: 'tiny.yaml', missionSource, vars, workspace: temporary.folder, ...(startedAt ? { startedAt } : {}) });
  store.append(runId, {
    type: 'mission-start',
    data: { missionName: 'tiny', missionFile: 'tiny.yaml', missionHash: sha256Hex(missionSource), stepCount: 1, workspace: temporary.folder },
    payload: { vars },
  });
  store.append(runId, { type: 'step-start', stepId: 'a', data: { attempt: 1 } });
  if (end === undefined) return;
  store.append(runId, { type: 'step-succeeded', stepId: 'a', data: { attempts: 1 }, payload: null });
  store.append(runId, { type: 'mission-end', data: { status: end, durationMs: 3 }, payload: { outputs: {} } });
  store.setRunStatus(runId, end);
}

beforeEach(() => {
  temporary = temporaryFolder();
  const store = AuditStore.open(temporary.file, { auditKey });
  engineRun(store, 'first', 'succeeded', new Date(Date.UTC(2026, 0, 1)));
  engineRun(store, 'killed', undefined, new Date(Date.UTC(2026, 0, 2)));
  engineRun(store, 'last', 'failed', new Date(Date.UTC(2026, 0, 3)));
  store.close();
});
afterEach(() => temporary.remove());

/** Verifies with `key` (`null`: without one). */
function verify(key: string | null = auditKey, runId?: string): VerifyReport {
  const store = AuditStore.open(temporary.file, key === null ? {} : { auditKey: key });
  try {
    return store.verify(runId === undefined ? {} : { runId });
  } finally {
    store.close();
  }
}

function verifyAfter(change: (database: Database.Database) => void, key: string | null = auditKey): VerifyReport {
  tamper(temporary.file, change);
  return verify(key);
}

/** Deletes everything of one run: row, events, payloads. */
function deleteRun(database: Database.Database, runId: string): void {
  for (const table of ['runs', 'events', 'payloads']) database.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
}

describe('run rows are covered by the signature', () => {
  it('an intact store verifies, a killed run included', () => {
    expect(verify()).toMatchObject({ ok: true, signed: true, runsChecked: 3 });
    expect(verify(null)).toMatchObject({ ok: true, signed: false });
  });

  it("a killed run's status set to succeeded", () => {
    const change = (database: Database.Database) =>
      database.prepare("UPDATE runs SET status = 'succeeded', ended_at = '2026-01-02T00:01:00.000Z', owner = NULL WHERE run_id = 'killed'").run();
    expect(verifyAfter(change).problem).toMatchObject({ runId: 'killed', reason: expect.stringContaining('signature does not verify') });
    // Without the key, the chain still says the run never ended.
    expect(verify(null).problem).toMatchObject({ runId: 'killed', reason: expect.stringContaining('never recorded') });
  });

  it("a finished run's status changed", () => {
    const report = verifyAfter((database) => database.prepare("UPDATE runs SET status = 'succeeded' WHERE run_id = 'last'").run());
    expect(report.problem).toMatchObject({ runId: 'last', reason: expect.stringContaining('signature') });
  });

  it('variables edited, with their hash recomputed to match', () => {
    const vars = canonicalJson({ who: 'someone else' });
    const report = verifyAfter((database) => database.prepare("UPDATE runs SET vars = ?, vars_hash = ? WHERE run_id = 'first'").run(vars, sha256Hex(vars)));
    expect(report.problem).toMatchObject({ runId: 'first', reason: expect.stringContaining('signature') });
  });

  it('variables edited without the key: their hash no longer matches', () => {
    const report = verifyAfter((database) => database.prepare(`UPDATE runs SET vars = '{"who":"x"}' WHERE run_id = 'first'`).run(), null);
    expect(report.problem).toMatchObject({ runId: 'first', reason: expect.stringContaining('variables') });
  });

  it.each([
    ['ended_at', "UPDATE runs SET ended_at = '2030-01-01T00:00:00.000Z' WHERE run_id = 'first'", 'first'],
    ['owner', "UPDATE runs SET owner = 'elsewhere:1' WHERE run_id = 'killed'", 'killed'],
    ['workspace and mission file', "UPDATE runs SET workspace = 'elsewhere', mission_file = 'other.yaml' WHERE run_id = 'last'", 'last'],
  ])('%s edited', (_what, sql, runId) => {
    expect(verifyAfter((database) => database.prepare(sql).run()).problem).toMatchObject({ runId, reason: expect.stringContaining('signature') });
  });

  it('a start time edited: the run index disagrees, even without the key', () => {
    const report = verifyAfter((database) => database.prepare("UPDATE runs SET started_at = '2025-06-01T00:00:00.000Z' WHERE run_id = 'first'").run(), null);
    expect(report.problem).toMatchObject({ runId: 'first', reason: expect.stringContaining('start time') });
  });

  it('a signature copied from another state of the row does not fit', () => {
    const report = verifyAfter((database) => {
      const killed = database.prepare("SELECT head_signature FROM runs WHERE run_id = 'killed'").pluck().get();
      database.prepare("UPDATE runs SET head_signature = ? WHERE run_id = 'first'").run(killed);
    });
    expect(report.ok).toBe(false);
  });
});

describe('the run index catches deleted and inserted runs', () => {
  it('a whole run deleted (row, events, payloads)', () => {
    const report = verifyAfter((database) => deleteRun(database, 'killed'));
    expect(report.problem).toMatchObject({ runId: 'killed', reason: expect.stringContaining('was deleted') });
  });

  it('a whole run deleted with its index entry', () => {
    const report = verifyAfter((database) => {
      deleteRun(database, 'killed');
      database.prepare("DELETE FROM run_index WHERE run_id = 'killed'").run();
    });
    expect(report.problem).toMatchObject({ runId: 'last', reason: expect.stringContaining('entry 2 is missing') });
  });

  it('the last run deleted with its entry and the store head moved back: only the key catches it', () => {
    const change = (database: Database.Database) => {
      deleteRun(database, 'last');
      database.prepare("DELETE FROM run_index WHERE run_id = 'last'").run();
      const previous = database.prepare('SELECT seq, hash FROM run_index ORDER BY seq DESC LIMIT 1').raw().get() as [number, string];
      database.prepare('UPDATE store_head SET run_count = ?, head_hash = ?').run(previous[0], previous[1]);
    };
    expect(verifyAfter(change).problem).toMatchObject({ runId: '*', reason: expect.stringContaining('store head signature does not verify') });
    expect(verify(null).ok).toBe(true);
  });

  it('the last run deleted with its entry, the head left alone', () => {
    const report = verifyAfter((database) => {
      deleteRun(database, 'last');
      database.prepare("DELETE FROM run_index WHERE run_id = 'last'").run();
    }, null);
    expect(report.problem).toMatchObject({ runId: '*', reason: expect.stringContaining('holds 2 runs but the store head records 3') });
  });

  it('the store head row deleted', () => {
    expect(verifyAfter((database) => database.prepare('DELETE FROM store_head').run()).problem).toMatchObject({ reason: expect.stringContaining('store head') });
  });

  it('a run inserted beside the store', () => {
    const report = verifyAfter((database) => {
      database.prepare("INSERT INTO runs SELECT 'forged', mission_name, mission_file, mission_hash, mission_source, vars, workspace, status, started_at, ended_at, 0, head_hash, head_signature, owner, vars_hash, erased_at FROM runs WHERE run_id = 'first'").run();
      database.prepare("UPDATE runs SET head_hash = ? WHERE run_id = 'forged'").run(sha256Hex('genesis:forged'));
    }, null);
    expect(report.problem).toMatchObject({ runId: 'forged', reason: expect.stringContaining('not in the run index') });
  });

  it('verify --run checks that run against its index entry', () => {
    tamper(temporary.file, (database) => database.prepare("DELETE FROM run_index WHERE run_id = 'first'").run());
    expect(verify(auditKey, 'first').problem).toMatchObject({ runId: 'first', reason: expect.stringContaining('not in the run index') });
    expect(verify(auditKey, 'last').ok).toBe(true);
  });
});

describe('a legitimately interrupted and resumed run', () => {
  it('verifies while interrupted and after it is resumed to the end', async () => {
    expect(verify(auditKey, 'killed').ok).toBe(true);
    const store = AuditStore.open(temporary.file, { auditKey });
    const result = await resumeRun('killed', { store, registry: new StepKindRegistry(builtinStepKinds()) });
    expect(result.status).toBe('succeeded');
    expect(store.getRun('killed')).toMatchObject({ status: 'succeeded' });
    expect(store.verify()).toMatchObject({ ok: true, signed: true, runsChecked: 3 });
    store.close();
  });
});

describe('resume and an edited run record', () => {
  it('refuses to resume a run whose mission source was swapped, even with its hash recomputed', async () => {
    const evil = 'version: "1.0"\nname: tiny\nsteps:\n  - { id: a, step_type: command, parameters: { command: touch, args: [pwned] } }\n';
    tamper(temporary.file, (database) => database.prepare("UPDATE runs SET mission_source = ?, mission_hash = ? WHERE run_id = 'killed'").run(evil, sha256Hex(evil)));
    for (const key of [auditKey, undefined]) {
      const store = AuditStore.open(temporary.file, key === undefined ? {} : { auditKey: key });
      await expect(resumeRun('killed', { store, registry: new StepKindRegistry(builtinStepKinds()) })).rejects.toMatchObject({
        code: 'MISSION_ERR_NOT_RESUMABLE',
        message: expect.stringContaining('does not verify'),
      });
      store.close();
    }
  });
});

describe('the run index with several writers', () => {
  it('stays one chain when two connections create runs in turn', () => {
    const first = AuditStore.open(temporary.file, { auditKey });
    const second = AuditStore.open(temporary.file, { auditKey });
    for (let index = 0; index < 6; index += 1) engineRun(index % 2 === 0 ? first : second, `writer-${index}`, 'succeeded');
    first.close();
    expect(second.verify()).toMatchObject({ ok: true, signed: true, runsChecked: 9 });
    second.close();
  });
});
