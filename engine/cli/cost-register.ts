/**
 * Registers `mission cost …` and `mission budget …`. Their work lives in `cost-command.ts` and
 * `budget-command.ts`, loaded only when one of them runs (the price table and SQLite code stay out
 * of every other command's start-up).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { budgetPeriods, budgetScopes } from '../../providers/layer/budget/budget-vocabulary.js';

const groupings = ['provider', 'model', 'mission', 'run', 'step', 'user', 'tag', 'day'];

function oneOf(values: readonly string[]): (value: string) => string {
  return (value) => {
    if (!values.includes(value)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}.`);
    return value;
  };
}

/** Registers the `cost` command group. */
export function registerCostCommands(program: Command): void {
  const cost = program.command('cost').description('what LLM calls cost: reports and savings, from the usage ledger');
  cost
    .command('report')
    .description('calls, tokens and cost grouped by one dimension (estimated and unknown-cost calls counted apart)')
    .option('--by <grouping>', `group by ${groupings.join('|')}`, oneOf(groupings), 'provider')
    .option('--since <date>', 'from this UTC date or time (YYYY-MM-DD or ISO 8601), inclusive')
    .option('--until <date>', 'up to this UTC date (that whole day) or time, exclusive of the time')
    .option('--db <path>', 'database')
    .option('--json', 'print {rows: [{key, calls, inputTokens, …}], total: {…}}')
    .action(async (options) => (await import('./cost-command.js')).costReportCommand(options));
  cost
    .command('recommend')
    .description('where the ledger says money could have been saved: repeated prompts, large models for short answers, cheaper route targets, budgets running out')
    .option('--since <date>', 'from this UTC date or time (default: 30 days ago)')
    .option('--until <date>', 'up to this UTC date (that whole day) or time')
    .option('--db <path>', 'database')
    .option('--json', 'print {recommendations: [{kind, message, savedMicros, details}], totalSavedMicros}')
    .action(async (options) => (await import('./cost-command.js')).costRecommendCommand(options));
}

/** Registers the `budget` command group. */
export function registerBudgetCommands(program: Command): void {
  const budget = program.command('budget').description('spending limits on LLM calls, shared by every process using the database');
  budget
    .command('set')
    .description('set (or raise) a budget; it overrides a configured one with the same scope, name and period')
    .requiredOption('--scope <scope>', budgetScopes.join('|'), oneOf(budgetScopes))
    .option('--name <name>', 'the mission, run id, user, session or tag it is for (default: each one separately)')
    .option('--period <period>', `${budgetPeriods.join('|')} (UTC calendar)`, oneOf(budgetPeriods), 'total')
    .requiredOption('--limit-usd <dollars>', 'the limit in US dollars')
    .option('--alerts <fractions>', 'alert levels, comma-separated (default 0.5,0.8,0.95)')
    .option('--on-exhausted <action>', 'fail|pause', oneOf(['fail', 'pause']), 'fail')
    .option('--db <path>', 'database (created if missing)')
    .action(async (options) => (await import('./budget-command.js')).budgetSetCommand(options));
  budget
    .command('show')
    .description('budgets set here and every bucket with spend, with what is left now')
    .option('--db <path>', 'database')
    .option('--json', 'print {limits: [...], buckets: [...]}')
    .action(async (options) => (await import('./budget-command.js')).budgetShowCommand(options));
  budget
    .command('reset')
    .description("set a budget's spend in the current period to zero, or --remove the budget set here")
    .requiredOption('--scope <scope>', budgetScopes.join('|'), oneOf(budgetScopes))
    .option('--name <name>', 'the mission, run id, user, session or tag')
    .option('--period <period>', budgetPeriods.join('|'), oneOf(budgetPeriods), 'total')
    .option('--remove', 'also remove the budget set with `mission budget set`')
    .option('--db <path>', 'database')
    .action(async (options) => (await import('./budget-command.js')).budgetResetCommand(options));
}
