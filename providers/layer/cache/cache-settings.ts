/** Turns `llm.cache` into {@link CacheSettings}, with the documented defaults and typed errors. */
import { LlmError, LlmErrorCode } from '../../errors.js';
import type { CacheConfig, CacheMode, CacheScope, CacheSettings } from './cache-types.js';

/** Defaults: off unless configured; a day's TTL; shared by every caller of the same store. */
export const defaultCacheSettings: CacheSettings = {
  mode: 'off',
  ttlMs: 86_400_000,
  scope: 'global',
  nondeterministic: false,
  maxEntryBytes: 1_048_576,
  memoryEntries: 1_000,
};

const modes: readonly CacheMode[] = ['on', 'off', 'read-only', 'write-only'];
const scopes: readonly CacheScope[] = ['global', 'mission', 'user'];

/**
 * The settings for `config`. A block that is present but names no mode turns the cache on: writing
 * `cache: { ttl_seconds: 60 }` means "cache, for a minute".
 */
export function resolveCacheSettings(config: CacheConfig | undefined): CacheSettings {
  if (config === undefined || config === null) return defaultCacheSettings;
  if (typeof config !== 'object') throw invalid('llm.cache must be an object');
  const mode = config.mode ?? 'on';
  if (!modes.includes(mode)) throw invalid(`llm.cache.mode must be one of ${modes.join(', ')}`);
  const scope = config.scope ?? defaultCacheSettings.scope;
  if (!scopes.includes(scope)) throw invalid(`llm.cache.scope must be one of ${scopes.join(', ')}`);
  return {
    mode,
    scope,
    ttlMs: positive(config.ttl_seconds, 'ttl_seconds', defaultCacheSettings.ttlMs / 1000) * 1000,
    nondeterministic: config.nondeterministic === true,
    maxEntryBytes: positive(config.max_entry_bytes, 'max_entry_bytes', defaultCacheSettings.maxEntryBytes),
    memoryEntries: positive(config.memory_entries, 'memory_entries', defaultCacheSettings.memoryEntries),
  };
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(`llm.cache.${name} must be a positive number`);
  return value;
}

function invalid(message: string): LlmError {
  return new LlmError(LlmErrorCode.invalidConfig, message);
}
