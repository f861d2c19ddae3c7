/** Erasure is per run: another run's identical content survives, and nothing erased comes back. */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../engine/store/index.js';
import { resumeRun } from '../../engine/run/run-mission.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { runYaml } from '../run/harness.js';
import { createSampleRun, temporaryFolder } from './helpers.js';

const auditKey = 'erasure-test-key';
let temporary: ReturnType<typeof temporaryFolder>;
beforeEach(() => {
  temporary = temporaryFolder();
});
afterEach(() => temporary.remove());

/** Every byte of the store's files (database, WAL), for "is it really gone" checks. */
function storeBytes(): string {
  const folder = dirname(temporary.file);
  return readdirSync(folder)
    .map((name) => readFileSync(join(folder, name)).toString('latin1'))
    .join('\n');
}

describe('erasing one run', () => {
  it('leaves another run with identical content intact, and the chain verifies before and after', () => {
    const store = AuditStore.open(temporary.file, { auditKey });
    createSampleRun(store, 'alpha');
    createSampleRun(store, 'beta');
    const shared = { prompt: 'the same prompt in both runs' };
    const inAlpha = store.append('alpha', { type: 'llm-request', payload: shared });
    const inBeta = store.append('beta', { type: 'llm-request', payload: shared });
    expect(inAlpha.payloadHash).toBe(inBeta.payloadHash);
    expect(store.verify()).toMatchObject({ ok: true, signed: true });

    expect(store.erasePayloads('alpha')).toBe(1);
    expect(store.readPayload('alpha', inAlpha.payloadHash!)).toMatchObject({ status: 'erased' });
    expect(store.payload(inAlpha.payloadHash!, 'alpha')).toBeUndefined();
    expect(store.readPayload('beta', inBeta.payloadHash!)).toEqual({ status: 'present', value: shared });
    expect(store.verify()).toMatchObject({ ok: true, signed: true, runsChecked: 2 });
    store.close();
  });

  it('never restores erased content when the same content is recorded again, by a new run or by the erased one', () => {
    const store = AuditStore.open(temporary.file);
    createSampleRun(store, 'alpha');
    const secret = { output: 'private-person-91c2' };
    const first = store.append('alpha', { type: 'step-succeeded', stepId: 'a', payload: secret });
    store.erasePayloads('alpha');
    createSampleRun(store, 'later');
    store.append('later', { type: 'step-succeeded', stepId: 'a', payload: secret });
    store.append('alpha', { type: 'step-succeeded', stepId: 'b', payload: secret });
    store.flush();
    expect(store.readPayload('alpha', first.payloadHash!)).toMatchObject({ status: 'erased' });
    expect(store.readPayload('later', first.payloadHash!)).toEqual({ status: 'present', value: secret });
    expect(store.verify().ok).toBe(true);
    store.close();
    const raw = new Database(temporary.file, { readonly: true });
    const rows = raw.prepare('SELECT run_id, content FROM payloads ORDER BY run_id').raw().all();
    raw.close();
    expect(rows).toEqual([
      ['alpha', null],
      ['later', JSON.stringify(secret)],
    ]);
  });

  it("erases the run's mission source and variables from its row, keeping their hashes", () => {
    const store = AuditStore.open(temporary.file, { auditKey });
    store.createRun({
      runId: 'r', missionName: 'm', missionFile: 'm.yaml', missionSource: 'name: m\n# mission-secret-77\n', vars: { who: 'vars-secret-42' }, workspace: '.',
    });
    store.append('r', { type: 'step-succeeded', payload: { output: 'payload-secret-13' } });
    store.setRunStatus('r', 'succeeded');
    const before = store.getRun('r')!;
    store.erasePayloads('r');
    const after = store.getRun('r')!;
    expect(after).toMatchObject({ missionSource: '', vars: {}, missionHash: before.missionHash, status: 'succeeded' });
    expect(after.erasedAt).toEqual(expect.any(String));
    expect(store.verify()).toMatchObject({ ok: true, signed: true });
    // Erasing again changes nothing and still verifies.
    expect(store.erasePayloads('r')).toBe(0);
    expect(store.getRun('r')!.erasedAt).toBe(after.erasedAt);
    store.close();
    const bytes = storeBytes();
    for (const secret of ['mission-secret-77', 'vars-secret-42', 'payload-secret-13']) expect(bytes).not.toContain(secret);
  });

  it('refuses to erase a signed run without the key (it could not be re-signed), and names the variable', () => {
    const signed = AuditStore.open(temporary.file, { auditKey });
    createSampleRun(signed, 'r');
    signed.close();
    const keyless = AuditStore.open(temporary.file);
    expect(() => keyless.erasePayloads('r')).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE', message: expect.stringContaining('MISSION_AUDIT_KEY') }));
    expect(keyless.getRun('r')!.erasedAt).toBeUndefined();
    expect(() => keyless.erasePayloads('ghost')).toThrow(expect.objectContaining({ code: 'MISSION_ERR_RUN_NOT_FOUND' }));
    keyless.close();
  });

  it('catches an erased run whose row still holds a source or variables', () => {
    const store = AuditStore.open(temporary.file);
    createSampleRun(store, 'r');
    store.erasePayloads('r');
    store.close();
    const raw = new Database(temporary.file);
    raw.prepare("UPDATE runs SET vars = '{\"who\":\"forged\"}' WHERE run_id = 'r'").run();
    raw.close();
    const reopened = AuditStore.open(temporary.file);
    expect(reopened.verify().problem).toMatchObject({ runId: 'r', reason: expect.stringContaining('marked erased') });
    reopened.close();
  });
});

describe('erasing an engine run', () => {
  it('moves step error messages that quote inputs into erasable payloads, and refuses to resume the erased run', async () => {
    const store = AuditStore.open(temporary.file, { auditKey });
    const { result } = await runYaml(
      `
version: "1.0"
name: leaky
vars: { name: "input-secret-5150" }
steps:
  - id: read
    step_type: read_file
    parameters: { path: "{{ vars.name }}.txt" }
`,
      { store },
    );
    expect(result.steps.read.status).toBe('failed');
    expect(result.steps.read.error?.message).toContain('input-secret-5150');
    const failed = store.events(result.runId).find((event) => event.type === 'step-failed')!;
    // The chain keeps the code; the message is in the payload.
    expect(failed.data.error).toEqual({ code: 'MISSION_ERR_FILE_NOT_FOUND' });
    expect(JSON.stringify(failed.data)).not.toContain('input-secret-5150');
    expect(store.payload(failed.payloadHash!, result.runId)).toMatchObject({ error: { message: expect.stringContaining('input-secret-5150') } });

    store.erasePayloads(result.runId);
    expect(store.verify()).toMatchObject({ ok: true, signed: true });
    await expect(resumeRun(result.runId, { store, registry: new StepKindRegistry(builtinStepKinds()) })).rejects.toMatchObject({
      code: 'MISSION_ERR_NOT_RESUMABLE',
      message: expect.stringContaining('erased'),
    });
    store.close();
    expect(storeBytes()).not.toContain('input-secret-5150');
  });
});

describe('payload size', () => {
  it('refuses a payload over the bound with a typed error, chaining nothing', () => {
    const store = AuditStore.open(temporary.file, { maxPayloadChars: 100 });
    createSampleRun(store, 'r');
    expect(() => store.append('r', { type: 'step-succeeded', payload: { output: 'x'.repeat(200) } })).toThrow(
      expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE', message: expect.stringContaining('at most 100') }),
    );
    store.append('r', { type: 'step-succeeded', payload: { output: 'small' } });
    expect(store.events('r').map((event) => event.index)).toEqual([0]);
    expect(store.verify().ok).toBe(true);
    store.close();
  });
});
