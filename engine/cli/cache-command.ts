/**
 * `mission cache stats|clear`: the response cache kept in the run database. Registration only;
 * the work is loaded when a subcommand runs, so other commands never pay for it.
 */
import type { Command } from 'commander';

/** Options both subcommands take. */
export interface CacheCommandOptions {
  db?: string;
  json?: boolean;
}

/** Registers the `cache` command group. */
export function registerCacheCommands(program: Command): void {
  const cache = program.command('cache').description('Inspect or clear the LLM response cache');
  cache
    .command('stats')
    .description('Entries, size, hits, misses, bypasses and money saved')
    .option('--db <path>', 'run database (default: $MISSION_DB or .mission/state.db)')
    .option('--json', 'print one JSON object')
    .action(async (options: CacheCommandOptions) => (await import('./cache-actions.js')).showCacheStats(options));
  cache
    .command('clear')
    .description('Remove cached answers (all, or only the expired ones) and reset the counters')
    .option('--expired', 'remove only expired entries and keep the counters')
    .option('--db <path>', 'run database (default: $MISSION_DB or .mission/state.db)')
    .option('--json', 'print one JSON object')
    .action(async (options: CacheCommandOptions & { expired?: boolean }) => (await import('./cache-actions.js')).clearCache(options));
}
