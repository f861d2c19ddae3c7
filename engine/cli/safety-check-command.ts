/**
 * `mission safety check <file> [--json] [--strict]`: the mission safety checks on their own.
 * Exit 0 when no check fails, 1 when one does, 2 when the file cannot be loaded.
 */
import { CodedError } from '../../providers/errors.js';
import { loadMissionFile } from '../mission/load.js';
import { missionSafetyFindings } from '../mission/safety-check.js';
import { CliExit, ExitCode } from './cli-context.js';

/** Options of `safety check`. */
export interface SafetyCheckOptions {
  json?: boolean;
  strict?: boolean;
}

/** Runs `safety check`. */
export async function runSafetyCheck(file: string, options: SafetyCheckOptions): Promise<void> {
  let loaded;
  try {
    loaded = await loadMissionFile(file);
  } catch (error) {
    throw new CliExit(ExitCode.invalid, error instanceof CodedError ? error.message : String(error));
  }
  const findings = missionSafetyFindings(loaded, { strict: options.strict });
  const failed = findings.some((finding) => finding.fails);
  if (options.json) {
    const checks = findings.map(({ check, risk, fails, message, hint, stepId, line, column, pointer }) => ({ check, risk, fails, message, hint, stepId, line, column, pointer }));
    process.stdout.write(`${JSON.stringify({ file, passed: !failed, checks })}\n`);
  } else {
    for (const finding of findings) {
      process.stdout.write(`${file}:${finding.line}:${finding.column}: ${finding.fails ? 'FAIL' : 'warn'} [${finding.check}, risk ${finding.risk}] ${finding.message}\n  hint: ${finding.hint}\n`);
    }
    process.stdout.write(failed ? `safety check failed: ${findings.filter((finding) => finding.fails).length} failing check(s); run with --allow-unsafe <check> to override\n` : `safety check passed${findings.length > 0 ? ` (${findings.length} warning${findings.length === 1 ? '' : 's'})` : ''}\n`);
  }
  process.exitCode = failed ? ExitCode.failed : ExitCode.succeeded;
}
