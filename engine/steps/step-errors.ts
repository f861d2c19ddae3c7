/**
 * Error helpers shared by the built-in step kinds: cancellation, file-system failures mapped to
 * stable codes, and errors that carry the step's partial output for the runner to record.
 */
import { MissionError, MissionErrorCode, type MissionErrorCodeValue } from '../errors.js';

/** A {@link MissionError} that carries what the step produced before failing (e.g. a command's stdout). */
export type MissionErrorWithOutput = MissionError & { readonly output: unknown };

/**
 * Creates a {@link MissionError} with `output` attached, so the runner can record the failed
 * step's output (a command's stderr, an HTTP error body) next to the error.
 */
export function missionErrorWithOutput(
  code: MissionErrorCodeValue,
  message: string,
  output: unknown,
  options: { cause?: unknown; isRetryable?: boolean } = {},
): MissionErrorWithOutput {
  const error = new MissionError(code, message, options);
  // Defined, not assigned, so it stays out of `toJSON()` (which must stay small for the audit store).
  Object.defineProperty(error, 'output', { value: output, enumerable: true });
  return error as MissionErrorWithOutput;
}

/**
 * The error a step throws when its signal fires. The runner aborts with its own reason (a step
 * timeout, a cancellation) when it has one; that reason is kept so the failure says why.
 */
export function abortError(signal: AbortSignal): MissionError {
  const reason: unknown = signal.reason;
  if (reason instanceof MissionError) return reason;
  return new MissionError(MissionErrorCode.cancelled, 'step was cancelled', { cause: reason });
}

/** Throws {@link abortError} if the signal has already fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/** Friendly words for the errno codes users actually meet. */
const errnoWords: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory is not empty',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
};

/**
 * Maps a Node file-system error to a {@link MissionError}. The message names the path as the
 * user wrote it: Node's own messages carry absolute machine paths, so they live only in `cause`.
 */
export function fileSystemError(error: unknown, action: string, userPath: string, signal?: AbortSignal): MissionError {
  if (error instanceof MissionError) return error;
  if (signal?.aborted) return abortError(signal);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ABORT_ERR') return new MissionError(MissionErrorCode.cancelled, 'step was cancelled', { cause: error });
  if (code === 'ENOENT') {
    return new MissionError(MissionErrorCode.fileNotFound, `cannot ${action} "${userPath}": no such file or directory`, { cause: error });
  }
  const words = (code && errnoWords[code]) ?? code ?? 'unknown error';
  return new MissionError(MissionErrorCode.io, `cannot ${action} "${userPath}": ${words}`, { cause: error });
}
