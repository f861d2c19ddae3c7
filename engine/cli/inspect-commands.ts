/**
 * Commands that read without running: `validate`, `plan`, `kinds`, `runs`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { planLevels } from '../mission/plan.js';
import { unsupportedRustchainKinds } from '../steps/registry.js';
import { displayStatus } from './audit-options.js';
import { configOptionFlags, configOptionHelp, createRegistry, loadProjectConfigOrExit, loadValidMission, openStore, storeExists, type StoreOptions } from './cli-context.js';

/** Registers `validate`, `plan`, `kinds` and `runs`. */
export function registerInspectCommands(program: Command): void {
  program
    .command('kinds')
    .description('list the step kinds missions can use, and the RustChain kinds not supported yet')
    .option('--json', 'print JSON (each kind with its parameter schema)')
    .action((options: { json?: boolean }) => {
      const registry = createRegistry();
      const kinds = registry.names().map((name) => registry.get(name)!);
      if (options.json) {
        const supported = kinds.map((kind) => ({ name: kind.name, description: kind.description, parameters: kind.parameters }));
        process.stdout.write(`${JSON.stringify({ kinds: supported, unsupported: [...unsupportedRustchainKinds].sort() })}\n`);
        return;
      }
      for (const kind of kinds) process.stdout.write(`${kind.name.padEnd(16)} ${kind.description}\n`);
      process.stdout.write(`\nRustChain kinds not supported yet: ${[...unsupportedRustchainKinds].sort().join(', ')}\n`);
    });

  program
    .command('validate')
    .description('check a mission file; problems are printed as file:line:column: message')
    .argument('<file>', 'mission file')
    .option('--var <key=value>', 'variables the run will provide (repeatable)', (value: string, previous: string[] = []) => [...previous, value], [])
    .option(configOptionFlags, configOptionHelp)
    .action(async (file: string, options: { var: string[]; config?: string }) => {
      const names = options.var.map((pair) => pair.split('=')[0]);
      const project = await loadProjectConfigOrExit(options.config);
      const loaded = await loadValidMission(file, createRegistry(), names, project);
      const count = loaded.mission.steps.length;
      process.stdout.write(`${file}: valid (${count} ${count === 1 ? 'step' : 'steps'})\n`);
    });

  program
    .command('plan')
    .description('show which steps can run together, level by level')
    .argument('<file>', 'mission file')
    .option('--json', 'print {levels: [[ids…], …], cost?: {worstCaseMicros, typicalMicros, steps, …}}')
    .option(configOptionFlags, configOptionHelp)
    .action(async (file: string, options: { json?: boolean; config?: string }) => {
      const project = await loadProjectConfigOrExit(options.config);
      const loaded = await loadValidMission(file, createRegistry(), [], project);
      const levels = planLevels(loaded.mission);
      const { planCost, formatPlanCost } = await import('../cost/plan-cost.js');
      const cost = await planCost(loaded.mission);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(cost ? { levels, cost } : { levels })}\n`);
        return;
      }
      levels.forEach((level, index) => process.stdout.write(`${index + 1}. ${level.join(', ')}\n`));
      if (cost) process.stdout.write(formatPlanCost(cost));
    });

  program
    .command('runs')
    .description('list recent runs, newest first; a run whose process is gone shows as interrupted (resume it with mission resume)')
    .option('--db <path>', 'audit database (default: $MISSION_DB, else .mission/state.db)')
    .option('--limit <n>', 'how many', parseLimit, 20)
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

/** `--limit`: a positive whole number; anything else is a usage error (exit 2). */
function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return limit;
}
