/**
 * Audit store throughput: appends/s (hash chaining + batched writes, ~4 events per step) and
 * verified events/s, against a baseline measured in the same run: the same rows inserted into
 * the same schema with no hashing or batching logic, one transaction per 512 rows; and, for
 * verify, reading and hashing every row with no checks.
 *
 * Run with `npm run bench`.
 */
import Database from 'better-sqlite3';
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '../engine/store/index.js';

const steps = Number(process.env.BENCH_STEPS ?? 25_000);
const folder = mkdtempSync(join(tmpdir(), 'audit-bench-'));

function perSecond(count: number, startedAt: bigint): number {
  return Math.round(count / (Number(process.hrtime.bigint() - startedAt) / 1e9));
}

try {
  const store = AuditStore.open(join(folder, 'audit.db'), { auditKey: 'bench-key' });
  store.createRun({ runId: 'bench', missionName: 'bench', missionFile: 'bench.yaml', missionSource: 'steps: []', vars: {}, workspace: '.' });
  let started = process.hrtime.bigint();
  for (let step = 0; step < steps; step += 1) {
    const stepId = `step-${step}`;
    store.append('bench', { type: 'step-start', stepId, data: { attempt: 1 } });
    store.append('bench', { type: 'llm-request', stepId, data: { provider: 'openai', model: 'gpt-4o-mini' }, payload: { prompt: `Summarise item ${step}` } });
    store.append('bench', { type: 'llm-response', stepId, data: { inputTokens: 12, outputTokens: 40, costMicros: 31 }, payload: { text: `Summary ${step}` } });
    store.append('bench', { type: 'step-succeeded', stepId, data: { durationMs: 3 } });
  }
  store.flush();
  const appendRate = perSecond(steps * 4, started);

  started = process.hrtime.bigint();
  const report = store.verify();
  const verifyRate = perSecond(report.eventsChecked, started);
  store.close();
  if (!report.ok) throw new Error(`verify failed: ${report.problem?.reason}`);

  const baseline = new Database(join(folder, 'audit.db'));
  const events = baseline.prepare('SELECT run_id, idx, body, hash FROM events').raw().all() as unknown[][];
  // In the order the store wrote them (random keys), not the table's sorted order, which inserts faster.
  const payloads = baseline
    .prepare("SELECT p.run_id, p.hash, p.content FROM events e JOIN payloads p ON p.run_id = e.run_id AND p.hash = json_extract(e.body, '$.payloadHash') ORDER BY e.run_id, e.idx")
    .raw()
    .all() as unknown[][];
  baseline.exec('CREATE TABLE events_copy (run_id TEXT, idx INTEGER, body TEXT, hash TEXT, PRIMARY KEY (run_id, idx)) WITHOUT ROWID');
  baseline.exec('CREATE TABLE payloads_copy (run_id TEXT, hash TEXT, content TEXT, PRIMARY KEY (run_id, hash)) WITHOUT ROWID');
  const insertEvent = baseline.prepare('INSERT INTO events_copy VALUES (?, ?, ?, ?)');
  const insertPayload = baseline.prepare('INSERT INTO payloads_copy VALUES (?, ?, ?)');
  const insertBatch = baseline.transaction((eventBatch: unknown[][], payloadBatch: unknown[][]) => {
    for (const row of payloadBatch) insertPayload.run(row);
    for (const row of eventBatch) insertEvent.run(row);
  });
  // Same shape as the store's batches: 512 events and their share of payloads per transaction.
  const payloadsPerBatch = Math.ceil((payloads.length / events.length) * 512);
  started = process.hrtime.bigint();
  for (let batch = 0; batch * 512 < events.length; batch += 1) {
    insertBatch.immediate(events.slice(batch * 512, (batch + 1) * 512), payloads.slice(batch * payloadsPerBatch, (batch + 1) * payloadsPerBatch));
  }
  const rows = events;
  const baselineRate = perSecond(rows.length, started);

  // Verify's floor: reading every row and hashing it, with no checks at all.
  const floor = baseline.prepare('SELECT idx, body, hash FROM events ORDER BY run_id, idx').raw();
  started = process.hrtime.bigint();
  let previous = '';
  for (const row of floor.iterate() as IterableIterator<[number, string, string]>) previous = hash('sha256', previous + row[1], 'hex');
  for (const row of baseline.prepare('SELECT content FROM payloads').pluck().iterate() as IterableIterator<string>) hash('sha256', row, 'hex');
  const floorRate = perSecond(rows.length, started);
  baseline.close();

  console.log(`append: ${appendRate.toLocaleString('en')} events/s (${Math.round(appendRate / 4).toLocaleString('en')} steps/s); baseline raw insert of the same rows ${baselineRate.toLocaleString('en')} events/s; ratio ${(appendRate / baselineRate).toFixed(2)}`);
  console.log(`verify: ${verifyRate.toLocaleString('en')} events/s over ${report.eventsChecked.toLocaleString('en')} events (signed: ${report.signed}); baseline read+hash ${floorRate.toLocaleString('en')} events/s; ratio ${(verifyRate / floorRate).toFixed(2)}`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
