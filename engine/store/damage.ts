/**
 * Telling a damaged store from an unusable path. A truncated or overwritten file, or a dropped
 * table, is not something `--db` can fix, and must not read as an intact or empty store: it is
 * reported as `MISSION_ERR_AUDIT_STORE_DAMAGED`.
 */
import type Database from 'better-sqlite3';
import { MissionError, MissionErrorCode } from '../errors.js';
import { requiredColumns } from './schema.js';

/** SQLite result codes that mean the file's content is broken. */
const damageCodes = /^SQLITE_(CORRUPT|NOTADB)/;
/** Messages of statements that name a table or column the schema should have. */
const missingSchema = /no such (table|column)/;

/** Whether `error` (from better-sqlite3) says the database is damaged. */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && damageCodes.test(code)) return true;
  return missingSchema.test(String((error as Error)?.message ?? ''));
}

/** A `MISSION_ERR_AUDIT_STORE_DAMAGED` error for the store at `path`. */
export function damagedStore(path: string, detail: string, cause?: unknown): MissionError {
  return new MissionError(
    MissionErrorCode.auditStoreDamaged,
    `The audit store at ${path} is damaged (${detail}); it cannot be read or verified. Restore it from a copy, and keep the damaged file as evidence.`,
    cause === undefined ? {} : { cause },
  );
}

/** Throws `MISSION_ERR_AUDIT_STORE_DAMAGED` when a table or column the store needs is missing. */
export function assertSchemaIntact(database: Database.Database, path: string): void {
  for (const [table, columns] of Object.entries(requiredColumns)) {
    const present = new Set((database.pragma(`table_info(${table})`) as Array<{ name: string }>).map((column) => column.name));
    if (present.size === 0) throw damagedStore(path, `the ${table} table is missing`);
    const missing = columns.filter((column) => !present.has(column));
    if (missing.length > 0) throw damagedStore(path, `the ${table} table lacks ${missing.join(', ')}`);
  }
}

/**
 * Runs SQLite's own structural check (page and index consistency, linear in the file size) and
 * throws when it finds damage: a chain cannot be verified on top of a broken b-tree.
 */
export function assertFileIntact(database: Database.Database, path: string): void {
  let results: string[];
  try {
    results = database.pragma('quick_check(5)', { simple: false }) as unknown as string[];
  } catch (error) {
    throw damagedStore(path, (error as Error).message, error);
  }
  const messages = (results as unknown as Array<Record<string, string>>).map((row) => Object.values(row)[0]);
  if (messages.length !== 1 || messages[0] !== 'ok') throw damagedStore(path, `SQLite's integrity check: ${messages.join('; ')}`);
}

/**
 * An error from SQLite as the store reports it: damage as `MISSION_ERR_AUDIT_STORE_DAMAGED`,
 * coded errors as they are, the rest as `MISSION_ERR_IO` (retryable when the database was busy).
 */
export function classifyStoreError(error: unknown, path: string, doing: string): Error {
  if (error instanceof MissionError) return error;
  if (isDamage(error)) return damagedStore(path, (error as Error).message, error);
  return new MissionError(MissionErrorCode.io, `${doing}: ${(error as Error).message}`, {
    cause: error,
    isRetryable: (error as { code?: string }).code === 'SQLITE_BUSY',
  });
}
