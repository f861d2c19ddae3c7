/**
 * Where budgets keep their money: spend per bucket (a scope in one period window), reservations
 * with a lease, alert marks, and limits set from the command line. The layer declares this
 * interface; {@link MemoryBudgetStore} is the default and `engine/store/budget-store.ts` the
 * SQLite one. Implementations must make {@link BudgetStore.reserve} atomic across every caller
 * that shares the store (one SQLite `BEGIN IMMEDIATE` transaction; a row lock in PostgreSQL).
 */
import type { BudgetRule } from './budget-config.js';

/** One bucket a call must fit in. */
export interface BucketLimit {
  /** `scope[:name]|window`, e.g. `mission:hello|day:2026-12-01`, `global|total`. */
  bucket: string;
  limitMicros: number;
}

/** What a reservation asks for. */
export interface ReserveRequest {
  reservationId: string;
  buckets: BucketLimit[];
  /** The worst case of the call. */
  wantMicros: number;
  /** The least that is worth sending the call for (the worst case at the output floor). */
  minMicros: number;
  /** Epoch ms; reservations whose lease ended by then are reclaimed. */
  now: number;
  leaseUntil: number;
}

/** Money in one bucket. */
export interface BucketState {
  bucket: string;
  limitMicros: number;
  spentMicros: number;
  /** Held by live reservations. */
  reservedMicros: number;
}

/** The answer to a reservation. */
export type ReserveResult =
  | { granted: true; micros: number; buckets: BucketState[] }
  | { granted: false; exhausted: BucketState; buckets: BucketState[] };

/** The storage of budgets. Methods may be synchronous or return promises. */
export interface BudgetStore {
  /** Atomically grants the most in [`minMicros`, `wantMicros`] every bucket can hold, or refuses. */
  reserve(request: ReserveRequest): ReserveResult | Promise<ReserveResult>;
  /** Ends a reservation and adds the actual cost to every bucket's spend (even if its lease had expired). */
  settle(reservationId: string, buckets: string[], actualMicros: number): void | Promise<void>;
  /** Ends a reservation that spent nothing. */
  release(reservationId: string): void | Promise<void>;
  /** Extends a live reservation's lease (long streams). */
  renew(reservationId: string, leaseUntil: number): void | Promise<void>;
  /** Spend and live reservations of buckets (missing buckets are zero). */
  state(buckets: BucketLimit[], now: number): BucketState[] | Promise<BucketState[]>;
  /** Marks an alert level (per mille) as sent; true only for the first caller to pass it. */
  claimAlert(bucket: string, permille: number): boolean | Promise<boolean>;
  /** Sets a bucket's spend to zero and forgets its alerts; returns whether it existed. */
  reset(bucket: string): boolean | Promise<boolean>;
  /** Every bucket with spend, for reports. */
  buckets(): { bucket: string; spentMicros: number }[] | Promise<{ bucket: string; spentMicros: number }[]>;
  /** Budgets set with `mission budget set` (they override configured ones of the same scope, name and period). */
  limits(): BudgetRule[] | Promise<BudgetRule[]>;
  setLimit(rule: BudgetRule): void | Promise<void>;
  removeLimit(rule: Pick<BudgetRule, 'scope' | 'name' | 'period'>): boolean | Promise<boolean>;
}

/**
 * The grant rule shared by every implementation: the largest amount up to `want` that every
 * bucket can still hold, if it is at least `min`.
 */
export function decideGrant(states: BucketState[], wantMicros: number, minMicros: number): ReserveResult {
  let grant = wantMicros;
  let tightest: BucketState | undefined;
  for (const state of states) {
    const left = state.limitMicros - state.spentMicros - state.reservedMicros;
    if (!tightest || left < tightest.limitMicros - tightest.spentMicros - tightest.reservedMicros) tightest = state;
    grant = Math.min(grant, left);
  }
  if (tightest && grant < Math.max(minMicros, 0)) return { granted: false, exhausted: tightest, buckets: states };
  if (grant < 0) grant = 0;
  return { granted: true, micros: grant, buckets: states };
}
