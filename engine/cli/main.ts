#!/usr/bin/env node
/**
 * The `mission` command. Exit codes: 0 succeeded, 1 failed, 2 invalid mission or usage,
 * 130 interrupted (Ctrl-C), 143 terminated (SIGTERM). Errors print as `CODE: message`.
 *
 * Commands are declared in `command-table.ts`, which also explains how they load lazily: only
 * commander and the invoked command's module load at start-up.
 */
import { Command, CommanderError } from 'commander';
import { CodedError } from '../../providers/errors.js';
import { CliExit, ExitCode, usageErrorCode } from './cli-exit.js';
import { registerCommands } from './command-table.js';
import { installOutputScrubbing, processScrubber } from './scrubbed-output.js';

// Before anything prints: no credential value of this environment reaches the terminal.
installOutputScrubbing();

const program = new Command('mission')
  .description('Run YAML missions — multi-step agent pipelines — with a tamper-evident audit trail.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride()
  // commander's own usage errors read like every other error: `MISSION_ERR_USAGE: …`.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, `${usageErrorCode}: `)) });

// A reader that stops early (`mission runs | head -1`) closes the pipe: further output is
// dropped rather than crashing the process, so a running mission still finishes and records.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

try {
  await registerCommands(program, process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : ExitCode.invalid;
  } else if (error instanceof CliExit) {
    const line = error.describe();
    if (line) process.stderr.write(`${line}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof CodedError) {
    process.stderr.write(`${error.code}: ${processScrubber().message(error.message)}\n`);
    process.exitCode = error.code === 'MISSION_ERR_INVALID' || error.code === 'MISSION_ERR_PREFLIGHT' ? ExitCode.invalid : ExitCode.failed;
  } else {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = ExitCode.failed;
  }
}
