/** Options shared by the cost and budget commands: dates, the database, money. */
import { existsSync } from 'node:fs';
import { CliExit, ExitCode, databasePath, type StoreOptions } from './cli-context.js';

/**
 * A `--since`/`--until` value as epoch ms. A bare date (`2026-12-01`) is that UTC day's start, or,
 * for `--until`, the next day's start (the whole day is included); anything else must be ISO 8601.
 */
export function parseDateOption(value: string | undefined, option: '--since' | '--until'): number | undefined {
  if (value === undefined) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const parsed = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(parsed) || value.length > 40) {
    throw new CliExit(ExitCode.invalid, `${option} expects a date (YYYY-MM-DD) or an ISO 8601 time, got '${value.slice(0, 40)}'`);
  }
  return dateOnly && option === '--until' ? parsed + 86_400_000 : parsed;
}

/** The database file for commands that read: it must exist (reading never creates one). */
export function existingDatabase(options: StoreOptions): string {
  const file = databasePath(options);
  if (!existsSync(file)) {
    throw new CliExit(ExitCode.invalid, `no database at ${file}: run a mission first, or point --db or MISSION_DB at an existing one`);
  }
  return file;
}

/** A `--limit-usd` value: dollars, at most a billion, as integer micro-dollars. */
export function parseUsd(value: string): number {
  if (!/^\d{1,10}(\.\d{1,6})?$/.test(value.trim())) {
    throw new CliExit(ExitCode.invalid, `--limit-usd expects dollars with at most 6 decimals (e.g. 5 or 0.50), got '${value.slice(0, 40)}'`);
  }
  const [whole, fraction = ''] = value.trim().split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
}
