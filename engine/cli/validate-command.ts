/**
 * `mission validate <file>` and `mission plan <file>`: read a mission without running it. Neither
 * touches the audit store nor loads the LLM layer.
 */
import type { Command } from 'commander';
import { planLevels } from '../mission/plan.js';
import { loadValidMission } from './mission-loading.js';
import { collect } from './option-parsers.js';
import { configOptionFlags, configOptionHelp, loadProjectConfigOrExit } from './project-config-option.js';

/** Registers `validate` and `plan`. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check a mission file; problems are printed as file:line:column: message')
    .argument('<file>', 'mission file (.yaml, .yml or .json)')
    .option('--var <key=value>', 'a variable the run will provide (repeatable)', collect)
    .option(configOptionFlags, configOptionHelp)
    .action(async (file: string, options: { var?: string[]; config?: string }) => {
      const names = (options.var ?? []).map((pair) => pair.split('=')[0]);
      const project = await loadProjectConfigOrExit(options.config);
      const { loaded } = await loadValidMission(file, names, { project });
      const count = loaded.mission.steps.length;
      process.stdout.write(`${file}: valid (${count} ${count === 1 ? 'step' : 'steps'})\n`);
    });

  program
    .command('plan')
    .description('show which steps can run together, level by level')
    .argument('<file>', 'mission file (.yaml, .yml or .json)')
    .option('--json', 'print {levels: [[ids…], …], cost?: {worstCaseMicros, typicalMicros, steps, …}}')
    .option(configOptionFlags, configOptionHelp)
    .action(async (file: string, options: { json?: boolean; config?: string }) => {
      const project = await loadProjectConfigOrExit(options.config);
      const { loaded } = await loadValidMission(file, [], { project });
      const levels = planLevels(loaded.mission);
      // Only missions with model steps have a cost to estimate; the price table loads for those alone.
      const { planCost, formatPlanCost } = await import('../cost/plan-cost.js');
      const cost = await planCost(loaded.mission);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(cost ? { levels, cost } : { levels })}\n`);
        return;
      }
      levels.forEach((level, index) => process.stdout.write(`${index + 1}. ${level.join(', ')}\n`));
      if (cost) process.stdout.write(formatPlanCost(cost));
    });
}
