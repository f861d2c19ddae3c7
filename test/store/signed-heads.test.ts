import type Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, canonicalJson, sha256Hex, type VerifyReport } from '../../engine/store/index.js';
import { buildStore, createSampleRun, tamper, temporaryFolder } from './helpers.js';

const auditKey = 'audit-key-7f3a9c-do-not-leak';
const eventsPerRun = 8;
let temporary: ReturnType<typeof temporaryFolder>;

beforeEach(() => {
  temporary = temporaryFolder();
  buildStore(temporary.file, ['alpha', 'beta'], eventsPerRun, { auditKey });
});
afterEach(() => temporary.remove());

function verifyWith(key: string | undefined): VerifyReport {
  const store = AuditStore.open(temporary.file, key === undefined ? {} : { auditKey: key });
  try {
    return store.verify();
  } finally {
    store.close();
  }
}

/** What an attacker with write access but no key can do: cut the tail and move the head to match. */
function truncateAndRewriteHead(database: Database.Database): void {
  database.prepare("DELETE FROM events WHERE run_id = 'beta' AND idx >= 5").run();
  database.prepare("UPDATE runs SET event_count = 5, head_hash = (SELECT hash FROM events WHERE run_id = 'beta' AND idx = 4) WHERE run_id = 'beta'").run();
}

/** Rewrites alpha's event 2 and recomputes every later hash and the head. */
function recomputeChain(database: Database.Database): void {
  const rows = database.prepare("SELECT idx, body, hash FROM events WHERE run_id = 'alpha' ORDER BY idx").all() as Array<{ idx: number; body: string; hash: string }>;
  let previous = rows[1].hash;
  for (const row of rows.slice(2)) {
    const fields = JSON.parse(row.body) as Record<string, unknown>;
    if (row.idx === 2) fields.data = { rewritten: true };
    const body = canonicalJson(fields);
    previous = sha256Hex(previous + body);
    database.prepare("UPDATE events SET body = ?, hash = ? WHERE run_id = 'alpha' AND idx = ?").run(body, previous, row.idx);
  }
  database.prepare("UPDATE runs SET head_hash = ? WHERE run_id = 'alpha'").run(previous);
}

describe('HMAC-signed run heads', () => {
  it('verify authenticates heads with the key', () => {
    const report = verifyWith(auditKey);
    expect(report).toMatchObject({ ok: true, signed: true, runsChecked: 2, eventsChecked: 16 });
    expect(report.warning).toBeUndefined();
  });

  it('without the key, checks the chain but says heads could not be authenticated', () => {
    const report = verifyWith(undefined);
    expect(report).toMatchObject({ ok: true, signed: false, eventsChecked: 16, warning: expect.stringContaining('could not be authenticated') });
  });

  it('catches a truncated tail with a rewritten head, which only the key can', () => {
    tamper(temporary.file, truncateAndRewriteHead);
    expect(verifyWith(undefined).ok).toBe(true);
    const report = verifyWith(auditKey);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ runId: 'beta', reason: expect.stringContaining('signature') });
  });

  it('catches a recomputed chain', () => {
    tamper(temporary.file, recomputeChain);
    expect(verifyWith(undefined).ok).toBe(true);
    expect(verifyWith(auditKey).problem).toMatchObject({ runId: 'alpha', reason: expect.stringContaining('signature') });
  });

  it('fails with a different key', () => {
    const report = verifyWith('another-key');
    expect(report).toMatchObject({ ok: false, signed: true, problem: { runId: 'alpha', reason: expect.stringContaining('different audit key') } });
  });

  it('fails when a signature is removed, or the run was written without the key', () => {
    tamper(temporary.file, (database) => database.prepare("UPDATE runs SET head_signature = NULL WHERE run_id = 'beta'").run());
    expect(verifyWith(auditKey).problem).toMatchObject({ runId: 'beta', reason: expect.stringContaining('no signature') });
  });

  it('keeps signing as a reopened store appends', () => {
    const store = AuditStore.open(temporary.file, { auditKey });
    store.append('alpha', { type: 'mission-resume' });
    createSampleRun(store, 'gamma');
    store.append('gamma', { type: 'mission-start' });
    store.close();
    expect(verifyWith(auditKey)).toMatchObject({ ok: true, runsChecked: 3, eventsChecked: 18 });
  });

  it('never lets the key reach a report, an error, an inspected store or the database files', () => {
    const texts: string[] = [];
    texts.push(JSON.stringify(verifyWith(auditKey)), JSON.stringify(verifyWith('wrong')));
    tamper(temporary.file, truncateAndRewriteHead);
    texts.push(JSON.stringify(verifyWith(auditKey)));

    const store = AuditStore.open(temporary.file, { auditKey });
    texts.push(inspect(store, { showHidden: true, depth: 5 }));
    for (const attempt of [() => createSampleRun(store, 'alpha'), () => store.append('ghost', { type: 'x' }), () => store.append('alpha', { type: 'x', data: { n: Number.NaN } })]) {
      try {
        attempt();
        throw new Error('expected a failure');
      } catch (error) {
        texts.push(String(error), JSON.stringify(error), inspect(error));
      }
    }
    store.close();
    for (const name of readdirSync(join(temporary.folder, 'nested'))) texts.push(readFileSync(join(temporary.folder, 'nested', name)).toString('latin1'));

    expect(texts.length).toBeGreaterThan(8);
    for (const text of texts) expect(text).not.toContain(auditKey);
  });
});
