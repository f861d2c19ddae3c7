/**
 * Runs rows: turning them into {@link RunRecord}s, and signing them. A row's signature covers its
 * chain head and the facts other commands act on (status, variables, timestamps, owner, mission),
 * so it is recomputed whenever any of them changes.
 */
import type { KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { genesisHash, signHead, signRun, type RunFacts } from './chain.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { CreateRunInput } from './audit-store.js';
import type { RunRow } from './statements.js';
import type { RunRecord, RunStatus } from './types.js';

/** The signed facts of `row`. A row from before `vars_hash` existed hashes its variables text. */
export function runFactsOf(row: RunRow): RunFacts {
  return {
    runId: row.run_id,
    eventCount: row.event_count,
    headHash: row.head_hash,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    owner: row.owner,
    missionHash: row.mission_hash,
    missionName: row.mission_name,
    missionFile: row.mission_file,
    workspace: row.workspace,
    varsHash: row.vars_hash ?? sha256Hex(row.vars),
    erasedAt: row.erased_at,
  };
}

/**
 * The signature `row` should carry: over all its facts, or over its head alone for a run the
 * upgrade found already recorded (`legacy`, see run-index.ts). `null` without a key.
 */
export function rowSignature(key: KeyObject | undefined, row: RunRow, legacy: boolean): string | null {
  if (key === undefined) return null;
  return legacy ? signHead(key, row.run_id, row.event_count, row.head_hash) : signRun(key, runFactsOf(row));
}

/** What a new run's row is made from: what {@link CreateRunInput} gives, with the start time fixed (ISO 8601). */
export type NewRun = Omit<CreateRunInput, 'startedAt'> & { startedAt: string };

/** The row of a run that starts now, in this process, with an empty chain (not yet signed). */
export function newRunRow(run: NewRun): RunRow {
  const vars = canonicalJson(run.vars);
  return {
    run_id: run.runId,
    mission_name: run.missionName,
    mission_file: run.missionFile,
    mission_hash: sha256Hex(run.missionSource),
    mission_source: run.missionSource,
    vars,
    workspace: run.workspace,
    status: 'running',
    started_at: run.startedAt,
    ended_at: null,
    event_count: 0,
    head_hash: genesisHash(run.runId),
    owner: currentOwner(),
    vars_hash: sha256Hex(vars),
    erased_at: null,
    head_signature: null,
  };
}

/** The record a row describes. */
export function toRunRecord(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    missionName: row.mission_name,
    missionFile: row.mission_file,
    missionHash: row.mission_hash,
    missionSource: row.mission_source,
    vars: parseVars(row.vars),
    workspace: row.workspace,
    status: row.status as RunStatus,
    startedAt: row.started_at,
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    eventCount: row.event_count,
    headHash: row.head_hash,
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.erased_at === null ? {} : { erasedAt: row.erased_at }),
  };
}

/** A row's variables; a row edited into invalid JSON reads as none (verify reports the edit). */
function parseVars(text: string): Record<string, unknown> {
  try {
    const vars = JSON.parse(text) as unknown;
    return typeof vars === 'object' && vars !== null && !Array.isArray(vars) ? (vars as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** This process, as recorded in the `owner` of the runs it runs: `host:pid`. */
export function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}
