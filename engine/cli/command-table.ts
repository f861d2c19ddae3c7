/**
 * Every `mission` command, and how it is loaded.
 *
 * Start-up time is the price of every command, so nothing heavy loads unless the command run
 * needs it. The pattern, for anyone adding a command or a command group:
 *
 *  1. Write `engine/cli/<name>-command.ts` exporting `register(program: Command): void`, which
 *     declares the command(s) with commander as usual. It may import what it needs at the top:
 *     the module is only loaded when its command is the one being run (or its help is asked for).
 *  2. Add one entry to {@link commandModules} below: the name typed on the command line, the
 *     one-line summary `mission --help` shows, and `load: () => import('./<name>-command.js')`.
 *     A module that registers several top-level commands (`run` and `resume`) gets one entry per
 *     command, all loading the same module.
 *  3. Inside the module, load what only some invocations need with `await import()` in the action
 *     (e.g. `run` loads the LLM layer only for missions with model steps). Light shared helpers
 *     are `cli-exit.ts` (exit codes, `CliExit`) and `option-parsers.ts` (numeric options,
 *     `--db`, `--log-level`); `cli-context.ts` opens the store and creates the logger.
 *
 * `mission --help` loads no command module: it lists the summaries from this table.
 */
import type { Command } from 'commander';
import { defaultDatabaseDescription } from './option-parsers.js';

/** What a command module exports. */
export interface CommandModule {
  /** Declares the module's command(s) on `program`. */
  register(program: Command): void;
}

/** One top-level command: its name, its summary for `mission --help`, and its module. */
export interface CommandEntry {
  name: string;
  /** Arguments as `mission --help` shows them (e.g. `<file>`); the module declares the real ones. */
  usage?: string;
  summary: string;
  load(): Promise<CommandModule>;
}

/** Modules that predate the `register` convention export a named function instead. */
function named(load: () => Promise<Record<string, unknown>>, exported: string): () => Promise<CommandModule> {
  return async () => ({ register: (await load())[exported] as CommandModule['register'] });
}

/** The commands, in the order `mission --help` lists them. */
export const commandModules: readonly CommandEntry[] = [
  { name: 'run', usage: '<file>', summary: 'run a mission file', load: () => import('./run-command.js') },
  { name: 'resume', usage: '<run-id>', summary: 'continue an interrupted or failed run; succeeded steps are not run again', load: () => import('./run-command.js') },
  { name: 'validate', usage: '<file>', summary: 'check a mission file; problems are printed as file:line:column: message', load: () => import('./validate-command.js') },
  { name: 'plan', usage: '<file>', summary: 'show which steps can run together, level by level', load: () => import('./validate-command.js') },
  { name: 'kinds', summary: 'list the step kinds missions can use, and the RustChain kinds not supported yet', load: () => import('./kinds-command.js') },
  { name: 'runs', summary: 'list recent runs', load: () => import('./runs-command.js') },
  { name: 'audit', summary: 'inspect and verify the tamper-evident audit trail', load: named(() => import('./audit-command.js'), 'registerAuditCommands') },
  { name: 'providers', summary: 'list the LLM providers found in the environment and on this machine', load: named(() => import('./providers-command.js'), 'registerProvidersCommand') },
  { name: 'cost', summary: 'what LLM calls cost: reports and savings, from the usage ledger', load: named(() => import('./cost-register.js'), 'registerCostCommands') },
  { name: 'budget', summary: 'set, show or reset LLM budgets', load: named(() => import('./cost-register.js'), 'registerBudgetCommands') },
  { name: 'cache', summary: 'inspect or clear the LLM response cache', load: named(() => import('./cache-command.js'), 'registerCacheCommands') },
  { name: 'safety', summary: 'content safety: scan texts with the policy, check missions, report interventions', load: loadSafetyCommands },
];

/** `safety` is shared: the policy's module declares the group, the audit's adds `report` to it. */
async function loadSafetyCommands(): Promise<CommandModule> {
  const [{ registerSafetyCommands }, { registerSafetyReport }] = await Promise.all([import('./safety-command.js'), import('./safety-report-command.js')]);
  return { register: (program) => registerSafetyReport(registerSafetyCommands(program)) };
}

/**
 * The command an argument list invokes: its first word that is not an option, or for
 * `help <command>`, that command. Undefined for `mission`, `mission --help`, `mission --version`.
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((word) => !word.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * Declares the commands on `program`: the invoked command's module for real (so its options,
 * arguments and help are complete), every other command as a name and summary only.
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const invoked = commandModules.find((entry) => entry.name === invokedCommand(argv));
  if (invoked) {
    // A module may declare several commands (run and resume); those are then declared for real.
    (await invoked.load()).register(program);
    describeDatabaseDefaults(program);
  }
  for (const entry of commandModules) {
    if (program.commands.some((command) => command.name() === entry.name)) continue;
    const summary = program.command(entry.name).description(entry.summary);
    if (entry.usage) summary.arguments(entry.usage);
  }
}

/**
 * Every `--db` option of every command says where the store is by default, whichever module
 * declared it (modules that use `databaseOption()` already do).
 */
function describeDatabaseDefaults(command: Command): void {
  for (const option of command.options) {
    if (option.long === '--db' && !option.description.includes('default')) option.description = `${option.description} (default: ${defaultDatabaseDescription})`;
  }
  for (const subcommand of command.commands) describeDatabaseDefaults(subcommand);
}
