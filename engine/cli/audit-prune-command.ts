/**
 * `mission audit prune --older-than D`: erases the payloads (and mission sources and variables) of
 * runs that started before D, as `audit erase` does for one run. Events and chains stay, so the
 * store still verifies; runs still running in a live process are left alone.
 */
import type { Command } from 'commander';
import { addDatabaseOption, displayStatus, parseTimeOption } from './audit-options.js';
import { openExistingStore, type StoreOptions } from './cli-context.js';

/** Registers `prune` on the `audit` group. */
export function registerAuditPrune(audit: Command): void {
  addDatabaseOption(
    audit
      .command('prune')
      .description('erase the payloads, mission sources and variables of runs older than a date or duration; the chain still verifies')
      .requiredOption('--older-than <date>', 'runs that started before an ISO date (2026-01-31) or a duration ago (90d, 2w)', (value: string) => parseTimeOption(value))
      .option('--dry-run', 'list the runs that would be erased, and erase nothing'),
  ).action((options: StoreOptions & { olderThan: Date; dryRun?: boolean }) => {
    const store = openExistingStore(options);
    try {
      let runs = 0;
      let payloads = 0;
      let skipped = 0;
      for (const run of store.listRuns({ startedBefore: options.olderThan })) {
        if (run.erasedAt !== undefined) continue;
        // A live run is still writing; erasing under it would lose what it records next.
        if (displayStatus(run) === 'running') {
          skipped += 1;
          continue;
        }
        runs += 1;
        if (options.dryRun) process.stdout.write(`would erase ${run.runId}  ${run.startedAt}  ${run.missionName}\n`);
        else payloads += store.erasePayloads(run.runId);
      }
      const cutoff = options.olderThan.toISOString();
      const live = skipped > 0 ? `; ${skipped} still running, left alone` : '';
      process.stdout.write(
        options.dryRun
          ? `${runs} runs started before ${cutoff} would be erased${live}\n`
          : `erased ${payloads} payloads of ${runs} runs started before ${cutoff}${live}; their events and hash chains are kept\n`,
      );
    } finally {
      store.close();
    }
  });
}
