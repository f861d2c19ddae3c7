/**
 * Stops what a dead run left running. A `command` step records `process-start {pid, pgid,
 * startTime, bootId}`; when the CLI is killed with `kill -9`, the command's process group (it
 * leads its own) lives on. Before a resume runs that step again, the recorded group is stopped —
 * but only when it is provably the same: the leader's start time (and the boot) match, so a pid
 * the kernel has since reused is never signalled.
 */
import { sleep } from './abort.js';
import type { AuditStore } from '../store/index.js';
import { currentBootId, processesInGroup, readProcessStat } from '../steps/process-identity.js';

/** A process a step recorded starting. */
export interface RecordedProcess {
  stepId: string;
  pid: number;
  pgid: number;
  startTime: string;
  bootId?: string;
}

/** How long the group gets between SIGTERM and SIGKILL. */
export const orphanGraceMs = 2000;
const pollMs = 50;
const neverAborted = new AbortController().signal;

/** The `process-start` records of steps that did not succeed (those a resume runs again). */
export function recordedProcesses(store: AuditStore, runId: string, succeeded: ReadonlySet<string>): RecordedProcess[] {
  const records: RecordedProcess[] = [];
  for (const event of store.events(runId)) {
    if (event.type !== 'process-start' || !event.stepId || succeeded.has(event.stepId)) continue;
    const { pid, pgid, startTime, bootId } = event.data as Record<string, unknown>;
    if (!Number.isInteger(pid) || !Number.isInteger(pgid) || typeof startTime !== 'string' || !/^\d+$/.test(startTime)) continue;
    if ((pgid as number) <= 1) continue; // Never signal init's group or "every process".
    records.push({ stepId: event.stepId, pid: pid as number, pgid: pgid as number, startTime, ...(typeof bootId === 'string' ? { bootId } : {}) });
  }
  return records;
}

/** The live members of a recorded group that provably belong to it (see the module comment). */
function survivingMembers(record: RecordedProcess): number[] {
  const boot = currentBootId();
  if (record.bootId !== undefined && boot !== undefined && record.bootId !== boot) return [];
  const leader = readProcessStat(record.pgid);
  if (leader && leader.state !== 'Z') {
    // The leader lives: it is ours only if it started when recorded; else the pid was reused.
    return leader.startTime === record.startTime && leader.pgid === record.pgid ? processesInGroup(record.pgid).map((member) => member.pid) : [];
  }
  // The leader is gone but its children may remain in the group; anything there that started
  // after our leader did belongs to it (a reused group id would need a newer live leader).
  const recordedStart = BigInt(record.startTime);
  return processesInGroup(record.pgid)
    .filter((member) => BigInt(member.startTime) >= recordedStart)
    .map((member) => member.pid);
}

/** Signals the members; while the recorded leader lives, its whole group at once (new forks included). */
function signal(record: RecordedProcess, pids: number[], name: NodeJS.Signals): void {
  const leader = readProcessStat(record.pgid);
  const targets = leader && leader.startTime === record.startTime && leader.state !== 'Z' ? [-record.pgid] : pids;
  for (const pid of targets) {
    try {
      process.kill(pid, name);
    } catch {
      // Gone meanwhile, or not ours to signal: nothing more to do for it.
    }
  }
}

/**
 * Stops the still-running process groups recorded by steps that did not succeed: SIGTERM, then
 * SIGKILL after {@link orphanGraceMs}. Records a `process-stop` event per group it signalled.
 * Resolves to what it stopped.
 */
export async function stopOrphanedProcesses(store: AuditStore, runId: string, succeeded: ReadonlySet<string>, graceMs = orphanGraceMs): Promise<RecordedProcess[]> {
  const stopped: RecordedProcess[] = [];
  for (const record of recordedProcesses(store, runId, succeeded)) {
    const members = survivingMembers(record);
    if (members.length === 0) continue;
    signal(record, members, 'SIGTERM');
    let remaining = members;
    for (let waited = 0; waited < graceMs && remaining.length > 0; waited += pollMs) {
      await sleep(pollMs, neverAborted);
      remaining = survivingMembers(record);
    }
    if (remaining.length > 0) signal(record, remaining, 'SIGKILL');
    store.append(runId, {
      type: 'process-stop',
      stepId: record.stepId,
      data: { pid: record.pid, pgid: record.pgid, startTime: record.startTime, processes: members.length, killed: remaining.length > 0 },
    });
    stopped.push(record);
  }
  return stopped;
}
