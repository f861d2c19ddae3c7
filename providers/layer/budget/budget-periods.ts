/** Period windows of budgets: UTC calendar days, ISO weeks (from Monday) and months. */
import type { BudgetPeriod } from './budget-config.js';

const day = 86_400_000;

/** The window `now` falls in, as a stable bucket suffix (`day:2026-12-01`, `week:2026-11-30`, `month:2026-12`). */
export function periodWindow(period: BudgetPeriod, now: number): string {
  return windowOf(period, now).label;
}

/** The window's label and bounds (epoch ms, end exclusive; `total` has no end). */
export function windowOf(period: BudgetPeriod, now: number): { label: string; start: number; end: number } {
  const date = new Date(now);
  const startOfDay = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case 'daily':
      return { label: `day:${new Date(startOfDay).toISOString().slice(0, 10)}`, start: startOfDay, end: startOfDay + day };
    case 'weekly': {
      const monday = startOfDay - ((date.getUTCDay() + 6) % 7) * day;
      return { label: `week:${new Date(monday).toISOString().slice(0, 10)}`, start: monday, end: monday + 7 * day };
    }
    case 'monthly': {
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      return { label: `month:${new Date(start).toISOString().slice(0, 7)}`, start, end };
    }
    default:
      return { label: 'total', start: 0, end: Number.POSITIVE_INFINITY };
  }
}
