/**
 * Engine throughput: a 10,000-step mission of `noop` steps in two shapes — wide (all
 * independent) and deep (one chain) — with the SQLite audit store on; then `audit verify`.
 * Prints steps/s, per-step overhead, verified events/s, and ratios against a baseline measured in
 * the same process: a bare loop that does the same audit appends without the engine.
 */
import Database from 'better-sqlite3';
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseMission } from '../engine/mission/load.js';
import { runMission } from '../engine/run/run-mission.js';
import { builtinStepKinds } from '../engine/steps/builtin.js';
import { StepKindRegistry } from '../engine/steps/registry.js';
import { AuditStore } from '../engine/store/index.js';

const stepCount = Number(process.env.BENCH_STEPS ?? 10_000);

function missionText(shape: 'wide' | 'deep'): string {
  const lines = ['version: "1.0"', `name: bench-${shape}`, 'config: { max_parallel_steps: 64, fail_fast: true }', 'steps:'];
  for (let index = 0; index < stepCount; index++) {
    const needs = shape === 'deep' && index > 0 ? `, depends_on: [s${index - 1}]` : '';
    lines.push(`  - { id: s${index}, step_type: noop${needs} }`);
  }
  return lines.join('\n');
}

async function runShape(shape: 'wide' | 'deep', directory: string): Promise<{ seconds: number; events: number; store: AuditStore; runId: string }> {
  const store = AuditStore.open(path.join(directory, `${shape}.db`));
  const loaded = parseMission(missionText(shape), `${shape}.yaml`);
  const registry = new StepKindRegistry(builtinStepKinds());
  const startedAt = performance.now();
  const result = await runMission(loaded, { store, registry, workspace: directory });
  const seconds = (performance.now() - startedAt) / 1000;
  if (result.status !== 'succeeded') throw new Error(`${shape} run ${result.status}`);
  return { seconds, events: store.events(result.runId).length, store, runId: result.runId };
}

/** Baseline: the audit appends a run makes (3 per step), without scheduler, machine or steps. */
function baseline(directory: string): number {
  const store = AuditStore.open(path.join(directory, 'baseline.db'));
  store.createRun({ runId: 'baseline', missionName: 'baseline', missionFile: 'baseline.yaml', missionSource: '', vars: {}, workspace: directory });
  const startedAt = performance.now();
  for (let index = 0; index < stepCount; index++) {
    const stepId = `s${index}`;
    store.append('baseline', { type: 'step-ready', stepId, data: {} });
    store.append('baseline', { type: 'step-start', stepId, data: { attempt: 1 } });
    store.append('baseline', { type: 'step-succeeded', stepId, data: { attempts: 1, durationMs: 0 }, payload: { message: 'No operation performed' } });
  }
  store.flush();
  const seconds = (performance.now() - startedAt) / 1000;
  store.close();
  return seconds;
}

function timeVerify(store: AuditStore, runId: string): number {
  const startedAt = performance.now();
  const report = store.verify({ runId });
  if (!report.ok) throw new Error(`verify failed: ${JSON.stringify(report.problem)}`);
  return (performance.now() - startedAt) / 1000;
}

/** Baseline for verify: read the run's rows in order and hash each link, with no checks at all. */
function timeReadAndHash(file: string, runId: string): number {
  const database = new Database(file, { readonly: true });
  try {
    const rows = database.prepare('SELECT body, hash FROM events WHERE run_id = ? ORDER BY idx').raw();
    const startedAt = performance.now();
    let previous = '';
    for (const [body, linkHash] of rows.iterate(runId) as IterableIterator<[string, string]>) {
      hash('sha256', previous + body, 'hex');
      previous = linkHash;
    }
    return (performance.now() - startedAt) / 1000;
  } finally {
    database.close();
  }
}

function median(values: number[]): number {
  return [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];
}

async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'mission-bench-'));
  try {
    // Warm-up: JIT (run and verify paths), SQLite page cache.
    const warmUp = await runShape('wide', directory);
    timeVerify(warmUp.store, warmUp.runId);
    warmUp.store.close();
    const baselineSeconds = baseline(directory);
    console.log(`steps: ${stepCount}`);
    console.log(`baseline (audit appends only): ${(stepCount / baselineSeconds).toFixed(0)} steps/s`);
    for (const shape of ['wide', 'deep'] as const) {
      const { seconds, events, store, runId } = await runShape(shape, directory);
      const perStepMicros = (seconds * 1e6) / stepCount;
      console.log(
        `${shape.padEnd(4)}: ${(stepCount / seconds).toFixed(0)} steps/s, ${perStepMicros.toFixed(1)} µs/step, ${events} events; ` +
          `engine/baseline time ratio ${(seconds / baselineSeconds).toFixed(2)}x`,
      );
      // Verify is read-only, so it is timed three times and the median reported (machines are noisy).
      const verifySeconds = median([0, 1, 2].map(() => timeVerify(store, runId)));
      const floorSeconds = median([0, 1, 2].map(() => timeReadAndHash(path.join(directory, `${shape}.db`), runId)));
      console.log(
        `${shape.padEnd(4)}: audit verify ${(events / verifySeconds).toFixed(0)} events/s (${events} events); ` +
          `baseline read+hash ${(events / floorSeconds).toFixed(0)} events/s; verify/baseline time ratio ${(verifySeconds / floorSeconds).toFixed(2)}x`,
      );
      store.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
