/**
 * `mission audit verify` and `mission audit show`.
 */
import type { Command } from 'commander';
import { CliExit, ExitCode, openExistingStore, type StoreOptions } from './cli-context.js';

/** Registers the `audit` command group. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('inspect and verify the tamper-evident audit trail');

  audit
    .command('verify')
    .description('recompute the hash chain; exit 1 naming the first event that does not match')
    .option('--run <id>', 'verify one run only')
    .option('--db <path>', 'audit database')
    .option('--json', 'print the report as JSON')
    .action((options: StoreOptions & { run?: string; json?: boolean }) => {
      const store = openExistingStore(options);
      try {
        if (options.run && !store.getRun(options.run)) throw new CliExit(ExitCode.failed, `no run with id ${options.run}`);
        const report = store.verify({ runId: options.run });
        if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else if (report.ok) {
          const signing = report.signed ? 'heads authenticated with MISSION_AUDIT_KEY' : 'heads not authenticated (MISSION_AUDIT_KEY not set)';
          process.stdout.write(`audit chain intact: ${report.runsChecked} runs, ${report.eventsChecked} events; ${signing}\n`);
        } else {
          const where = report.problem?.index === undefined ? '' : ` event #${report.problem.index}`;
          process.stdout.write(`audit chain BROKEN at run ${report.problem?.runId}${where}: ${report.problem?.reason}\n`);
        }
        if (!report.ok) process.exitCode = ExitCode.failed;
      } finally {
        store.close();
      }
    });

  audit
    .command('show')
    .description("print a run's events in order")
    .argument('<run-id>', 'run id')
    .option('--db <path>', 'audit database')
    .option('--json', 'print the events as one JSON array')
    .action((runId: string, options: StoreOptions & { json?: boolean }) => {
      const store = openExistingStore(options);
      try {
        if (!store.getRun(runId)) throw new CliExit(ExitCode.failed, `no run with id ${runId}`);
        const events = store.events(runId);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(events)}\n`);
          return;
        }
        for (const event of events) {
          const data = Object.keys(event.data).length ? ` ${JSON.stringify(event.data)}` : '';
          process.stdout.write(`#${event.index} ${event.at} ${event.type}${event.stepId ? ` [${event.stepId}]` : ''}${data}\n`);
        }
      } finally {
        store.close();
      }
    });

  audit
    .command('erase')
    .description("erase a run's payloads (step outputs, prompts, completions) for a privacy request; the chain still verifies")
    .argument('<run-id>', 'run id')
    .option('--db <path>', 'audit database')
    .action((runId: string, options: StoreOptions) => {
      const store = openExistingStore(options);
      try {
        if (!store.getRun(runId)) throw new CliExit(ExitCode.failed, `no run with id ${runId}`);
        const erased = store.erasePayloads(runId);
        process.stdout.write(`erased ${erased} payloads of run ${runId}; its events and hash chain are kept\n`);
      } finally {
        store.close();
      }
    });
}
