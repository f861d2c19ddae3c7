import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, canonicalJson, genesisHash, sha256Hex } from '../../engine/store/index.js';
import { createSampleRun, temporaryFolder } from './helpers.js';

let temporary: ReturnType<typeof temporaryFolder>;
const open: AuditStore[] = [];
function openStore(file = temporary.file, options = {}): AuditStore {
  const store = AuditStore.open(file, options);
  open.push(store);
  return store;
}
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  temporary = temporaryFolder();
});
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  temporary.remove();
});

describe('runs', () => {
  it('creates folders, records a run with its mission hash and reads it back', () => {
    const store = openStore();
    expect(existsSync(temporary.file)).toBe(true);
    const created = store.createRun({
      runId: 'run-1', missionName: 'm', missionFile: 'm.yaml', missionSource: 'steps: []', vars: { a: 1, nested: { b: [1, 2] } }, workspace: 'ws',
      startedAt: new Date(Date.UTC(2025, 4, 6, 7, 8, 9)),
    });
    expect(created).toEqual({
      runId: 'run-1', missionName: 'm', missionFile: 'm.yaml', missionSource: 'steps: []', missionHash: sha256Hex('steps: []'),
      vars: { a: 1, nested: { b: [1, 2] } }, workspace: 'ws', status: 'running', startedAt: '2025-05-06T07:08:09.000Z', eventCount: 0, headHash: genesisHash('run-1'),
      owner: `${hostname()}:${process.pid}`,
    });
    expect(store.getRun('run-1')).toEqual(created);
    expect(store.getRun('missing')).toBeUndefined();
  });

  it('refuses a duplicate run id with a coded error', () => {
    const store = openStore();
    createSampleRun(store, 'run-1');
    expect(() => createSampleRun(store, 'run-1')).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE', message: expect.stringContaining('run-1') }));
  });

  it('lists runs newest first, with a limit', () => {
    const store = openStore();
    createSampleRun(store, 'old', new Date(Date.UTC(2025, 0, 1)));
    createSampleRun(store, 'new', new Date(Date.UTC(2025, 0, 3)));
    createSampleRun(store, 'middle', new Date(Date.UTC(2025, 0, 2)));
    expect(store.listRuns().map((run) => run.runId)).toEqual(['new', 'middle', 'old']);
    expect(store.listRuns({ limit: 2 }).map((run) => run.runId)).toEqual(['new', 'middle']);
  });

  it('sets status and end time, and clears the end time when a run resumes', () => {
    const store = openStore();
    createSampleRun(store, 'run-1');
    const ended = new Date(Date.UTC(2025, 1, 1, 12));
    store.setRunStatus('run-1', 'failed', ended);
    expect(store.getRun('run-1')).toMatchObject({ status: 'failed', endedAt: ended.toISOString() });
    store.setRunStatus('run-1', 'running');
    const resumed = store.getRun('run-1');
    expect(resumed?.status).toBe('running');
    expect(resumed?.endedAt).toBeUndefined();
    expect(() => store.setRunStatus('nope', 'cancelled')).toThrow(expect.objectContaining({ code: 'MISSION_ERR_RUN_NOT_FOUND' }));
  });

  it('works in memory', () => {
    const store = openStore(':memory:');
    createSampleRun(store, 'run-1');
    store.append('run-1', { type: 'mission-start' });
    expect(store.verify()).toMatchObject({ ok: true, runsChecked: 1, eventsChecked: 1 });
  });
});

describe('the chain', () => {
  it('links each event to the previous one from the genesis hash', () => {
    const store = openStore();
    createSampleRun(store, 'run-1');
    const first = store.append('run-1', { type: 'mission-start', data: { vars: { b: 2, a: 1 } } });
    const second = store.append('run-1', { type: 'step-start', stepId: 'fetch' });
    expect(first.index).toBe(0);
    expect(first.prevHash).toBe(sha256Hex('genesis:run-1'));
    const firstText = canonicalJson({ runId: 'run-1', index: 0, type: 'mission-start', at: first.at, data: { vars: { a: 1, b: 2 } } });
    expect(first.hash).toBe(sha256Hex(first.prevHash + firstText));
    expect(second).toMatchObject({ index: 1, prevHash: first.hash, stepId: 'fetch', data: {} });
    expect(second.hash).toBe(sha256Hex(first.hash + canonicalJson({ runId: 'run-1', index: 1, type: 'step-start', stepId: 'fetch', at: second.at, data: {} })));
    expect(store.events('run-1')).toEqual([first, second]);
    expect(store.getRun('run-1')).toMatchObject({ eventCount: 2, headHash: second.hash });
    expect(store.verify()).toEqual(expect.objectContaining({ ok: true, runsChecked: 1, eventsChecked: 2, signed: false }));
  });

  it('keeps independent chains per run', () => {
    const store = openStore();
    createSampleRun(store, 'a');
    createSampleRun(store, 'b');
    store.append('a', { type: 'x' });
    const b0 = store.append('b', { type: 'x' });
    const a1 = store.append('a', { type: 'y' });
    expect(b0).toMatchObject({ index: 0, prevHash: genesisHash('b') });
    expect(a1.index).toBe(1);
    expect(store.verify()).toMatchObject({ ok: true, runsChecked: 2, eventsChecked: 3 });
    expect(store.verify({ runId: 'b' })).toMatchObject({ ok: true, runsChecked: 1, eventsChecked: 1 });
  });

  it('refuses to append to an unknown run, and a value with no JSON form, without advancing the chain', () => {
    const store = openStore();
    createSampleRun(store, 'run-1');
    expect(() => store.append('ghost', { type: 'x' })).toThrow(expect.objectContaining({ code: 'MISSION_ERR_RUN_NOT_FOUND' }));
    expect(() => store.append('run-1', { type: 'x', data: { cost: Number.NaN } })).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE' }));
    expect(() => store.append('run-1', { type: 'x', payload: { cost: Number.POSITIVE_INFINITY } })).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE' }));
    expect(store.append('run-1', { type: 'x' }).index).toBe(0);
    expect(store.verify().ok).toBe(true);
  });

  it('continues the chain with the next index after the file is closed and reopened (resume)', () => {
    const first = openStore();
    createSampleRun(first, 'run-1');
    for (let index = 0; index < 5; index += 1) first.append('run-1', { type: 'step-start', data: { index } });
    const last = first.events('run-1')[4];
    first.close();

    const reopened = openStore();
    const next = reopened.append('run-1', { type: 'mission-resume' });
    expect(next).toMatchObject({ index: 5, prevHash: last.hash });
    expect(reopened.events('run-1').map((event) => event.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(reopened.verify()).toMatchObject({ ok: true, eventsChecked: 6 });
  });
});

describe('payloads', () => {
  it('stores payloads apart, keyed by the hash of their canonical JSON', () => {
    const store = openStore();
    createSampleRun(store, 'run-1');
    const payload = { prompt: 'Summarise', messages: [{ role: 'user', content: 'hi' }] };
    const event = store.append('run-1', { type: 'llm-request', payload });
    expect(event.payloadHash).toBe(sha256Hex(canonicalJson(payload)));
    expect(store.payload(event.payloadHash as string)).toEqual(payload);
    store.flush();
    expect(store.payload(event.payloadHash as string)).toEqual(payload);
    expect(store.events('run-1')[0].payloadHash).toBe(event.payloadHash);
    expect(store.payload('0'.repeat(64))).toBeUndefined();
  });

  it('erases payload content but keeps the chain valid', () => {
    const store = openStore();
    createSampleRun(store, 'run-1');
    createSampleRun(store, 'run-2');
    const erased = [store.append('run-1', { type: 'llm-request', payload: 'secret prompt' }), store.append('run-1', { type: 'llm-response', payload: { text: 'private answer' } })];
    store.append('run-1', { type: 'step-succeeded' });
    const kept = store.append('run-2', { type: 'llm-request', payload: 'other run' });
    expect(store.erasePayloads('run-1')).toBe(2);
    for (const event of erased) expect(store.payload(event.payloadHash as string)).toBeUndefined();
    expect(store.payload(kept.payloadHash as string)).toBe('other run');
    expect(store.verify()).toMatchObject({ ok: true, eventsChecked: 4 });
    expect(store.erasePayloads('run-1')).toBe(0);
    expect(() => store.erasePayloads('ghost')).toThrow(expect.objectContaining({ code: 'MISSION_ERR_RUN_NOT_FOUND' }));
    // The content is gone from the file, not merely hidden.
    store.close();
    const raw = new Database(temporary.file, { readonly: true });
    const contents = raw.prepare('SELECT content FROM payloads WHERE content IS NOT NULL').pluck().all();
    raw.close();
    expect(contents).toEqual([JSON.stringify('other run')]);
  });

  it('leaves no erased bytes anywhere in the database files, not even in freed space', () => {
    const secret = 'private-person-5f1c';
    const store = openStore();
    store.createRun({ runId: 'run-1', missionName: 'm', missionFile: 'm.yaml', missionSource: 'steps: []', vars: { who: secret }, workspace: '.' });
    // Several batches: each rewrites the runs row (its head), leaving old copies of it behind.
    for (let batch = 0; batch < 5; batch += 1) {
      store.append('run-1', { type: 'step-succeeded', payload: { output: `${secret} ${batch}`, padding: 'x'.repeat(5000) } });
      store.flush();
    }
    store.close();
    // Another process has the store open (a run in progress), so closing the eraser alone does
    // not fold the write-ahead log back into the file.
    const bystander = openStore();
    bystander.listRuns();
    const eraser = openStore();
    expect(eraser.erasePayloads('run-1')).toBe(5);
    expect(eraser.verify().ok).toBe(true);
    eraser.close();
    const folder = dirname(temporary.file);
    const files = readdirSync(folder);
    expect(files).toContain('audit.db');
    for (const name of files) expect(readFileSync(join(folder, name)).toString('latin1'), name).not.toContain(secret);
    bystander.close();
  });
});

describe('batching', () => {
  it('writes appends on the next turn of the event loop, not before', async () => {
    const writer = openStore();
    const reader = openStore();
    createSampleRun(writer, 'run-1');
    for (let index = 0; index < 10; index += 1) writer.append('run-1', { type: 'tick', data: { index } });
    expect(reader.events('run-1')).toHaveLength(0);
    expect(reader.getRun('run-1')?.eventCount).toBe(0);
    await nextTurn();
    expect(reader.events('run-1')).toHaveLength(10);
    expect(reader.getRun('run-1')?.eventCount).toBe(10);
    expect(reader.verify()).toMatchObject({ ok: true, eventsChecked: 10 });
  });

  it('writes a full batch of 512 synchronously, and flush() writes the rest', () => {
    const writer = openStore();
    const reader = openStore();
    createSampleRun(writer, 'run-1');
    for (let index = 0; index < 600; index += 1) writer.append('run-1', { type: 'tick', data: { index } });
    // Only whole batches are on disk, and the head matches them: a consistent prefix.
    expect(reader.getRun('run-1')?.eventCount).toBe(512);
    expect(reader.verify()).toMatchObject({ ok: true, eventsChecked: 512 });
    writer.flush();
    expect(reader.getRun('run-1')?.eventCount).toBe(600);
    expect(reader.verify()).toMatchObject({ ok: true, eventsChecked: 600 });
  });

  it('writes pending appends on close', () => {
    const writer = openStore();
    createSampleRun(writer, 'run-1');
    writer.append('run-1', { type: 'tick' });
    writer.close();
    expect(() => writer.append('run-1', { type: 'tick' })).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE' }));
    expect(openStore().events('run-1')).toHaveLength(1);
  });
});

describe('two stores on one file', () => {
  it('interleave appends to different runs without corrupting either chain', async () => {
    const first = openStore();
    const second = openStore();
    createSampleRun(first, 'a');
    createSampleRun(second, 'b');
    for (let index = 0; index < 700; index += 1) {
      first.append('a', { type: 'tick', data: { index }, payload: { from: 'a', index } });
      second.append('b', { type: 'tick', data: { index }, payload: { from: 'b', index: index % 10 } });
      if (index % 97 === 0) await nextTurn();
    }
    first.flush();
    second.flush();
    const report = openStore().verify();
    expect(report).toMatchObject({ ok: true, runsChecked: 2, eventsChecked: 1400 });
    expect(first.events('b')).toHaveLength(700);
  });

  it('refuses to fork a run both append to, and reports it', () => {
    const first = openStore();
    const second = openStore();
    createSampleRun(first, 'shared');
    createSampleRun(first, 'solo');
    first.append('shared', { type: 'tick' });
    first.flush();
    second.append('shared', { type: 'from-second' });
    second.flush();
    first.append('shared', { type: 'from-first' });
    first.append('solo', { type: 'unaffected' });
    expect(() => first.flush()).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE', message: expect.stringContaining('"shared"') }));
    // The other run's events were written, and the store recovers by re-reading the head.
    expect(second.events('solo')).toHaveLength(1);
    expect(first.append('shared', { type: 'after-conflict' }).index).toBe(2);
    first.flush();
    expect(second.events('shared').map((event) => event.type)).toEqual(['tick', 'from-second', 'after-conflict']);
    expect(second.verify().ok).toBe(true);
  });

  it('reports a conflict found by a background write on the next call', async () => {
    const first = openStore();
    const second = openStore();
    createSampleRun(first, 'shared');
    first.append('shared', { type: 'tick' });
    first.flush();
    second.append('shared', { type: 'from-second' });
    second.flush();
    first.append('shared', { type: 'from-first' });
    await nextTurn();
    expect(() => first.flush()).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE' }));
    expect(() => first.flush()).not.toThrow();
    expect(first.verify().ok).toBe(true);
  });
});
