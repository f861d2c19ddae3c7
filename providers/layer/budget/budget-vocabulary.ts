/**
 * The words a budget is written in: its scopes and periods. Kept free of imports, so that the
 * CLI's option parsing can use the lists without loading the budget code.
 */

/** Who a budget counts: everything, one mission, one run, one user, one session, one tag. */
export type BudgetScope = 'global' | 'mission' | 'run' | 'user' | 'session' | 'tag';
/** How long a budget's money lasts: for ever, or a UTC calendar day, week (Monday) or month. */
export type BudgetPeriod = 'total' | 'daily' | 'weekly' | 'monthly';

/** Every budget scope, in the order help texts list them. */
export const budgetScopes: readonly BudgetScope[] = ['global', 'mission', 'run', 'user', 'session', 'tag'];
/** Every budget period. */
export const budgetPeriods: readonly BudgetPeriod[] = ['total', 'daily', 'weekly', 'monthly'];
