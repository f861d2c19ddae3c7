/**
 * Which targets a call tries, in which order. The strategy picks the first target; the others
 * follow in the route's order as failovers. Targets whose circuit is open are left out, so when a
 * primary dies calls move to the backup at once.
 */
import type { ResolvedRoute, ResolvedTarget } from './resolve-policies.js';

/**
 * A price lookup for `lowest-cost`: micro-dollars per million tokens (input and output blended as
 * the price table sees fit), or undefined when the model is unknown. The cost policy's price table
 * plugs in here; the route's `cost_per_mtok_usd` is the fallback.
 */
export type PriceLookup = (provider: string, model: string) => number | undefined;

/** What routing reads about targets' health. */
export interface RoutingHealth {
  isOpen(key: string): boolean;
  firstTokenMs(key: string): number | undefined;
}

/** Smooth weighted round-robin state of one route (nginx's algorithm: even spread, no bursts). */
class WeightedState {
  readonly current: number[];
  constructor(size: number) {
    this.current = new Array<number>(size).fill(0);
  }
}

/** Orders targets for calls. Holds the weighted strategy's state per route. */
export class Router {
  private readonly weighted = new Map<string, WeightedState>();

  constructor(
    private readonly health: RoutingHealth,
    private readonly price: PriceLookup | undefined,
  ) {}

  /** The targets a call on `route` tries, first choice first; empty when every circuit is open. */
  plan(route: ResolvedRoute): ResolvedTarget[] {
    const targets = route.targets;
    if (targets.length === 1) return this.health.isOpen(targets[0].key) ? [] : targets;
    // The common case, every circuit closed, allocates nothing.
    let openCount = 0;
    for (let index = 0; index < targets.length; index++) if (this.health.isOpen(targets[index].key)) openCount++;
    const available = openCount === 0 ? targets : targets.filter((target) => !this.health.isOpen(target.key));
    if (available.length <= 1) return available;
    switch (route.strategy) {
      case 'failover':
        return available;
      case 'weighted':
        return firstThen(available, this.pickWeighted(route, available));
      case 'least-latency':
        return stableSort(available, (target) => this.health.firstTokenMs(target.key) ?? 0);
      case 'lowest-cost':
        return stableSort(available, (target) => this.price?.(target.provider, target.model) ?? target.costPerMtokMicros ?? Number.MAX_SAFE_INTEGER);
    }
  }

  private pickWeighted(route: ResolvedRoute, available: ResolvedTarget[]): ResolvedTarget {
    let state = this.weighted.get(route.name);
    if (!state || state.current.length !== route.targets.length) {
      state = new WeightedState(route.targets.length);
      this.weighted.set(route.name, state);
    }
    let total = 0;
    let best = -1;
    for (let index = 0; index < route.targets.length; index++) {
      const target = route.targets[index];
      if (!available.includes(target)) continue;
      state.current[index] += target.weight;
      total += target.weight;
      if (best < 0 || state.current[index] > state.current[best]) best = index;
    }
    if (best < 0 || total === 0) return available[0];
    state.current[best] -= total;
    return route.targets[best];
  }
}

function firstThen(targets: ResolvedTarget[], first: ResolvedTarget): ResolvedTarget[] {
  if (targets[0] === first) return targets;
  return [first, ...targets.filter((target) => target !== first)];
}

/** Sorts by a key, ties kept in the route's order (unknown latency counts as 0: try it to learn it). */
function stableSort(targets: ResolvedTarget[], key: (target: ResolvedTarget) => number): ResolvedTarget[] {
  return targets
    .map((target, index) => ({ target, index, key: key(target) }))
    .sort((left, right) => left.key - right.key || left.index - right.index)
    .map((entry) => entry.target);
}
