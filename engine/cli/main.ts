#!/usr/bin/env node
/**
 * The `mission` command. Exit codes: 0 succeeded, 1 failed, 2 invalid mission or usage,
 * 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
 */
import { Command, CommanderError } from 'commander';
import { CodedError } from '../../providers/errors.js';
import { registerAuditCommands } from './audit-command.js';
import { CliExit, ExitCode } from './cli-context.js';
import { registerBudgetCommands, registerCostCommands } from './cost-register.js';
import { registerInspectCommands } from './inspect-commands.js';
import { registerProvidersCommand } from './providers-command.js';
import { registerRunCommands } from './run-command.js';
import { registerSafetyCommands } from './safety-command.js';
import { registerSafetyReport } from './safety-report-command.js';
import { installOutputScrubbing, processScrubber } from './scrubbed-output.js';

// Before anything prints: no credential value of this environment reaches the terminal.
installOutputScrubbing();

const program = new Command('mission')
  .description('Run YAML missions — multi-step agent pipelines — with a tamper-evident audit trail.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

// A reader that stops early (`mission runs | head -1`) closes the pipe: further output is
// dropped rather than crashing the process, so a running mission still finishes and records.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

registerRunCommands(program);
registerInspectCommands(program);
registerAuditCommands(program);
registerProvidersCommand(program);
registerCostCommands(program);
registerBudgetCommands(program);
// `safety` is shared: its subcommands are registered by the modules that own them.
registerSafetyReport(registerSafetyCommands(program));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : ExitCode.invalid;
  } else if (error instanceof CliExit) {
    if (error.message) process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof CodedError) {
    process.stderr.write(`${error.code}: ${processScrubber().message(error.message)}\n`);
    process.exitCode = error.code === 'MISSION_ERR_INVALID' || error.code === 'MISSION_ERR_PREFLIGHT' ? ExitCode.invalid : ExitCode.failed;
  } else {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = ExitCode.failed;
  }
}
