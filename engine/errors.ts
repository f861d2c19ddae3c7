/**
 * Engine errors: one class, {@link MissionError}, with stable `MISSION_ERR_*` codes (catalogued in
 * `docs/errors.md`). It shares its base, {@link CodedError}, with the LLM layer's errors.
 */
import { CodedError, type CodedErrorOptions } from '../providers/errors.js';

/** Stable codes of engine errors. */
export const MissionErrorCode = {
  /** The mission file could not be read or parsed. */
  load: 'MISSION_ERR_LOAD',
  /** The project file (`mission.config.yaml` or `--config`) cannot be read, parsed or validated. */
  config: 'MISSION_ERR_CONFIG',
  /** The mission failed validation. */
  invalid: 'MISSION_ERR_INVALID',
  /** A step's parameters were wrong at run time (after templates were rendered). */
  parameters: 'MISSION_ERR_PARAMETERS',
  /** A template or condition could not be evaluated. */
  template: 'MISSION_ERR_TEMPLATE',
  /** A file step tried to leave the workspace. */
  pathEscape: 'MISSION_ERR_PATH_ESCAPE',
  /** A file or directory a step needs does not exist. */
  fileNotFound: 'MISSION_ERR_FILE_NOT_FOUND',
  /** A filesystem operation failed. */
  io: 'MISSION_ERR_IO',
  /** A command exited with a non-zero status. */
  commandFailed: 'MISSION_ERR_COMMAND_FAILED',
  /** A command could not be started. */
  commandSpawn: 'MISSION_ERR_COMMAND_SPAWN',
  /** An HTTP step got an unexpected status. */
  httpStatus: 'MISSION_ERR_HTTP_STATUS',
  /** An HTTP step could not reach its server. */
  httpConnection: 'MISSION_ERR_HTTP_CONNECTION',
  /** Input data (JSON, YAML, CSV) could not be parsed. */
  parse: 'MISSION_ERR_PARSE',
  /** Data did not match a JSON Schema. */
  schemaMismatch: 'MISSION_ERR_SCHEMA_MISMATCH',
  /** A step ran past its timeout. */
  stepTimeout: 'MISSION_ERR_STEP_TIMEOUT',
  /** The mission ran past its timeout. */
  missionTimeout: 'MISSION_ERR_MISSION_TIMEOUT',
  /** The run was cancelled (Ctrl-C, AbortSignal). */
  cancelled: 'MISSION_ERR_CANCELLED',
  /** A step kind exists in RustChain but is not supported here yet. */
  unsupportedStep: 'MISSION_ERR_UNSUPPORTED_STEP',
  /** A run id that is not in the store. */
  runNotFound: 'MISSION_ERR_RUN_NOT_FOUND',
  /** A run that cannot be resumed (already finished, or its mission file changed). */
  notResumable: 'MISSION_ERR_NOT_RESUMABLE',
  /**
   * The audit store refused a write: a run id used twice, another writer appended to the same run,
   * or a value with no JSON form (non-finite number, bigint, cycle).
   */
  auditStore: 'MISSION_ERR_AUDIT_STORE',
  /**
   * The audit store's file is damaged: not a database, truncated, or missing a table or column
   * this code needs. Nothing can be read or verified; restore it from a copy.
   */
  auditStoreDamaged: 'MISSION_ERR_AUDIT_STORE_DAMAGED',
  /** Something a step needs is missing before the run starts (e.g. an LLM provider). */
  preflight: 'MISSION_ERR_PREFLIGHT',
  /** An `agent` ended with an empty final answer (no text, no tool call) without `allow_empty_answer`. */
  emptyAnswer: 'MISSION_ERR_EMPTY_ANSWER',
  /** A template is nested deeper, or an expression is longer, than the documented limits. */
  templateTooComplex: 'MISSION_ERR_TEMPLATE_TOO_COMPLEX',
  /** A step's Retry-After hint asks for a longer wait than `retry.max_retry_after_ms` or the step's deadline allows. */
  retryAfterTooLong: 'MISSION_ERR_RETRY_AFTER_TOO_LONG',
  /** The command line cannot be acted on: a bad option value, a missing store or directory. */
  usage: 'MISSION_ERR_USAGE',
  /** A step failed for a reason of its own. */
  stepFailed: 'MISSION_ERR_STEP_FAILED',
} as const;

/** One of {@link MissionErrorCode}'s values. */
export type MissionErrorCodeValue = (typeof MissionErrorCode)[keyof typeof MissionErrorCode];

/**
 * Codes no retry can fix (the step would fail the same way again) or that are not step failures
 * at all. A {@link MissionError} with one of these is not retryable unless it says otherwise; any
 * other code is retryable unless it says otherwise (an `http` step's 404 does). The step retry
 * policy reads the flag, as `docs/errors.md` documents per code.
 */
const notRetryableByDefault: ReadonlySet<string> = new Set<string>([
  MissionErrorCode.load,
  MissionErrorCode.invalid,
  MissionErrorCode.parameters,
  MissionErrorCode.template,
  MissionErrorCode.templateTooComplex,
  MissionErrorCode.pathEscape,
  MissionErrorCode.missionTimeout,
  MissionErrorCode.cancelled,
  MissionErrorCode.unsupportedStep,
  MissionErrorCode.runNotFound,
  MissionErrorCode.notResumable,
  MissionErrorCode.auditStore,
  MissionErrorCode.preflight,
  MissionErrorCode.retryAfterTooLong,
  MissionErrorCode.usage,
]);

/** Whether errors with `code` are retryable when they do not say (see {@link MissionError}). */
export function retryableByDefault(code: string): boolean {
  return !notRetryableByDefault.has(code);
}

/** An error raised by the engine or a step. `isRetryable` defaults by code (see {@link retryableByDefault}). */
export class MissionError extends CodedError {
  constructor(code: MissionErrorCodeValue, message: string, options: CodedErrorOptions = {}) {
    super(code, message, { ...options, isRetryable: options.isRetryable ?? retryableByDefault(code) });
  }
}
