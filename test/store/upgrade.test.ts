/**
 * A store written by the previous schema (version 2: payloads shared by content hash, head-only
 * signatures, no run index) upgrades in place, keeps verifying, and gains per-run erasure.
 */
import Database from 'better-sqlite3';
import { createSecretKey } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventBody, eventHash, genesisHash, signHead } from '../../engine/store/chain.js';
import { AuditStore, canonicalJson, sha256Hex } from '../../engine/store/index.js';
import { tamper, temporaryFolder } from './helpers.js';

const auditKey = 'upgrade-test-key';
/** The version-2 schema, as released. */
const version2Schema = `
  CREATE TABLE runs (run_id TEXT PRIMARY KEY, mission_name TEXT NOT NULL, mission_file TEXT NOT NULL, mission_hash TEXT NOT NULL,
    mission_source TEXT NOT NULL, vars TEXT NOT NULL, workspace TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL,
    ended_at TEXT, event_count INTEGER NOT NULL, head_hash TEXT NOT NULL, head_signature TEXT);
  CREATE INDEX runs_started_at ON runs (started_at);
  CREATE TABLE events (run_id TEXT NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (run_id, idx)) WITHOUT ROWID;
  CREATE TABLE payloads (hash TEXT PRIMARY KEY, content TEXT, erased_at TEXT) WITHOUT ROWID;
  ALTER TABLE runs ADD COLUMN owner TEXT;
  PRAGMA user_version = 2;
`;
const sharedPayload = { output: 'the same output in both runs' };

let temporary: ReturnType<typeof temporaryFolder>;

/** Writes a version-2 store with two signed runs that share one payload. */
function writeVersion2Store(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.exec(version2Schema);
  const key = createSecretKey(Buffer.from(auditKey, 'utf8'));
  const payloadText = canonicalJson(sharedPayload);
  const payloadHash = sha256Hex(payloadText);
  database.prepare('INSERT INTO payloads (hash, content) VALUES (?, ?)').run(payloadHash, payloadText);
  for (const [position, runId] of ['alpha', 'beta'].entries()) {
    let head = genesisHash(runId);
    for (let index = 0; index < 2; index += 1) {
      const body = eventBody({ runId, index, type: 'step-succeeded', at: '2025-01-01T00:00:00.000Z', data: {}, ...(index === 1 ? { payloadHash } : {}) });
      head = eventHash(head, body);
      database.prepare('INSERT INTO events VALUES (?, ?, ?, ?)').run(runId, index, body, head);
    }
    database
      .prepare('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(runId, 'm', 'm.yaml', sha256Hex('steps: []'), 'steps: []', '{"who":"x"}', '.', 'succeeded', `2025-01-0${position + 1}T00:00:00.000Z`, null, 2, head, signHead(key, runId, 2, head), null);
  }
  database.close();
}

beforeEach(() => {
  temporary = temporaryFolder();
  writeVersion2Store(temporary.file);
});
afterEach(() => temporary.remove());

describe('upgrading a version-2 store', () => {
  it('verifies with the key after the upgrade, and erasure becomes per run', () => {
    const store = AuditStore.open(temporary.file, { auditKey });
    expect(store.verify()).toMatchObject({ ok: true, signed: true, runsChecked: 2, eventsChecked: 4 });
    const hash = store.events('alpha')[1].payloadHash!;
    expect(store.payload(hash, 'beta')).toEqual(sharedPayload);
    store.erasePayloads('alpha');
    expect(store.payload(hash, 'alpha')).toBeUndefined();
    expect(store.payload(hash, 'beta')).toEqual(sharedPayload);
    // Legacy runs keep head-only signatures, and new runs get full ones beside them.
    store.createRun({ runId: 'gamma', missionName: 'm', missionFile: 'm.yaml', missionSource: 'steps: []', vars: {}, workspace: '.' });
    store.setRunStatus('gamma', 'succeeded');
    expect(store.verify()).toMatchObject({ ok: true, runsChecked: 3 });
    store.close();
  });

  it('still catches a legacy run deleted after the upgrade, and a rewritten legacy head', () => {
    AuditStore.open(temporary.file, { auditKey }).close();
    tamper(temporary.file, (database) => {
      for (const table of ['runs', 'events', 'payloads']) database.prepare(`DELETE FROM ${table} WHERE run_id = 'alpha'`).run();
    });
    const store = AuditStore.open(temporary.file, { auditKey });
    expect(store.verify().problem).toMatchObject({ runId: 'alpha', reason: expect.stringContaining('was deleted') });
    store.close();
    tamper(temporary.file, (database) => database.prepare("UPDATE runs SET event_count = 1, head_hash = (SELECT hash FROM events WHERE run_id = 'beta' AND idx = 0) WHERE run_id = 'beta'").run());
    const again = AuditStore.open(temporary.file, { auditKey });
    expect(again.verify({ runId: 'beta' }).problem).toMatchObject({ runId: 'beta' });
    again.close();
  });
});

describe('an upgrade by a process without the key', () => {
  it('leaves the store head unsigned until a keyed process opens it, if no run was recorded in between', () => {
    AuditStore.open(temporary.file).close();
    const store = AuditStore.open(temporary.file, { auditKey });
    expect(store.verify()).toMatchObject({ ok: true, signed: true });
    store.close();
  });

  it('does not sign over runs recorded without the key after the upgrade', () => {
    const keyless = AuditStore.open(temporary.file);
    keyless.createRun({ runId: 'keyless', missionName: 'm', missionFile: 'm.yaml', missionSource: '', vars: {}, workspace: '.' });
    keyless.close();
    const store = AuditStore.open(temporary.file, { auditKey });
    expect(store.verify().ok).toBe(false);
    store.close();
  });
});
