/**
 * The `safety` command group. Each subcommand's module is loaded only when it runs, so
 * `mission --help` and the other commands do not pay for the safety policy's detectors.
 *
 * - `safety scan`  — content safety policy over a text or JSON Lines (`safety-scan-command.ts`)
 * - `safety check` — mission safety checks (`safety-check-command.ts`)
 * - `safety report` — registered by the audit store's module (`safety-report-command.ts`) on the
 *   group this function returns.
 */
import type { Command } from 'commander';

/** Registers `safety scan` and `safety check`; returns the group for further subcommands. */
export function registerSafetyCommands(program: Command): Command {
  const safety = program.command('safety').description('content safety: scan texts with the policy, check missions before they run');

  safety
    .command('scan')
    .description('scan a text (or JSON Lines of {"id","text"}) with the content safety policy; exit 1 when something would be blocked')
    .argument('[file]', "file to scan, or '-' for stdin (default: stdin)")
    .option('--policy <file>', 'safety policy (YAML/JSON: the safety block, a safety: key, or llm: { safety: … })')
    .option('--level <level>', 'policy preset: strict, moderate or permissive (over --policy)')
    .option('--json', 'print {action, findings: [{rule, category, start, end, action, reason}], redacted}')
    .option('--jsonl', 'read JSON Lines {"id","text"}; print one {id, action, findings} line per input')
    .action(async (file: string | undefined, options) => {
      const { runSafetyScan } = await import('./safety-scan-command.js');
      await runSafetyScan(file, options);
    });

  safety
    .command('check')
    .description('run the mission safety checks (dangerous commands, system paths, plain http, literal secrets, timeouts); exit 1 when one fails')
    .argument('<file>', 'mission file')
    .option('--json', 'print {file, passed, checks: [{check, risk, fails, message, hint, stepId, line, column, pointer}]}')
    .option('--strict', 'strict mode: plain http and missing timeouts fail too')
    .action(async (file: string, options) => {
      const { runSafetyCheck } = await import('./safety-check-command.js');
      await runSafetyCheck(file, options);
    });

  return safety;
}
