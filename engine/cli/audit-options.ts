/**
 * Option parsers and shared pieces of the audit commands: times given as an ISO date or a
 * duration, bounded counts, the `--db` option with its default spelled out, a run's status as
 * users should read it, and an event's payload as the commands print it.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { liveOwnerPid } from '../run/run-owner.js';
import type { AuditStore, RunRecord, StoredEvent } from '../store/index.js';

/** Units a duration may use, in milliseconds. */
const durationUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** The longest duration accepted: about a hundred years (longer is surely a typo). */
const maxDurationMs = 36_525 * 86_400_000;
const durationPattern = /^(\d{1,6})([smhdw])$/;
const isoDatePattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Parses a point in time: an ISO 8601 date (`2026-01-31`, `2026-01-31T12:00:00Z`) or a duration
 * back from `now` (`90s`, `30m`, `12h`, `7d`, `2w`). Throws commander's `InvalidArgumentError`
 * (a usage error, exit 2) for anything else.
 */
export function parseTimeOption(value: string, now: Date = new Date()): Date {
  const text = value.trim();
  const duration = durationPattern.exec(text);
  if (duration !== null) {
    const milliseconds = Number(duration[1]) * durationUnits[duration[2]];
    if (milliseconds > maxDurationMs) throw new InvalidArgumentError('a duration of at most 36525d (about a hundred years) is accepted.');
    return new Date(now.getTime() - milliseconds);
  }
  if (isoDatePattern.test(text)) {
    const time = Date.parse(text);
    if (Number.isFinite(time)) return new Date(time);
  }
  throw new InvalidArgumentError('expected an ISO date (2026-01-31 or 2026-01-31T12:00:00Z) or a duration such as 90s, 30m, 12h, 7d or 2w.');
}

/** The largest `--limit` accepted. */
export const maxLimit = 1_000_000;

/** Parses `--limit`: a whole number from 1 to {@link maxLimit}. */
export function parseLimitOption(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${maxLimit}.`);
  }
  return limit;
}

/** Adds the `--db` option, its help naming where the store is looked for by default. */
export function addDatabaseOption(command: Command): Command {
  return command.option('--db <path>', 'audit database (default: $MISSION_DB, else .mission/state.db)');
}

/**
 * A run's status as users should read it: a run recorded as `running` whose process is gone
 * (killed, crashed, on another machine) is `interrupted`, and `mission resume` can continue it.
 */
export function displayStatus(run: RunRecord): string {
  return run.status === 'running' && liveOwnerPid(run.owner) === undefined ? 'interrupted' : run.status;
}

/** What the commands print for an event's payload (JSON output). */
export interface PrintedPayload {
  payloadStatus?: 'present' | 'erased' | 'missing';
  payload?: unknown;
}

/** The payload fields to print beside `event`: nothing when the event has no payload. */
export function payloadFields(store: AuditStore, event: StoredEvent): PrintedPayload {
  if (event.payloadHash === undefined) return {};
  const found = store.readPayload(event.runId, event.payloadHash);
  return found.status === 'present' ? { payloadStatus: 'present', payload: found.value } : { payloadStatus: found.status };
}

/** Writes `text` to stdout, waiting when the pipe is full so a large export keeps memory flat. */
export async function writeOut(text: string): Promise<void> {
  if (process.stdout.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      resolve();
    };
    process.stdout.once('drain', done);
    // A reader that went away (EPIPE) never drains.
    process.stdout.once('close', done);
  });
}
