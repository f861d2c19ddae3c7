/**
 * `mission validate <file>` and `mission plan <file>`: read a mission without running it. Neither
 * touches the audit store nor loads the LLM layer.
 */
import type { Command } from 'commander';
import { planLevels } from '../mission/plan.js';
import { loadValidMission } from './mission-loading.js';
import { collect } from './option-parsers.js';

/** Registers `validate` and `plan`. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check a mission file; problems are printed as file:line:column: message')
    .argument('<file>', 'mission file (.yaml, .yml or .json)')
    .option('--var <key=value>', 'a variable the run will provide (repeatable)', collect)
    .action(async (file: string, options: { var?: string[] }) => {
      const names = (options.var ?? []).map((pair) => pair.split('=')[0]);
      const { loaded } = await loadValidMission(file, names);
      const count = loaded.mission.steps.length;
      process.stdout.write(`${file}: valid (${count} ${count === 1 ? 'step' : 'steps'})\n`);
    });

  program
    .command('plan')
    .description('show which steps can run together, level by level')
    .argument('<file>', 'mission file (.yaml, .yml or .json)')
    .option('--json', 'print {levels: [[ids…], …]}')
    .action(async (file: string, options: { json?: boolean }) => {
      const { loaded } = await loadValidMission(file);
      const levels = planLevels(loaded.mission);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ levels })}\n`);
        return;
      }
      levels.forEach((level, index) => process.stdout.write(`${index + 1}. ${level.join(', ')}\n`));
    });
}
