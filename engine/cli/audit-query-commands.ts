/**
 * `mission audit query` (events by type, run and time) and `mission audit export --jsonl` (every
 * event, one JSON object per line, with its hashes so the chain can be checked elsewhere).
 */
import type { Command } from 'commander';
import { addDatabaseOption, parseLimitOption, parseTimeOption, payloadFields, writeOut } from './audit-options.js';
import { eventLine } from './audit-show-command.js';
import { CliExit, ExitCode, openExistingStore, type StoreOptions } from './cli-context.js';

/** How many events `query` prints unless `--limit` says otherwise. */
const defaultQueryLimit = 1_000;

interface QueryOptions extends StoreOptions {
  type?: string;
  run?: string;
  since?: Date;
  limit: number;
  json?: boolean;
}

/** Registers `query` and `export` on the `audit` group. */
export function registerAuditQueries(audit: Command): void {
  addDatabaseOption(
    audit
      .command('query')
      .description('list events across runs, oldest run first, filtered by type, run and time')
      .option('--type <type>', 'only events of this type, e.g. safety-intervention or llm-retry')
      .option('--run <id>', 'only this run\'s events')
      .option('--since <date>', 'only events since an ISO date (2026-01-31) or for a duration back (7d, 12h, 30m)', (value: string) => parseTimeOption(value))
      .option('--limit <n>', 'print at most n events', parseLimitOption, defaultQueryLimit),
  )
    .option('--json', 'print the events as one JSON array')
    .action((options: QueryOptions) => {
      const store = openExistingStore(options);
      try {
        if (options.run && !store.getRun(options.run)) throw new CliExit(ExitCode.failed, `no run with id ${options.run}`);
        const events = [];
        let more = false;
        for (const event of store.queryEvents({ type: options.type, runId: options.run, since: options.since })) {
          if (events.length === options.limit) {
            more = true;
            break;
          }
          events.push(event);
        }
        if (options.json) {
          process.stdout.write(`${JSON.stringify(events)}\n`);
        } else {
          if (events.length === 0) process.stdout.write('no matching events\n');
          for (const event of events) process.stdout.write(`${event.runId} ${eventLine(event)}\n`);
        }
        // On stderr, so the JSON on stdout stays one array.
        if (more) process.stderr.write(`more events match than the ${options.limit} printed; narrow the query or raise --limit\n`);
      } finally {
        store.close();
      }
    });

  addDatabaseOption(
    audit
      .command('export')
      .description('write every event as JSON Lines (one object per line, with index, hash and prevHash), oldest run first')
      .option('--jsonl', 'JSON Lines output (the only format, and required)')
      .option('--payloads', 'include each event\'s payload (payloadStatus: present, erased or missing)')
      .option('--run <id>', 'only this run'),
  ).action(async (options: StoreOptions & { jsonl?: boolean; payloads?: boolean; run?: string }) => {
    if (!options.jsonl) throw new CliExit(ExitCode.invalid, 'choose an export format: --jsonl');
    const store = openExistingStore(options);
    try {
      if (options.run && !store.getRun(options.run)) throw new CliExit(ExitCode.failed, `no run with id ${options.run}`);
      for (const event of store.queryEvents({ runId: options.run })) {
        const line = options.payloads ? { ...event, ...payloadFields(store, event) } : event;
        await writeOut(`${JSON.stringify(line)}\n`);
      }
    } finally {
      store.close();
    }
  });
}
