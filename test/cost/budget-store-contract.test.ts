/**
 * The BudgetStore contract, run against the in-memory store and the SQLite one alike (a
 * PostgreSQL store would pass the same): grants, floors, leases, settlement after expiry, alerts
 * claimed once, resets and stored limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteBudgetStore } from '../../engine/store/budget-store.js';
import { budgetRuleFrom } from '../../providers/layer/budget/budget-config.js';
import type { BudgetStore } from '../../providers/layer/budget/budget-store.js';
import { MemoryBudgetStore } from '../../providers/layer/budget/memory-budget-store.js';
import { temporaryDatabase } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const stores: [string, () => BudgetStore][] = [
  ['memory', () => new MemoryBudgetStore()],
  [
    'sqlite',
    () => {
      const database = temporaryDatabase();
      const store = SqliteBudgetStore.open(database.file);
      cleanups.push(() => {
        store.close();
        database.remove();
      });
      return store;
    },
  ],
];

const t0 = Date.UTC(2026, 11, 1);
const bucket = { bucket: 'global|total', limitMicros: 1_000 };
const other = { bucket: 'run:r|total', limitMicros: 600 };

describe.each(stores)('%s budget store', (_name, open) => {
  it('grants the most every bucket can hold, down to the floor, then refuses', async () => {
    const store = open();
    const reserve = (id: string, want: number, min: number) => store.reserve({ reservationId: id, buckets: [bucket, other], wantMicros: want, minMicros: min, now: t0, leaseUntil: t0 + 1_000 });
    expect(await reserve('a', 400, 100)).toMatchObject({ granted: true, micros: 400 });
    // The run bucket has 200 left: granted 200 of 400 wanted.
    expect(await reserve('b', 400, 100)).toMatchObject({ granted: true, micros: 200 });
    expect(await reserve('c', 400, 100)).toMatchObject({ granted: false, exhausted: { bucket: 'run:r|total', reservedMicros: 600 } });
    await store.settle('a', [bucket.bucket, other.bucket], 150);
    await store.release('b');
    expect(await store.state([bucket, other], t0)).toEqual([
      { ...bucket, spentMicros: 150, reservedMicros: 0 },
      { ...other, spentMicros: 150, reservedMicros: 0 },
    ]);
  });

  it('expired leases stop counting; a late settlement still adds its spend; renewal keeps a lease', async () => {
    const store = open();
    await store.reserve({ reservationId: 'slow', buckets: [bucket], wantMicros: 900, minMicros: 900, now: t0, leaseUntil: t0 + 1_000 });
    await store.reserve({ reservationId: 'kept', buckets: [bucket], wantMicros: 100, minMicros: 100, now: t0, leaseUntil: t0 + 1_000 });
    await store.renew('kept', t0 + 5_000);
    expect((await store.state([bucket], t0 + 1_000))[0].reservedMicros).toBe(100);
    expect(await store.reserve({ reservationId: 'new', buckets: [bucket], wantMicros: 900, minMicros: 900, now: t0 + 1_000, leaseUntil: t0 + 2_000 })).toMatchObject({ granted: true });
    await store.settle('slow', [bucket.bucket], 300);
    expect((await store.state([bucket], t0 + 1_000))[0]).toMatchObject({ spentMicros: 300, reservedMicros: 1_000 });
  });

  it('claims each alert level once, and a reset forgets spend and alerts', async () => {
    const store = open();
    await store.settle('x', [bucket.bucket], 600);
    expect(await store.claimAlert(bucket.bucket, 500)).toBe(true);
    expect(await store.claimAlert(bucket.bucket, 500)).toBe(false);
    expect(await store.claimAlert(bucket.bucket, 800)).toBe(true);
    expect(await store.buckets()).toEqual([{ bucket: 'global|total', spentMicros: 600 }]);
    expect(await store.reset(bucket.bucket)).toBe(true);
    expect(await store.claimAlert(bucket.bucket, 500)).toBe(true);
    expect((await store.state([bucket], t0))[0].spentMicros).toBe(0);
  });

  it('stores limits by scope, name and period', async () => {
    const store = open();
    await store.setLimit(budgetRuleFrom({ scope: 'mission', name: 'm', period: 'daily', limit_usd: 1 }));
    await store.setLimit(budgetRuleFrom({ scope: 'mission', name: 'm', period: 'daily', limit_usd: 2 }));
    await store.setLimit(budgetRuleFrom({ scope: 'global', limit_usd: 3 }));
    expect((await store.limits()).map((rule) => [rule.scope, rule.limitMicros]).sort()).toEqual([['global', 3_000_000], ['mission', 2_000_000]]);
    expect(await store.removeLimit({ scope: 'mission', name: 'm', period: 'daily' })).toBe(true);
    expect(await store.removeLimit({ scope: 'mission', name: 'm', period: 'daily' })).toBe(false);
  });
});
