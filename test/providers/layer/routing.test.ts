/** Route strategies: failover order, smooth weighted round-robin, least latency, lowest cost; open circuits skipped. */
import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../../providers/layer/config-types.js';
import { resolvePolicies } from '../../../providers/layer/resolve-policies.js';
import { Router, type RoutingHealth } from '../../../providers/layer/routing.js';

function routeOf(route: RouteConfig) {
  return resolvePolicies({ routes: { r: route } }).routes.get('r')!;
}

class Health implements RoutingHealth {
  open = new Set<string>();
  latency = new Map<string, number>();
  isOpen(key: string): boolean {
    return this.open.has(key);
  }
  firstTokenMs(key: string): number | undefined {
    return this.latency.get(key);
  }
}

const targets = [
  { provider: 'a', model: 'm' },
  { provider: 'b', model: 'm' },
  { provider: 'c', model: 'm' },
];

describe('routing', () => {
  it('failover: in order, open circuits skipped, empty when all are open', () => {
    const health = new Health();
    const router = new Router(health, undefined);
    const route = routeOf({ strategy: 'failover', targets });
    expect(router.plan(route).map((target) => target.provider)).toEqual(['a', 'b', 'c']);
    health.open.add('a/m');
    expect(router.plan(route).map((target) => target.provider)).toEqual(['b', 'c']);
    health.open.add('b/m').add('c/m');
    expect(router.plan(route)).toEqual([]);
  });

  it('weighted: smooth round-robin spreads picks evenly by weight', () => {
    const router = new Router(new Health(), undefined);
    const route = routeOf({ strategy: 'weighted', targets: [{ ...targets[0], weight: 5 }, { ...targets[1], weight: 1 }, { ...targets[2], weight: 1 }] });
    const picks = Array.from({ length: 7 }, () => router.plan(route)[0].provider);
    // nginx's smooth weighted round-robin for 5/1/1: no burst of five a's.
    expect(picks).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
    const many = Array.from({ length: 700 }, () => router.plan(route)[0].provider);
    expect(many.filter((pick) => pick === 'a')).toHaveLength(500);
    expect(many.filter((pick) => pick === 'b')).toHaveLength(100);
    // The rest of the plan is the failover order.
    expect(router.plan(route).map((target) => target.provider)).toHaveLength(3);
  });

  it('weighted: an open target takes no share', () => {
    const health = new Health();
    const router = new Router(health, undefined);
    const route = routeOf({ strategy: 'weighted', targets: [{ ...targets[0], weight: 3 }, { ...targets[1], weight: 1 }] });
    health.open.add('a/m');
    expect(Array.from({ length: 4 }, () => router.plan(route)[0].provider)).toEqual(['b', 'b', 'b', 'b']);
  });

  it('least-latency: lowest EWMA first-token time first; unmeasured targets are tried to learn them', () => {
    const health = new Health();
    const router = new Router(health, undefined);
    const route = routeOf({ strategy: 'least-latency', targets });
    health.latency.set('a/m', 900).set('b/m', 200).set('c/m', 450);
    expect(router.plan(route).map((target) => target.provider)).toEqual(['b', 'c', 'a']);
    health.latency.delete('a/m');
    expect(router.plan(route)[0].provider).toBe('a');
  });

  it('lowest-cost: the injected price table first, the configured hint as fallback, unknown last', () => {
    const route = routeOf({
      strategy: 'lowest-cost',
      targets: [
        { provider: 'a', model: 'm', cost_per_mtok_usd: 0.5 },
        { provider: 'b', model: 'm' },
        { provider: 'c', model: 'm', cost_per_mtok_usd: 3 },
      ],
    });
    expect(new Router(new Health(), undefined).plan(route).map((target) => target.provider)).toEqual(['a', 'c', 'b']);
    const prices = (provider: string) => (provider === 'b' ? 100_000 : provider === 'c' ? 2_000_000 : undefined);
    expect(new Router(new Health(), prices).plan(route).map((target) => target.provider)).toEqual(['b', 'a', 'c']);
  });
});
