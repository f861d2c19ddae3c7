/**
 * The one place where the LLM layer's policy stages are built from the configuration. The call
 * pipeline orders them itself (`orderStages`); this list only says which are on:
 *
 * - content safety, always (with no `safety:` block the documented default policy applies);
 * - budgets, the usage ledger and cache savings, always (every attempt is priced and booked;
 *   budgets apply where `budgets:` or `mission budget set` defines them);
 * - the response cache, when `cache:` is configured.
 *
 * The ledger, budgets and cache live in the run database when one is given (the CLI gives
 * `.mission/state.db`), else in memory for this process.
 */
import { createCacheStage } from '../../../providers/layer/cache/cache-stage.js';
import { MemoryCacheStore, TieredCacheStore } from '../../../providers/layer/cache/memory-cache-store.js';
import type { CacheConfig } from '../../../providers/layer/cache/cache-types.js';
import { MemoryBudgetStore } from '../../../providers/layer/budget/memory-budget-store.js';
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import { MemoryLedger } from '../../../providers/layer/ledger/memory-ledger.js';
import { createSafetyStage } from '../../../providers/layer/safety/safety-stage.js';
import type { SafetyConfig } from '../../../providers/layer/safety/index.js';
import type { CallStage, LayerClock } from '../../../providers/layer/stage.js';
import { computeCost } from '../../../providers/pricing/cost.js';
import { costStages } from '../../cost/cost-stages.js';
import { SqliteBudgetStore } from '../../store/budget-store.js';
import { SqliteCacheStore } from '../../store/cache-store.js';
import { SqliteLedger } from '../../store/ledger-store.js';

/** What stages need besides the configuration. */
export interface StageDependencies {
  /** The run database; without one, the ledger, budgets and cache are kept in memory. */
  databasePath?: string;
  /** Where webhook secrets and moderation keys are read; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Timers for the moderation deadline. */
  clock?: LayerClock;
  /** Each budget alert (the CLI prints them). */
  onBudgetAlert?: (alert: { bucket: string; percent: number; exhausted: boolean }) => void;
}

/** The stages, and how to release what they hold open. */
export interface PolicyStages {
  stages: CallStage[];
  close(): void;
}

/** The stages for a configuration. Throws `LLM_ERR_INVALID_CONFIG` on a malformed policy block. */
export function stagesFromConfig(config: LlmConfig, dependencies: StageDependencies = {}): PolicyStages {
  const env = dependencies.env ?? process.env;
  const file = dependencies.databasePath;
  const ledger = file ? SqliteLedger.open(file) : new MemoryLedger();
  const budgetStore = file ? SqliteBudgetStore.open(file) : new MemoryBudgetStore();
  const cost = costStages(config, { ledger, budgetStore, env: env as Record<string, string | undefined>, onAlert: dependencies.onBudgetAlert });
  const stages: CallStage[] = [createSafetyStage({ config: config.safety as SafetyConfig | undefined, env, clock: dependencies.clock }), ...cost.stages];
  let cacheStore: SqliteCacheStore | undefined;
  if (config.cache !== undefined) {
    const cacheConfig = config.cache as CacheConfig;
    cacheStore = file ? SqliteCacheStore.open(file) : undefined;
    const store = cacheStore ? new TieredCacheStore(cacheStore, cacheConfig.memory_entries) : new MemoryCacheStore(cacheConfig.memory_entries);
    stages.push(
      createCacheStage({
        config: cacheConfig,
        store,
        routes: config.routes,
        priceOf: (provider, model, usage) => {
          const price = cost.prices.lookup(provider, model).price;
          return price ? computeCost(usage, price).costMicros : undefined;
        },
      }),
    );
  }
  return {
    stages,
    close() {
      for (const store of [ledger, budgetStore, cacheStore]) (store as { close?: () => void } | undefined)?.close?.();
    },
  };
}
