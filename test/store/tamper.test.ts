import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, canonicalJson, genesisHash, sha256Hex } from '../../engine/store/index.js';
import { buildStore, tamper, temporaryFolder } from './helpers.js';

const runs = ['alpha', 'beta'];
const eventsPerRun = 10;
let temporary: ReturnType<typeof temporaryFolder>;

beforeEach(() => {
  temporary = temporaryFolder();
  buildStore(temporary.file, runs, eventsPerRun);
});
afterEach(() => temporary.remove());

function verifyAfter(change: (database: Database.Database) => void, options: { runId?: string } = {}) {
  tamper(temporary.file, change);
  const store = AuditStore.open(temporary.file);
  try {
    return store.verify(options);
  } finally {
    store.close();
  }
}

function row(database: Database.Database, runId: string, index: number): { body: string; hash: string } {
  return database.prepare('SELECT body, hash FROM events WHERE run_id = ? AND idx = ?').get(runId, index) as { body: string; hash: string };
}

describe('verify finds tampering and names the first bad event', () => {
  it('passes on an untouched store', () => {
    expect(verifyAfter(() => undefined)).toMatchObject({ ok: true, runsChecked: 2, eventsChecked: 20, signed: false });
  });

  it('an edited event body', () => {
    const report = verifyAfter((database) => {
      const { body } = row(database, 'beta', 4);
      database.prepare('UPDATE events SET body = ? WHERE run_id = ? AND idx = ?').run(body.replace('"index":4,"runId"', '"index":40,"runId"'), 'beta', 4);
    });
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ runId: 'beta', index: 4, reason: expect.stringContaining('edited') });
    // alpha (10 events) and beta 0..3 were good.
    expect(report.eventsChecked).toBe(14);
  });

  it('an edited hash column', () => {
    const report = verifyAfter((database) => {
      database.prepare('UPDATE events SET hash = ? WHERE run_id = ? AND idx = ?').run('f'.repeat(64), 'alpha', 6);
    });
    expect(report.problem).toMatchObject({ runId: 'alpha', index: 6 });
  });

  it('the earliest of several edits', () => {
    const report = verifyAfter((database) => {
      for (const index of [7, 2, 5]) database.prepare("UPDATE events SET body = replace(body, 'step-', 'STEP-') WHERE run_id = ? AND idx = ?").run('alpha', index);
    });
    expect(report.problem).toMatchObject({ runId: 'alpha', index: 2 });
  });

  it('a deleted row (a gap in the chain)', () => {
    const report = verifyAfter((database) => {
      database.prepare('DELETE FROM events WHERE run_id = ? AND idx = ?').run('alpha', 3);
    });
    expect(report.problem).toMatchObject({ runId: 'alpha', index: 3, reason: expect.stringContaining('missing') });
  });

  it('a renumbered last row', () => {
    const report = verifyAfter((database) => {
      database.prepare('UPDATE events SET idx = 15 WHERE run_id = ? AND idx = 9').run('beta');
    });
    expect(report.problem).toMatchObject({ runId: 'beta', index: 9 });
  });

  it('reordered rows', () => {
    const report = verifyAfter((database) => {
      const swap = database.prepare('UPDATE events SET idx = ? WHERE run_id = ? AND idx = ?');
      swap.run(-1, 'beta', 2);
      swap.run(2, 'beta', 5);
      swap.run(5, 'beta', -1);
    });
    expect(report.problem).toMatchObject({ runId: 'beta', index: 2, reason: expect.stringContaining('reordered') });
  });

  it('a forged row inserted mid-chain, even with a correctly computed hash', () => {
    const report = verifyAfter((database) => {
      // Shift events 3.. up by one (from the top, so the key never collides) and forge event 3.
      for (let index = eventsPerRun - 1; index >= 3; index -= 1) {
        database.prepare('UPDATE events SET idx = ? WHERE run_id = ? AND idx = ?').run(index + 1, 'alpha', index);
      }
      const previous = row(database, 'alpha', 2);
      const body = canonicalJson({ runId: 'alpha', index: 3, type: 'step-succeeded', stepId: 'step-1', at: new Date().toISOString(), data: { forged: true } });
      database.prepare('INSERT INTO events (run_id, idx, body, hash) VALUES (?, ?, ?, ?)').run('alpha', 3, body, sha256Hex(previous.hash + body));
    });
    expect(report.problem).toMatchObject({ runId: 'alpha', index: 3, reason: expect.stringContaining('inserted') });
  });

  it('a row appended past the head', () => {
    const report = verifyAfter((database) => {
      const last = row(database, 'beta', eventsPerRun - 1);
      const body = canonicalJson({ runId: 'beta', index: eventsPerRun, type: 'extra', at: new Date().toISOString(), data: {} });
      database.prepare('INSERT INTO events (run_id, idx, body, hash) VALUES (?, ?, ?, ?)').run('beta', eventsPerRun, body, sha256Hex(last.hash + body));
    });
    expect(report.problem).toMatchObject({ runId: 'beta', index: eventsPerRun, reason: expect.stringContaining('beyond the head') });
  });

  it('a truncated tail', () => {
    const report = verifyAfter((database) => {
      database.prepare('DELETE FROM events WHERE run_id = ? AND idx >= ?').run('alpha', 7);
    });
    expect(report.problem).toMatchObject({ runId: 'alpha', index: 7, reason: expect.stringContaining('truncated') });
  });

  it('a rewritten head hash', () => {
    const report = verifyAfter((database) => {
      database.prepare('UPDATE runs SET head_hash = ? WHERE run_id = ?').run('0'.repeat(64), 'beta');
    });
    expect(report.problem).toMatchObject({ runId: 'beta', index: eventsPerRun - 1, reason: expect.stringContaining('head hash') });
  });

  it('events of a run the store does not record', () => {
    const report = verifyAfter((database) => {
      database.prepare("UPDATE events SET run_id = 'gamma' WHERE run_id = 'beta' AND idx >= 8").run();
      database.prepare("UPDATE runs SET event_count = 8, head_hash = (SELECT hash FROM events WHERE run_id = 'beta' AND idx = 7) WHERE run_id = 'beta'").run();
    });
    expect(report.problem).toMatchObject({ runId: 'gamma', index: 8 });
  });

  it('an edited mission source', () => {
    const report = verifyAfter((database) => {
      database.prepare("UPDATE runs SET mission_source = 'steps: [rm -rf]' WHERE run_id = 'alpha'").run();
    });
    expect(report.problem).toMatchObject({ runId: 'alpha', reason: expect.stringContaining('mission source') });
  });

  it('an edited payload, reported at the first event that references it', () => {
    const report = verifyAfter((database) => {
      const { body } = row(database, 'beta', 5);
      const payloadHash = (JSON.parse(body) as { payloadHash: string }).payloadHash;
      database.prepare('UPDATE payloads SET content = ? WHERE hash = ?').run(JSON.stringify({ output: 'doctored' }), payloadHash);
    });
    expect(report.problem).toMatchObject({ runId: 'beta', index: 5, reason: expect.stringContaining('payload was edited') });
    expect(verifyAfter(() => undefined, { runId: 'beta' }).problem).toMatchObject({ runId: 'beta', index: 5 });
    expect(verifyAfter(() => undefined, { runId: 'alpha' }).ok).toBe(true);
  });

  it('an edited payload before a broken link is the first problem, in either scope', () => {
    const tamper = (database: Database.Database): void => {
      const payloadHash = (JSON.parse(row(database, 'beta', 5).body) as { payloadHash: string }).payloadHash;
      database.prepare('UPDATE payloads SET content = ? WHERE hash = ?').run(JSON.stringify({ output: 'doctored' }), payloadHash);
      database.prepare("UPDATE events SET body = replace(body, 'step-', 'STEP-') WHERE run_id = 'beta' AND idx = 8").run();
    };
    expect(verifyAfter(tamper).problem).toMatchObject({ runId: 'beta', index: 5, reason: expect.stringContaining('payload') });
    expect(verifyAfter(tamper, { runId: 'beta' }).problem).toMatchObject({ runId: 'beta', index: 5, reason: expect.stringContaining('payload') });
  });

  it('limits a run-scoped verify to that run', () => {
    const change = (database: Database.Database): void => {
      database.prepare("UPDATE events SET body = replace(body, 'step-', 'STEP-') WHERE run_id = 'alpha' AND idx = 1").run();
    };
    expect(verifyAfter(change, { runId: 'beta' })).toMatchObject({ ok: true, runsChecked: 1, eventsChecked: eventsPerRun });
    expect(verifyAfter(() => undefined, { runId: 'alpha' }).problem).toMatchObject({ runId: 'alpha', index: 1 });
    expect(verifyAfter(() => undefined, { runId: 'nobody' })).toMatchObject({ ok: false, problem: { runId: 'nobody' } });
  });
});

describe('verify ties the runs row to what the chain recorded about the run', () => {
  const source = 'version: "1.0"\nname: deploy\nsteps:\n  - { id: a, step_type: noop }\n';

  /** A run written the way the engine writes one: mission-start … mission-end. */
  function buildEngineRun(): void {
    const store = AuditStore.open(temporary.file);
    store.createRun({ runId: 'engine', missionName: 'deploy', missionFile: 'deploy.yaml', missionSource: source, vars: { target: 'staging' }, workspace: 'work' });
    store.append('engine', {
      type: 'mission-start',
      data: { missionName: 'deploy', missionFile: 'deploy.yaml', missionHash: sha256Hex(source), stepCount: 1, workspace: 'work' },
      payload: { vars: { target: 'staging' } },
    });
    store.append('engine', { type: 'step-failed', stepId: 'a', data: { attempts: 1 } });
    store.append('engine', { type: 'mission-end', data: { status: 'failed' }, payload: { outputs: {} } });
    store.setRunStatus('engine', 'failed');
    store.close();
  }

  beforeEach(buildEngineRun);

  it('passes on an untouched engine run, and after its payloads and vars are erased', () => {
    expect(verifyAfter(() => undefined)).toMatchObject({ ok: true, runsChecked: 3 });
    const store = AuditStore.open(temporary.file);
    store.erasePayloads('engine');
    store.close();
    expect(verifyAfter(() => undefined)).toMatchObject({ ok: true, runsChecked: 3 });
  });

  it('a mission source replaced together with its recorded hash', () => {
    const forged = 'version: "1.0"\nname: deploy\nsteps:\n  - { id: a, step_type: command, parameters: { command: evil } }\n';
    const report = verifyAfter((database) => {
      database.prepare("UPDATE runs SET mission_source = ?, mission_hash = ? WHERE run_id = 'engine'").run(forged, sha256Hex(forged));
    });
    expect(report.problem).toMatchObject({ runId: 'engine', reason: expect.stringContaining('mission') });
  });

  it('edited run variables', () => {
    const report = verifyAfter((database) => {
      database.prepare("UPDATE runs SET vars = ? WHERE run_id = 'engine'").run(canonicalJson({ target: 'production' }));
    });
    expect(report.problem).toMatchObject({ runId: 'engine', reason: expect.stringContaining('variables') });
  });

  it('an edited final status', () => {
    const report = verifyAfter((database) => {
      database.prepare("UPDATE runs SET status = 'succeeded' WHERE run_id = 'engine'").run();
    });
    expect(report.problem).toMatchObject({ runId: 'engine', reason: expect.stringContaining('status') });
  });

  it('a chain recomputed (no key) around a body that is not JSON is reported, not thrown', () => {
    const report = verifyAfter((database) => {
      database.prepare("DELETE FROM events WHERE run_id = 'engine' AND idx > 0").run();
      const hash = sha256Hex(genesisHash('engine') + 'not json');
      database.prepare("UPDATE events SET body = 'not json', hash = ? WHERE run_id = 'engine' AND idx = 0").run(hash);
      database.prepare("UPDATE runs SET event_count = 1, head_hash = ? WHERE run_id = 'engine'").run(hash);
    });
    expect(report.problem).toMatchObject({ runId: 'engine', reason: expect.stringContaining('not valid JSON') });
  });

  it('an edited mission name', () => {
    expect(verifyAfter((database) => database.prepare("UPDATE runs SET mission_name = 'other' WHERE run_id = 'engine'").run()).problem).toMatchObject({ runId: 'engine' });
  });

  it('an edited workspace (where resume would write)', () => {
    expect(verifyAfter((database) => database.prepare("UPDATE runs SET workspace = '/elsewhere' WHERE run_id = 'engine'").run()).problem).toMatchObject({
      runId: 'engine',
      reason: expect.stringContaining('workspace'),
    });
  });
});
