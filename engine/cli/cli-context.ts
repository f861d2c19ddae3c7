/**
 * What store-using subcommands share: the store location, opening it, the stderr logger, and
 * `--var` parsing. Loads the audit store and pino, so commands that need neither (`validate`,
 * `plan`, `kinds`) import `cli-exit.ts` and `option-parsers.ts` instead.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { destination, pino, type Logger } from 'pino';
import { CodedError } from '../../providers/errors.js';
import { MissionErrorCode } from '../errors.js';
import { AuditStore } from '../store/index.js';
import { CliExit, ExitCode } from './cli-exit.js';
import { logLevels } from './option-parsers.js';
import { processScrubber } from './scrubbed-output.js';

export { CliExit, ExitCode } from './cli-exit.js';
export { collect } from './option-parsers.js';

/** Options common to subcommands that touch the store. */
export interface StoreOptions {
  db?: string;
}

/** The database path: `--db`, else `MISSION_DB`, else `.mission/state.db` under the working directory. */
export function databasePath(options: StoreOptions): string {
  return path.resolve(options.db || process.env.MISSION_DB || path.join('.mission', 'state.db'));
}

/** Opens (or creates) the audit store, HMAC-signing chain heads when `MISSION_AUDIT_KEY` is set. */
export function openStore(options: StoreOptions): AuditStore {
  const file = databasePath(options);
  try {
    return AuditStore.open(file, { auditKey: process.env.MISSION_AUDIT_KEY || undefined });
  } catch (error) {
    // A damaged file is not a path problem: report it as what it is (exit 1, with its code).
    if (error instanceof CodedError && error.code === MissionErrorCode.auditStoreDamaged) throw error;
    // A directory, a path through a file, a read-only place: a usage problem, not a crash.
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new CliExit(ExitCode.invalid, `cannot open the audit store at ${file} (${reason}): point --db or MISSION_DB at a file that can be created`);
  }
}

/** Whether a store exists where {@link openStore} would open it. */
export function storeExists(options: StoreOptions): boolean {
  return existsSync(databasePath(options));
}

/**
 * Opens a store that must already exist: reading commands never create one (an empty new store
 * would, say, "verify" a mistyped path as intact).
 */
export function openExistingStore(options: StoreOptions): AuditStore {
  if (!storeExists(options)) {
    throw new CliExit(ExitCode.invalid, `no audit store at ${databasePath(options)}: run a mission first, or point --db or MISSION_DB at an existing store`);
  }
  return openStore(options);
}

/** Credential fields, and the provider headers that carry credentials. */
const secretFields = ['apiKey', 'authorization', 'Authorization'];
const secretHeaders = ['authorization', 'Authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'x-amz-security-token'];
/** pino paths name fixed depths: list each field at the top of a log line and one object down. */
const redactedPaths = [...secretFields, ...secretHeaders.map((header) => `headers[${JSON.stringify(header)}]`)].flatMap((field) => [field, `*.${field}`]);

/** A pino logger on stderr (never mixed into stdout, where `--json` output goes). */
export function createLogger(requested: string | undefined): Logger {
  const level = requested || process.env.MISSION_LOG_LEVEL || 'warn';
  if (!logLevels.includes(level)) throw new CliExit(ExitCode.invalid, `unknown log level '${level}': use one of ${logLevels.join(', ')}`);
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      // Paths catch known fields; credential values are masked wherever else they appear.
      hooks: { streamWrite: (line: string) => processScrubber().text(line) },
    },
    destination({ fd: 2, sync: true }),
  );
}

/** Parses repeated `--var key=value`; values that read as JSON (numbers, booleans, lists) are parsed. */
export function parseVars(pairs: string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new CliExit(ExitCode.invalid, `--var expects key=value, got '${pair.length > 60 ? `${pair.slice(0, 57)}...` : pair}'`);
    const key = pair.slice(0, equals);
    const raw = pair.slice(equals + 1);
    vars[key] = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(raw.trim()) ? tryJson(raw) : raw;
  }
  return vars;
}

function tryJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
