/**
 * The cost policy's stages for one configuration, ready for the engine's stage list: the budget
 * stage (configured budgets plus those set with `mission budget set`), the ledger stage and the
 * cache-savings stage, sharing one price table (the shipped one with `pricing:` on top).
 */
import { AlertWebhook } from '../../providers/layer/budget/alert-webhook.js';
import { budgetRulesFrom } from '../../providers/layer/budget/budget-config.js';
import { createBudgetStage, type BudgetStageOptions } from '../../providers/layer/budget/budget-stage.js';
import type { BudgetStore } from '../../providers/layer/budget/budget-store.js';
import type { LlmConfig } from '../../providers/layer/config-types.js';
import { createCacheSavingsStage } from '../../providers/layer/ledger/cache-savings-stage.js';
import { createLedgerStage } from '../../providers/layer/ledger/ledger-stage.js';
import type { UsageLedger } from '../../providers/layer/ledger/ledger-types.js';
import type { CallStage } from '../../providers/layer/stage.js';
import { PriceTable } from '../../providers/pricing/price-table.js';
import type { PricingConfig } from '../../providers/pricing/pricing-config.js';

/** What the cost stages need besides the configuration. */
export interface CostStageDependencies {
  ledger: UsageLedger;
  budgetStore: BudgetStore;
  /** Where webhook secrets are read (`alerts.secret_env`); default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Each budget alert, for the CLI to print. */
  onAlert?: BudgetStageOptions['onAlert'];
}

/** The stages and the price table they share. Throws `LLM_ERR_INVALID_CONFIG` on a bad `budgets:` or `pricing:` block. */
export function costStages(config: Pick<LlmConfig, 'budgets' | 'pricing'>, dependencies: CostStageDependencies): { stages: CallStage[]; prices: PriceTable; webhook: AlertWebhook } {
  const prices = PriceTable.load(config.pricing as PricingConfig | undefined);
  const webhook = new AlertWebhook({ env: dependencies.env });
  const budget = createBudgetStage({ store: dependencies.budgetStore, prices, rules: budgetRulesFrom(config.budgets), webhook, onAlert: dependencies.onAlert });
  const ledger = createLedgerStage({ ledger: dependencies.ledger, prices });
  return { stages: [budget, ledger, createCacheSavingsStage({ ledger: dependencies.ledger, prices })], prices, webhook };
}
