/** What `mission cache stats|clear` do, loaded only when one of them runs. */
import { SqliteCacheStore } from '../store/cache-store.js';
import type { CacheCommandOptions } from './cache-command.js';
import { databasePath, storeExists, CliExit, ExitCode } from './cli-context.js';
import { formatMicros } from './format-money.js';

/** Prints the cache's totals. */
export function showCacheStats(options: CacheCommandOptions): void {
  const store = openCache(options);
  try {
    const stats = store.stats(Date.now());
    const lookups = stats.hits + stats.misses;
    const hitRatio = lookups === 0 ? 0 : stats.hits / lookups;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...stats, hitRatio })}\n`);
      return;
    }
    process.stdout.write(
      [
        `entries:   ${stats.entries} (${stats.bytes} bytes; ${stats.expiredEntries} expired)`,
        `lookups:   ${lookups}: ${stats.hits} hits, ${stats.misses} misses (hit ratio ${(hitRatio * 100).toFixed(1)} %)`,
        `bypassed:  ${stats.bypasses} (nondeterministic requests, continuations, or no scope value)`,
        `writes:    ${stats.writes}`,
        `saved:     ${formatMicros(stats.savedMicros)}`,
      ].join('\n') + '\n',
    );
  } finally {
    store.close();
  }
}

/** Removes entries and says how many. */
export function clearCache(options: CacheCommandOptions & { expired?: boolean }): void {
  const store = openCache(options);
  try {
    const removed = store.clear(options.expired ? { expiredAt: Date.now() } : {});
    if (options.json) process.stdout.write(`${JSON.stringify({ removed })}\n`);
    else process.stdout.write(`removed ${removed} cached ${removed === 1 ? 'answer' : 'answers'}\n`);
  } finally {
    store.close();
  }
}

/** Reading commands never create a database (a mistyped --db would look like an empty cache). */
function openCache(options: CacheCommandOptions): SqliteCacheStore {
  if (!storeExists(options)) {
    throw new CliExit(ExitCode.invalid, `no run database at ${databasePath(options)}: run a mission first, or point --db or MISSION_DB at one`);
  }
  return SqliteCacheStore.open(databasePath(options));
}
