/** The default {@link BudgetStore}: one process, in memory. */
import type { BudgetRule } from './budget-config.js';
import { decideGrant, type BucketLimit, type BucketState, type BudgetStore, type ReserveRequest, type ReserveResult } from './budget-store.js';

interface Reservation {
  buckets: Map<string, number>;
  leaseUntil: number;
}

/** Budgets in memory; reservations are atomic because JavaScript runs one call at a time. */
export class MemoryBudgetStore implements BudgetStore {
  private readonly spend = new Map<string, { spentMicros: number; alertedPermille: number }>();
  private readonly reservations = new Map<string, Reservation>();
  private readonly rules = new Map<string, BudgetRule>();

  private reclaim(now: number): void {
    for (const [id, reservation] of this.reservations) if (reservation.leaseUntil <= now) this.reservations.delete(id);
  }

  private reservedIn(bucket: string): number {
    let total = 0;
    for (const reservation of this.reservations.values()) total += reservation.buckets.get(bucket) ?? 0;
    return total;
  }

  private stateOf(limit: BucketLimit): BucketState {
    return { bucket: limit.bucket, limitMicros: limit.limitMicros, spentMicros: this.spend.get(limit.bucket)?.spentMicros ?? 0, reservedMicros: this.reservedIn(limit.bucket) };
  }

  reserve(request: ReserveRequest): ReserveResult {
    this.reclaim(request.now);
    const result = decideGrant(request.buckets.map((limit) => this.stateOf(limit)), request.wantMicros, request.minMicros);
    if (result.granted) {
      this.reservations.set(request.reservationId, { buckets: new Map(request.buckets.map((limit) => [limit.bucket, result.micros])), leaseUntil: request.leaseUntil });
    }
    return result;
  }

  settle(reservationId: string, buckets: string[], actualMicros: number): void {
    this.reservations.delete(reservationId);
    for (const bucket of buckets) {
      const entry = this.spend.get(bucket) ?? { spentMicros: 0, alertedPermille: 0 };
      entry.spentMicros += Math.max(0, Math.round(actualMicros));
      this.spend.set(bucket, entry);
    }
  }

  release(reservationId: string): void {
    this.reservations.delete(reservationId);
  }

  renew(reservationId: string, leaseUntil: number): void {
    const reservation = this.reservations.get(reservationId);
    if (reservation) reservation.leaseUntil = leaseUntil;
  }

  state(buckets: BucketLimit[], now: number): BucketState[] {
    this.reclaim(now);
    return buckets.map((limit) => this.stateOf(limit));
  }

  claimAlert(bucket: string, permille: number): boolean {
    const entry = this.spend.get(bucket) ?? { spentMicros: 0, alertedPermille: 0 };
    this.spend.set(bucket, entry);
    if (entry.alertedPermille >= permille) return false;
    entry.alertedPermille = permille;
    return true;
  }

  reset(bucket: string): boolean {
    return this.spend.delete(bucket);
  }

  buckets(): { bucket: string; spentMicros: number }[] {
    return [...this.spend].map(([bucket, entry]) => ({ bucket, spentMicros: entry.spentMicros }));
  }

  limits(): BudgetRule[] {
    return [...this.rules.values()];
  }

  setLimit(rule: BudgetRule): void {
    this.rules.set(`${rule.scope}\u0000${rule.name ?? ''}\u0000${rule.period}`, rule);
  }

  removeLimit(rule: Pick<BudgetRule, 'scope' | 'name' | 'period'>): boolean {
    return this.rules.delete(`${rule.scope}\u0000${rule.name ?? ''}\u0000${rule.period}`);
  }
}
