/**
 * `mission audit`: `verify` and `erase` here; `show`, `query`, `export` and `prune` in their own
 * files.
 */
import type { Command } from 'commander';
import { registerAuditPrune } from './audit-prune-command.js';
import { addDatabaseOption } from './audit-options.js';
import { registerAuditQueries } from './audit-query-commands.js';
import { registerAuditShow } from './audit-show-command.js';
import { CliExit, ExitCode, openExistingStore, type StoreOptions } from './cli-context.js';

/** Registers the `audit` command group. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('inspect, query, export, erase and verify the tamper-evident audit trail');

  addDatabaseOption(
    audit
      .command('verify')
      .description('recompute the hash chains, run records and run index; exit 1 naming the first thing that does not match')
      .option('--run <id>', 'verify one run only'),
  )
    .option('--json', 'print the report as JSON')
    .action((options: StoreOptions & { run?: string; json?: boolean }) => {
      const store = openExistingStore(options);
      try {
        if (options.run && !store.getRun(options.run)) throw new CliExit(ExitCode.failed, `no run with id ${options.run}`);
        const report = store.verify({ runId: options.run });
        if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else if (report.ok) {
          const signing = report.signed ? 'runs and run index authenticated with MISSION_AUDIT_KEY' : 'not authenticated (MISSION_AUDIT_KEY not set)';
          process.stdout.write(`audit chain intact: ${report.runsChecked} runs, ${report.eventsChecked} events; ${signing}\n`);
        } else {
          const run = report.problem?.runId === '*' ? 'the run index' : `run ${report.problem?.runId}`;
          const where = report.problem?.index === undefined ? '' : ` event #${report.problem.index}`;
          process.stdout.write(`audit chain BROKEN at ${run}${where}: ${report.problem?.reason}\n`);
        }
        if (!report.ok) process.exitCode = ExitCode.failed;
      } finally {
        store.close();
      }
    });

  registerAuditShow(audit);

  addDatabaseOption(
    audit
      .command('erase')
      .description("erase one run's payloads (step outputs, prompts, completions, error messages), mission source and variables, for a privacy request; other runs keep theirs and the chain still verifies")
      .argument('<run-id>', 'run id'),
  ).action((runId: string, options: StoreOptions) => {
    const store = openExistingStore(options);
    try {
      if (!store.getRun(runId)) throw new CliExit(ExitCode.failed, `no run with id ${runId}`);
      const erased = store.erasePayloads(runId);
      process.stdout.write(`erased ${erased} payloads of run ${runId}, and its mission source and variables; its events and hash chain are kept\n`);
    } finally {
      store.close();
    }
  });

  registerAuditQueries(audit);
  registerAuditPrune(audit);
}
