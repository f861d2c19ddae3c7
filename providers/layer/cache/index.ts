/** The response cache: stage, settings, key and stores. */
export { createCacheStage } from './cache-stage.js';
export type { CacheStage, CacheStageOptions } from './cache-stage.js';
export { resolveCacheSettings, defaultCacheSettings } from './cache-settings.js';
export { cacheKey, canonicalRequest } from './cache-key.js';
export { MemoryCacheStore, TieredCacheStore } from './memory-cache-store.js';
export type { CacheConfig, CacheMode, CacheScope, CacheSettings, CachedAnswer, CacheOutcome, CacheStats, ResponseCacheStore } from './cache-types.js';
