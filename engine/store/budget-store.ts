/**
 * Budgets in SQLite, implementing the layer's `BudgetStore`. A reservation is one
 * `BEGIN IMMEDIATE` transaction — reclaim expired leases, read every bucket's spend and live
 * reservations, grant, insert — so calls in one process or in several processes sharing the file
 * cannot together overshoot a limit. A process that dies holding reservations leaks nothing: its
 * leases expire and the next reservation reclaims them.
 */
import type Database from 'better-sqlite3';
import type { BudgetRule } from '../../providers/layer/budget/budget-config.js';
import {
  decideGrant,
  type BucketLimit,
  type BucketState,
  type BudgetStore,
  type ReserveRequest,
  type ReserveResult,
} from '../../providers/layer/budget/budget-store.js';
import { openCostDatabase } from './cost-database.js';

/** Reservations between two sweeps of expired leases. */
const reclaimEvery = 64;

/** The SQLite budget store. */
export class SqliteBudgetStore implements BudgetStore {
  private reservationsSinceReclaim = 0;
  private readonly statements;
  private readonly reserveTransaction: (request: ReserveRequest) => ReserveResult;
  private readonly settleTransaction: (reservationId: string, buckets: string[], actualMicros: number) => void;

  constructor(private readonly database: Database.Database) {
    this.statements = {
      reclaim: database.prepare('DELETE FROM budget_reservations WHERE lease_until <= ?'),
      spent: database.prepare('SELECT spent_micros FROM budget_spend WHERE bucket = ?').pluck(),
      reserved: database.prepare('SELECT COALESCE(SUM(micros), 0) FROM budget_reservations WHERE bucket = ? AND lease_until > ?').pluck(),
      hold: database.prepare('INSERT INTO budget_reservations (reservation_id, bucket, micros, lease_until) VALUES (?, ?, ?, ?)'),
      drop: database.prepare('DELETE FROM budget_reservations WHERE reservation_id = ?'),
      renew: database.prepare('UPDATE budget_reservations SET lease_until = ? WHERE reservation_id = ?'),
      spend: database.prepare(
        'INSERT INTO budget_spend (bucket, spent_micros) VALUES (?, ?) ON CONFLICT(bucket) DO UPDATE SET spent_micros = spent_micros + excluded.spent_micros',
      ),
      claimAlert: database.prepare(
        'INSERT INTO budget_spend (bucket, alerted_permille) VALUES (@bucket, @permille) ON CONFLICT(bucket) DO UPDATE SET alerted_permille = @permille WHERE alerted_permille < @permille',
      ),
      reset: database.prepare('DELETE FROM budget_spend WHERE bucket = ?'),
      buckets: database.prepare('SELECT bucket, spent_micros AS spentMicros FROM budget_spend ORDER BY bucket'),
      limits: database.prepare('SELECT rule FROM budget_limits ORDER BY scope, name, period').pluck(),
      setLimit: database.prepare('INSERT OR REPLACE INTO budget_limits (scope, name, period, rule) VALUES (?, ?, ?, ?)'),
      removeLimit: database.prepare('DELETE FROM budget_limits WHERE scope = ? AND name = ? AND period = ?'),
    };
    const reserve = database.transaction((request: ReserveRequest): ReserveResult => {
      // Expired leases never count (the sum skips them); deleting them is housekeeping, done now and then.
      if (this.reservationsSinceReclaim++ % reclaimEvery === 0) this.statements.reclaim.run(request.now);
      const result = decideGrant(this.read(request.buckets, request.now), request.wantMicros, request.minMicros);
      if (result.granted) for (const { bucket } of request.buckets) this.statements.hold.run(request.reservationId, bucket, result.micros, request.leaseUntil);
      return result;
    });
    // IMMEDIATE takes the write lock before the reads, so no other process can grant in between.
    this.reserveTransaction = (request) => reserve.immediate(request);
    const settle = database.transaction((reservationId: string, buckets: string[], actualMicros: number) => {
      this.statements.drop.run(reservationId);
      const amount = Math.max(0, Math.round(actualMicros));
      for (const bucket of buckets) this.statements.spend.run(bucket, amount);
    });
    this.settleTransaction = (reservationId, buckets, actualMicros) => settle.immediate(reservationId, buckets, actualMicros);
  }

  /** Opens the store in the database file at `path` (its own connection). */
  static open(path: string): SqliteBudgetStore {
    return new SqliteBudgetStore(openCostDatabase(path));
  }

  private read(buckets: BucketLimit[], now: number): BucketState[] {
    return buckets.map(({ bucket, limitMicros }) => ({
      bucket,
      limitMicros,
      spentMicros: (this.statements.spent.get(bucket) as number | undefined) ?? 0,
      reservedMicros: this.statements.reserved.get(bucket, now) as number,
    }));
  }

  reserve(request: ReserveRequest): ReserveResult {
    return this.reserveTransaction(request);
  }

  settle(reservationId: string, buckets: string[], actualMicros: number): void {
    this.settleTransaction(reservationId, buckets, actualMicros);
  }

  release(reservationId: string): void {
    this.statements.drop.run(reservationId);
  }

  renew(reservationId: string, leaseUntil: number): void {
    this.statements.renew.run(leaseUntil, reservationId);
  }

  state(buckets: BucketLimit[], now: number): BucketState[] {
    return this.read(buckets, now);
  }

  claimAlert(bucket: string, permille: number): boolean {
    return this.statements.claimAlert.run({ bucket, permille }).changes === 1;
  }

  reset(bucket: string): boolean {
    return this.statements.reset.run(bucket).changes > 0;
  }

  buckets(): { bucket: string; spentMicros: number }[] {
    return this.statements.buckets.all() as { bucket: string; spentMicros: number }[];
  }

  limits(): BudgetRule[] {
    return (this.statements.limits.all() as string[]).map((rule) => JSON.parse(rule) as BudgetRule);
  }

  setLimit(rule: BudgetRule): void {
    this.statements.setLimit.run(rule.scope, rule.name ?? '', rule.period, JSON.stringify(rule));
  }

  removeLimit(rule: Pick<BudgetRule, 'scope' | 'name' | 'period'>): boolean {
    return this.statements.removeLimit.run(rule.scope, rule.name ?? '', rule.period).changes > 0;
  }

  /** Closes the connection. */
  close(): void {
    this.database.close();
  }
}
