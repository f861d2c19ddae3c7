/**
 * `mission audit show <run-id> [--payloads] [--json]`: a run's events in order, and with
 * `--payloads` what they recorded (prompts, completions, tool calls, step outputs, errors).
 */
import type { Command } from 'commander';
import type { StoredEvent } from '../store/index.js';
import { addDatabaseOption, displayStatus, payloadFields } from './audit-options.js';
import { CliExit, ExitCode, openExistingStore, type StoreOptions } from './cli-context.js';

/** Longest payload printed in text mode; `--json` prints them whole. */
const maxPrintedPayloadChars = 4_000;

/** Registers `show` on the `audit` group. */
export function registerAuditShow(audit: Command): void {
  addDatabaseOption(
    audit
      .command('show')
      .description("print a run's events in order; with --payloads, what each recorded ([erased] where erased)")
      .argument('<run-id>', 'run id'),
  )
    .option('--payloads', 'print each event\'s payload (prompt, completion, tool call, step output, error) beside it')
    .option('--json', 'print the events as one JSON array (with --payloads, each with payloadStatus and payload)')
    .action((runId: string, options: StoreOptions & { json?: boolean; payloads?: boolean }) => {
      const store = openExistingStore(options);
      try {
        const run = store.getRun(runId);
        if (!run) throw new CliExit(ExitCode.failed, `no run with id ${runId}`);
        const events = store.events(runId);
        if (options.json) {
          const printed = options.payloads ? events.map((event) => ({ ...event, ...payloadFields(store, event) })) : events;
          process.stdout.write(`${JSON.stringify(printed)}\n`);
          return;
        }
        if (options.payloads) {
          const erased = run.erasedAt ? `; erased ${run.erasedAt}` : '';
          process.stdout.write(`run ${run.runId} (${run.missionName}) ${displayStatus(run)}, started ${run.startedAt}${erased}\n`);
        }
        for (const event of events) {
          process.stdout.write(`${eventLine(event)}\n`);
          if (options.payloads && event.payloadHash !== undefined) {
            const fields = payloadFields(store, event);
            const text = fields.payloadStatus === 'present' ? clip(JSON.stringify(fields.payload)) : `[${fields.payloadStatus}]`;
            process.stdout.write(`    payload: ${text}\n`);
          }
        }
      } finally {
        store.close();
      }
    });
}

/** One event as a line: `#index at type [step] {data}`. */
export function eventLine(event: StoredEvent): string {
  const data = Object.keys(event.data).length ? ` ${JSON.stringify(event.data)}` : '';
  return `#${event.index} ${event.at} ${event.type}${event.stepId ? ` [${event.stepId}]` : ''}${data}`;
}

function clip(text: string): string {
  if (text.length <= maxPrintedPayloadChars) return text;
  return `${text.slice(0, maxPrintedPayloadChars)}… (${text.length - maxPrintedPayloadChars} more characters; --json prints it whole)`;
}
