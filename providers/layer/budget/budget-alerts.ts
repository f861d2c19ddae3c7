/**
 * Alerts of budget buckets: each bucket's state machine is advanced with its spend; a level
 * crossed for the first time (across every process sharing the store) becomes a `budget-warning`
 * event on the stream, an audit record, an optional webhook post and a CLI line.
 */
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { LlmEvent } from '../../types.js';
import type { CallContext } from '../stage.js';
import type { AlertWebhook } from './alert-webhook.js';
import { budgetMachine } from './budget-machine.js';
import type { AppliedBudget } from './budget-scopes.js';
import type { BudgetStore } from './budget-store.js';

type BudgetSnapshot = SnapshotFrom<typeof budgetMachine>;

/** Bounded memory of bucket states (old buckets, e.g. past days, fall out first). */
const maxTrackedBuckets = 10_000;

/** Tracks bucket states and raises alerts. */
export class BudgetAlerts {
  private readonly snapshots = new Map<string, BudgetSnapshot>();
  /** The band (alert levels passed, or exhausted) each bucket was last seen in. */
  private readonly bands = new Map<string, number>();

  constructor(
    private readonly store: BudgetStore,
    private readonly webhook?: AlertWebhook,
    private readonly onAlert?: (alert: { bucket: string; percent: number; exhausted: boolean }) => void,
  ) {}

  /** Advances the buckets' machines with their current spend; returns the events to emit. */
  async check(context: CallContext, budgets: AppliedBudget[]): Promise<LlmEvent[]> {
    const events: LlmEvent[] = [];
    const states = await this.store.state(budgets, context.now());
    for (const [index, state] of states.entries()) {
      const budget = budgets[index];
      const fraction = state.limitMicros > 0 ? state.spentMicros / state.limitMicros : state.spentMicros > 0 ? 1 : 0;
      // The machine only moves between bands: skip it (tens of microseconds) while the band holds.
      const band = fraction >= 1 ? Number.MAX_SAFE_INTEGER : budget.rule.alerts.filter((alert) => fraction >= alert).length;
      if (this.bands.get(state.bucket) === band) continue;
      this.bands.set(state.bucket, band);
      if (this.bands.size > maxTrackedBuckets) this.bands.delete(this.bands.keys().next().value as string);
      let snapshot = this.snapshots.get(state.bucket) ?? initialTransition(budgetMachine, { alerts: budget.rule.alerts })[0];
      const before = snapshot.value;
      snapshot = transition(budgetMachine, snapshot, { type: 'spend', fraction })[0];
      this.remember(state.bucket, snapshot);
      const exhaustedNow = snapshot.value === 'exhausted' && before !== 'exhausted';
      const crossed = snapshot.context.crossed;
      const level = exhaustedNow ? 1 : crossed;
      if (level === undefined) continue;
      if (!(await this.store.claimAlert(state.bucket, Math.round(level * 1000)))) continue;
      const percent = Math.floor(fraction * 100);
      const [scope, period] = state.bucket.split('|');
      const detail = { bucket: state.bucket, scope, period, percent, limitMicros: state.limitMicros, spentMicros: state.spentMicros };
      context.record({ type: exhaustedNow ? 'budget-exhausted' : 'budget-warning', ...detail, state: snapshot.value });
      events.push({ type: 'budget-warning', scope: state.bucket, percent });
      this.onAlert?.({ bucket: state.bucket, percent, exhausted: exhaustedNow });
      if (budget.rule.webhook && this.webhook) {
        this.webhook.post(budget.rule.webhook, { type: exhaustedNow ? 'budget-exhausted' : 'budget-warning', ...detail, at: new Date(context.now()).toISOString() });
      }
    }
    return events;
  }

  private remember(bucket: string, snapshot: BudgetSnapshot): void {
    this.snapshots.delete(bucket);
    this.snapshots.set(bucket, snapshot);
    if (this.snapshots.size > maxTrackedBuckets) this.snapshots.delete(this.snapshots.keys().next().value as string);
  }
}
