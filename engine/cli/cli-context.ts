/**
 * What every subcommand shares: exit codes, the store location, the stderr logger, the step
 * registry and the mission loader that turns bad files into `file:line:col` lines and exit 2.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { destination, pino, type Logger } from 'pino';
import { CodedError } from '../../providers/errors.js';
import { loadProjectConfig, projectConfigFileName, type ProjectConfig } from '../config/project-config.js';
import { MissionErrorCode } from '../errors.js';
import { loadMissionFile } from '../mission/load.js';
import type { LoadedMission } from '../mission/types.js';
import { errorsOf, formatIssue, validateMission } from '../mission/validate.js';
import { builtinStepKinds } from '../steps/builtin.js';
import { StepKindRegistry } from '../steps/registry.js';
import { AuditStore } from '../store/index.js';
import { processScrubber } from './scrubbed-output.js';

/** Process exit codes of the `mission` command. */
export const ExitCode = { succeeded: 0, failed: 1, invalid: 2, interrupted: 130, terminated: 143 } as const;

/** Thrown by subcommands to end the process with a code after printing `message` to stderr. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
  }
}

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

/** The levels `--log-level` accepts. */
const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** A pino logger on stderr (never mixed into stdout, where `--json` output goes). */
export function createLogger(requested: string | undefined): Logger {
  const level = requested ?? process.env.MISSION_LOG_LEVEL ?? 'warn';
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

/** The registry of built-in step kinds. */
export function createRegistry(): StepKindRegistry {
  return new StepKindRegistry(builtinStepKinds());
}

/** The `--config` option of the commands that read the project file. */
export const configOptionFlags = '--config <file>';
/** Its help text. */
export const configOptionHelp = `project settings (default: ${projectConfigFileName} in the current directory, when there is one)`;

/** Loads the project file (`--config`, else mission.config.yaml here); problems exit 2 as `file:line:column` lines. */
export async function loadProjectConfigOrExit(configPath: string | undefined): Promise<ProjectConfig> {
  try {
    return await loadProjectConfig({ path: configPath });
  } catch (error) {
    throw new CliExit(ExitCode.invalid, error instanceof CodedError ? error.message : String(error));
  }
}

/**
 * Loads and validates a mission; prints each problem as `file:line:column: message` and exits 2
 * when any is an error (warnings are printed, and the mission goes on). Routes the project file
 * defines count as defined.
 */
export async function loadValidMission(
  file: string,
  registry: StepKindRegistry,
  providedVars: string[] = [],
  project?: ProjectConfig,
  allowUnsafe: string[] = [],
): Promise<LoadedMission> {
  let loaded: LoadedMission;
  try {
    loaded = await loadMissionFile(file);
  } catch (error) {
    throw new CliExit(ExitCode.invalid, error instanceof CodedError ? error.message : String(error));
  }
  const issues = validateMission(loaded, registry, { providedVars, allowUnsafe, projectRoutes: Object.keys(project?.llm.routes ?? {}) });
  if (errorsOf(issues).length > 0) throw new CliExit(ExitCode.invalid, issues.map(formatIssue).join('\n'));
  for (const warning of issues) process.stderr.write(`${formatIssue(warning)}\n`);
  return loaded;
}

/** Parses repeated `--var key=value`; values that read as JSON (numbers, booleans, lists) are parsed. */
export function parseVars(pairs: string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new CliExit(ExitCode.invalid, `--var expects key=value, got '${pair}'`);
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

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
