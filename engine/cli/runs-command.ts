/**
 * `mission runs`: recent runs from the audit store (none, without creating one, when it does not exist).
 */
import type { Command } from 'commander';
import { displayStatus } from './audit-options.js';
import { openStore, storeExists, type StoreOptions } from './cli-context.js';
import { databaseOption, wholeNumber } from './option-parsers.js';

/** Registers `runs`. */
export function register(program: Command): void {
  program
    .command('runs')
    .description('list recent runs, newest first; a run whose process is gone shows as interrupted (resume it with mission resume)')
    .addOption(databaseOption())
    .option('--limit <n>', 'how many runs to list, newest first', wholeNumber({ min: 1, max: 100_000 }), 20)
    .option('--json', 'print JSON')
    .action((options: StoreOptions & { limit: number; json?: boolean }) => {
      // No store yet simply means no runs yet; listing them must not create one.
      const store = storeExists(options) ? openStore(options) : undefined;
      try {
        const runs = (store?.listRuns({ limit: options.limit }) ?? []).map((run) => ({
          id: run.runId,
          mission: run.missionName,
          status: displayStatus(run),
          start: run.startedAt,
          end: run.endedAt,
        }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(runs)}\n`);
          return;
        }
        if (runs.length === 0) process.stdout.write('no runs yet\n');
        for (const run of runs) process.stdout.write(`${run.id}  ${run.status.padEnd(11)} ${run.start}  ${run.mission}\n`);
      } finally {
        store?.close();
      }
    });
}
