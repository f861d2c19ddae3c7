/**
 * `command`: runs a program without a shell, inside the workspace, with capped output. A non-zero
 * exit fails the step with the output attached; abort or timeout stops the whole process tree.
 */
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { MissionError, MissionErrorCode, type MissionErrorCodeValue } from '../errors.js';
import { childEnvironment } from './child-environment.js';
import { splitCommandLine } from './command-line.js';
import { renderCommandParameters } from './command-render.js';
import { defineStepKind } from './define-step.js';
import { currentBootId, readProcessStat } from './process-identity.js';
import { runProcess, type ProcessResult } from './process-runner.js';
import { openDirectoryInWorkspace } from './safe-fs/workspace-files.js';
import { descriptorPathForChild } from './safe-fs/workspace-walk.js';
import { abortError, fileSystemError, missionErrorWithOutput, throwIfAborted } from './step-errors.js';
import type { StepContext, StepKind } from './types.js';

/** Bytes kept per output stream unless `max_output_bytes` says otherwise. */
export const defaultMaxOutputBytes = 1024 * 1024;

/** Parameters of `command`. The three working-directory spellings all occur in RustChain files. */
export interface CommandParameters {
  command: string;
  /** Absent: `command` is split into words (no shell involved); present: `command` is the program. */
  args?: string[];
  env?: Record<string, string>;
  /** Credential variables of the mission's environment to pass to the process (all others are withheld). */
  inherit_env?: string[];
  working_dir?: string;
  working_directory?: string;
  cwd?: string;
  timeout_seconds?: number;
  max_output_bytes: number;
}

/** The output of a `command` step (also attached to its errors as `error.output`). */
export interface CommandOutput {
  command: string;
  args: string[];
  exit_code: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  /** The signal that ended the process, when one did. */
  signal?: string;
}

function programAndArguments(parameters: CommandParameters): { command: string; args: string[] } {
  if (parameters.args !== undefined) return { command: parameters.command, args: parameters.args };
  const [command, ...args] = splitCommandLine(parameters.command);
  if (command === undefined) throw new MissionError(MissionErrorCode.parameters, 'command: "command" is empty');
  return { command, args };
}

function workingDirectory(parameters: CommandParameters): string {
  const given = [parameters.working_dir, parameters.working_directory, parameters.cwd].filter((value) => value !== undefined);
  if (new Set(given).size > 1) {
    throw new MissionError(MissionErrorCode.parameters, 'command: working_dir, working_directory and cwd disagree; give only one');
  }
  return given[0] ?? '.';
}

function toOutput(command: string, args: string[], result: ProcessResult): CommandOutput {
  const output: CommandOutput = {
    command,
    args,
    exit_code: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    stdout_truncated: result.stdoutTruncated,
    stderr_truncated: result.stderrTruncated,
  };
  if (result.exitSignal) output.signal = result.exitSignal;
  return output;
}

/**
 * Opens the working directory race-free and keeps it open while the process starts: the child
 * changes into it through the descriptor, so a swapped symbolic link cannot move it elsewhere.
 */
async function openWorkingDirectory(context: StepContext, directoryPath: string): Promise<FileHandle> {
  try {
    return await openDirectoryInWorkspace(context.workspace, directoryPath);
  } catch (error) {
    // Checked here because spawn reports a missing cwd as ENOENT, indistinguishable from a missing program.
    throw fileSystemError(error, 'use as working directory', directoryPath, context.signal);
  }
}

/**
 * Records the started process (`process-start`, audited) so that a resumed run can stop it if
 * this process dies without doing so; start time and boot id make the record unambiguous.
 */
function recordProcessStart(context: StepContext, pid: number): void {
  try {
    const stat = readProcessStat(pid);
    context.emit({ type: 'process-start', durable: true, pid, pgid: stat?.pgid ?? pid, startTime: stat?.startTime ?? null, bootId: currentBootId() ?? null });
  } catch (error) {
    context.logger.warn({ err: error, pid }, 'could not record the started process; a resume cannot stop it');
  }
}

/** The `command` step kind. Output: `{command, args, exit_code, stdout, stderr, stdout_truncated, stderr_truncated}`. */
const commandKind = defineStepKind<CommandParameters>({
  name: 'command',
  description: 'Run a program (no shell) in the workspace',
  parameters: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1 },
      args: { type: 'array', items: { type: 'string' } },
      env: { type: 'object', additionalProperties: { type: 'string' } },
      inherit_env: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 256 },
      working_dir: { type: 'string', minLength: 1 },
      working_directory: { type: 'string', minLength: 1 },
      cwd: { type: 'string', minLength: 1 },
      timeout_seconds: { type: 'number', exclusiveMinimum: 0 },
      max_output_bytes: { type: 'integer', minimum: 0, default: defaultMaxOutputBytes },
    },
    required: ['command'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const { command, args } = programAndArguments(parameters);
    const directoryPath = workingDirectory(parameters);
    const directory = await openWorkingDirectory(context, directoryPath);
    const env = childEnvironment(context.env, { inherit: parameters.inherit_env, explicit: parameters.env });

    let result: ProcessResult;
    try {
      result = await runProcess({
        command,
        args,
        cwd: descriptorPathForChild(directory, path.resolve(context.workspace, directoryPath)),
        env,
        maxOutputBytes: parameters.max_output_bytes,
        timeoutMs: parameters.timeout_seconds === undefined ? undefined : parameters.timeout_seconds * 1000,
        signal: context.signal,
        onSpawn: (pid) => recordProcessStart(context, pid),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'command not found' : code === 'EACCES' ? 'command is not executable' : 'command could not be started';
      throw new MissionError(MissionErrorCode.commandSpawn, `${reason}: ${command}`, { cause: error });
    } finally {
      await directory.close();
    }

    const output = toOutput(command, args, result);
    if (result.aborted) {
      const reason = abortError(context.signal);
      throw missionErrorWithOutput(reason.code as MissionErrorCodeValue, reason.message, output, { cause: reason.cause ?? reason });
    }
    if (result.timedOut) {
      throw missionErrorWithOutput(MissionErrorCode.stepTimeout, `command "${command}" timed out after ${parameters.timeout_seconds} s and was stopped`, output);
    }
    if (result.exitCode !== 0) {
      const how = result.exitCode === null ? `was killed by ${result.exitSignal ?? 'a signal'}` : `exited with code ${result.exitCode}`;
      throw missionErrorWithOutput(MissionErrorCode.commandFailed, `command "${command}" ${how}`, output);
    }
    return output;
  },
});

/**
 * The `command` step kind: {@link commandKind} plus its own parameter rendering, which splits a
 * one-string command line into words before templates are rendered (see `command-render.ts`).
 */
export const commandStep: StepKind<Partial<CommandParameters>> = { ...commandKind, renderParameters: renderCommandParameters };
