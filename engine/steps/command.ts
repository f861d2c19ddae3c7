/**
 * `command`: runs a program without a shell, inside the workspace, with capped output. A non-zero
 * exit fails the step with the output attached; abort or timeout stops the whole process tree.
 */
import { stat } from 'node:fs/promises';
import { MissionError, MissionErrorCode, type MissionErrorCodeValue } from '../errors.js';
import { splitCommandLine } from './command-line.js';
import { defineStepKind } from './define-step.js';
import { runProcess, type ProcessResult } from './process-runner.js';
import { abortError, fileSystemError, missionErrorWithOutput, throwIfAborted } from './step-errors.js';
import { resolveInWorkspace } from './workspace-path.js';

/** Bytes kept per output stream unless `max_output_bytes` says otherwise. */
export const defaultMaxOutputBytes = 1024 * 1024;

/** Parameters of `command`. The three working-directory spellings all occur in RustChain files. */
export interface CommandParameters {
  command: string;
  /** Absent: `command` is split into words (no shell involved); present: `command` is the program. */
  args?: string[];
  env?: Record<string, string>;
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

/** The `command` step kind. Output: `{command, args, exit_code, stdout, stderr, stdout_truncated, stderr_truncated}`. */
export const commandStep = defineStepKind<CommandParameters>({
  name: 'command',
  description: 'Run a program (no shell) in the workspace',
  parameters: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1 },
      args: { type: 'array', items: { type: 'string' } },
      env: { type: 'object', additionalProperties: { type: 'string' } },
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
    const cwd = await resolveInWorkspace(context.workspace, directoryPath);
    try {
      // Checked here because spawn reports a missing cwd as ENOENT, indistinguishable from a missing program.
      if (!(await stat(cwd)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (error) {
      throw fileSystemError(error, 'use as working directory', directoryPath, context.signal);
    }
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...context.env, ...parameters.env })) {
      if (value !== undefined) env[name] = value;
    }

    let result: ProcessResult;
    try {
      result = await runProcess({
        command,
        args,
        cwd,
        env,
        maxOutputBytes: parameters.max_output_bytes,
        timeoutMs: parameters.timeout_seconds === undefined ? undefined : parameters.timeout_seconds * 1000,
        signal: context.signal,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'command not found' : code === 'EACCES' ? 'command is not executable' : 'command could not be started';
      throw new MissionError(MissionErrorCode.commandSpawn, `${reason}: ${command}`, { cause: error });
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
