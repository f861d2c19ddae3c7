/**
 * `createLlm`: the one entry point of the LLM layer. A call names a route (or a provider and a
 * model) and flows through the call stages, routing, retries and failover, the circuit breakers,
 * the rate limiter and the attempt stages to an adapter; decisions reach the audit sink.
 */
import { randomUUID } from 'node:crypto';
import { Observable, throwError } from 'rxjs';
import { discoverProviders, ProviderRegistry, type DiscoveryOptions, type Environment } from '../discovery.js';
import { LlmError, LlmErrorCode } from '../errors.js';
import { complete } from '../observable.js';
import type { CallOptions, LlmEvent, LlmResponse, ProviderAdapter } from '../types.js';
import { routedCall, type CallCore } from './call-runner.js';
import { systemClock } from './clock.js';
import { composeCall, orderStages } from './compose-stages.js';
import type { LlmConfig } from './config-types.js';
import { HealthTracker, type TargetHealthSnapshot } from './health.js';
import { directRoute, resolvePolicies, type ResolvedPolicies, type ResolvedRoute } from './resolve-policies.js';
import { Router, type PriceLookup } from './routing.js';
import { auditEventFor, safeRecord, type LlmAuditSink } from './sink.js';
import type { CallContext, CallStage, LayerClock, LayerRequest, RateLimiter } from './stage.js';
import { streamLimitsFromConfig } from './stream/limits-config.js';
import { pullEvents } from './stream/pull-events.js';
import { recoveryPolicyFor } from './stream/recovery-policy.js';
import { createStreamRecoveryStage } from './stream/recovery-stage.js';

/** What `createLlm` accepts; everything is optional. */
export interface CreateLlmOptions {
  /** The `llm:` block (already parsed and validated by the config loader, or hand-built). */
  config?: LlmConfig;
  /** The adapters: a registry, a map by provider id, or a list (each under its `id`). Default: discovered from `env` on the first call. */
  providers?: ProviderRegistry | Record<string, ProviderAdapter> | readonly ProviderAdapter[];
  /** Environment for discovery when `providers` is not given. Default `process.env`. */
  env?: Environment;
  /** Discovery options when `providers` is not given (default: no network probes). */
  discovery?: DiscoveryOptions;
  /** Receives the layer's audit records (retries, failovers, circuit changes). */
  sink?: LlmAuditSink;
  /** Time and timers; tests inject fake ones. */
  clock?: LayerClock;
  /** Acquired before every attempt. */
  rateLimiter?: RateLimiter;
  /** Policies wrapped around calls and attempts (cache, budget, ledger, safety, stream recovery). */
  stages?: readonly CallStage[];
  /** Prices for `lowest-cost` routes (micro-dollars per million tokens). */
  price?: PriceLookup;
  /** Randomness for backoff jitter, in [0, 1). */
  random?: () => number;
  /** Generation ids; default random UUIDs. */
  generationId?: () => string;
}

/** What `llm.health()` returns: JSON-able. */
export interface LlmHealthSnapshot {
  /** Per `provider/model`: circuit state, latency, error rate, last error. */
  targets: Record<string, TargetHealthSnapshot>;
  /** The rate limiter's view, when one is installed. */
  rateLimits?: Record<string, unknown>;
}

/** The LLM layer. */
export interface Llm {
  /** A call as a cold Observable: each subscription makes one call; the first event is `generation`. */
  stream(request: LayerRequest, options?: CallOptions): Observable<LlmEvent>;
  /** A call reduced to its response. */
  complete(request: LayerRequest, options?: CallOptions): Promise<LlmResponse>;
  /**
   * A call as a pull-based async iterable: while the consumer does not pull, the socket is not
   * read (the provider is slowed by TCP), so memory stays bounded. Leaving the loop early, or
   * `options.signal`, cancels the call at once.
   */
  events(request: LayerRequest, options?: CallOptions): AsyncIterable<LlmEvent>;
  /** Health of every target called so far. */
  health(): LlmHealthSnapshot;
  /** The resolved policies (defaults filled in). */
  readonly policies: ResolvedPolicies;
  /** Stops background probes. */
  close(): void;
}

/**
 * Creates the LLM layer.
 *
 * @example
 * ```ts
 * const llm = createLlm();                                   // providers from the environment
 * const answer = await llm.complete({ provider: 'openai', model: 'gpt-4o-mini', messages });
 * llm.stream({ route: 'smart', messages }).subscribe(console.log);
 * ```
 */
export function createLlm(options: CreateLlmOptions = {}): Llm {
  const policies = resolvePolicies(options.config);
  const clock = options.clock ?? systemClock;
  const sink = options.sink;
  // Stream recovery is on by default (`stream_recovery: continue`); a stage of that name replaces it.
  const givenStages = options.stages ?? [];
  const recoveryStage = givenStages.some((stage) => stage.name === 'stream-recovery')
    ? []
    : [createStreamRecoveryStage({ policyFor: (request) => recoveryPolicyFor(options.config, request), clock })];
  const stages = orderStages([...givenStages, ...recoveryStage]);
  const streamLimits = streamLimitsFromConfig(options.config?.stream_limits);
  const newGenerationId = options.generationId ?? randomUUID;

  let registry: ProviderRegistry | undefined = toRegistry(options.providers);
  let discovering: Promise<ProviderRegistry> | undefined;
  const ready = (): ProviderRegistry | Promise<ProviderRegistry> => {
    if (registry) return registry;
    discovering ??= discoverProviders(options.env ?? process.env, options.discovery).then((found) => (registry = found.registry));
    return discovering;
  };

  const health = new HealthTracker(
    policies.health,
    clock,
    (provider) => (registry?.has(provider) ? registry.get(provider) : undefined),
    (event) => {
      const audit = auditEventFor(event);
      if (audit) safeRecord(sink, { ...audit, at: clock.now() });
    },
  );
  const core: CallCore = {
    clock,
    health,
    router: new Router(health, options.price),
    rateLimiter: options.rateLimiter,
    attemptStages: stages.attempt,
    random: options.random ?? Math.random,
    adapterFor: (provider) => registry!.get(provider),
  };
  const directRoutes = new Map<string, ResolvedRoute>();

  const resolveRoute = (request: LayerRequest): ResolvedRoute => {
    if (request.route !== undefined) {
      const route = policies.routes.get(request.route);
      if (route) return route;
      const known = [...policies.routes.keys()];
      throw new LlmError(
        LlmErrorCode.notConfigured,
        `route '${request.route}' is not configured: ${known.length ? `known routes are ${known.join(', ')}` : 'the llm block defines no routes'}`,
      );
    }
    if (request.provider === undefined && request.model === undefined && policies.routes.has('default')) return policies.routes.get('default')!;
    const resolved = registry!.resolveModel(request.provider, request.model);
    const key = `${resolved.provider}/${resolved.model}`;
    let route = directRoutes.get(key);
    if (!route) {
      route = directRoute(policies, resolved.provider, resolved.model);
      if (directRoutes.size < 1024) directRoutes.set(key, route);
    }
    return route;
  };

  const stream = (request: LayerRequest, givenOptions?: CallOptions): Observable<LlmEvent> =>
    new Observable<LlmEvent>((subscriber) => {
      const callOptions = streamLimits && !givenOptions?.limits ? { ...givenOptions, limits: streamLimits } : givenOptions;
      const generationId = newGenerationId();
      const origin = request.origin ?? {};
      subscriber.next({ type: 'generation', generationId, route: request.route });
      const context: CallContext = {
        generationId,
        request,
        origin,
        record: (event) => safeRecord(sink, { ...event, generationId, origin, at: clock.now() }),
        now: () => clock.now(),
        signal: callOptions?.signal,
      };
      const core$ = (inner: LayerRequest): Observable<LlmEvent> => {
        let route: ResolvedRoute;
        try {
          route = resolveRoute(inner);
        } catch (error) {
          return throwError(() => error);
        }
        return routedCall(core, inner === request ? context : { ...context, request: inner }, route, inner.route, callOptions);
      };
      const run = (): (() => void) => {
        try {
          const subscription = composeCall(stages.call, context, core$)(request).subscribe(subscriber);
          return () => subscription.unsubscribe();
        } catch (error) {
          subscriber.error(error);
          return () => undefined;
        }
      };
      const found = ready();
      if (found instanceof ProviderRegistry) return run();
      let stop: (() => void) | undefined;
      let cancelled = false;
      found.then(
        () => {
          if (!cancelled) stop = run();
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        cancelled = true;
        stop?.();
      };
    });

  return {
    policies,
    stream,
    complete: (request, callOptions) => complete(stream(request, callOptions)),
    events: (request, callOptions) => pullEvents((pull) => stream(request, { ...callOptions, ...pull }), { signal: callOptions?.signal }),
    health: () => {
      const snapshot: LlmHealthSnapshot = { targets: health.snapshot() };
      if (options.rateLimiter) snapshot.rateLimits = options.rateLimiter.snapshot();
      return snapshot;
    },
    close: () => health.close(),
  };
}

function toRegistry(providers: CreateLlmOptions['providers']): ProviderRegistry | undefined {
  if (providers === undefined) return undefined;
  if (providers instanceof ProviderRegistry) return providers;
  const registry = new ProviderRegistry();
  if (Array.isArray(providers)) {
    for (const adapter of providers as readonly ProviderAdapter[]) registry.register(adapter.id, adapter);
  } else {
    for (const [id, adapter] of Object.entries(providers as Record<string, ProviderAdapter>)) registry.register(id, adapter);
  }
  return registry;
}
