/**
 * Identifies a process beyond its pid, which the kernel reuses: its start time (clock ticks
 * since boot, from `/proc/<pid>/stat`) and the boot it belongs to. A recorded process is "the
 * same" only when both match, so a stale record never leads to killing an unrelated process.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** What `/proc/<pid>/stat` says about a process that matters here. */
export interface ProcessStat {
  pid: number;
  /** Process group id. */
  pgid: number;
  /** Start time in clock ticks since boot, as a decimal string (it exceeds 2^53 on long uptimes only in theory). */
  startTime: string;
  /** One-letter state; `Z` is a zombie (dead, waiting to be reaped). */
  state: string;
}

/** Reads `/proc/<pid>/stat`; undefined when the process is gone or `/proc` is unavailable. */
export function readProcessStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); pgrp is field 5, starttime field 22.
  const pgid = Number(fields[2]);
  const startTime = fields[19];
  if (!Number.isInteger(pgid) || startTime === undefined || !/^\d+$/.test(startTime)) return undefined;
  return { pid, pgid, startTime, state: fields[0] };
}

/** This boot's id (Linux), so records from before a reboot never match a process after it. */
export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Every live process whose group is `pgid` (Linux; empty elsewhere). */
export function processesInGroup(pgid: number): ProcessStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: ProcessStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcessStat(Number(name));
    if (stat && stat.pgid === pgid && stat.state !== 'Z') members.push(stat);
  }
  return members;
}
