/**
 * The response cache as a {@link CallStage} (`wrapCall`, inside safety, outside stream recovery
 * and routing): an exact-match lookup on the canonical request; a hit replays the recorded answer
 * as a stream with its original chunk boundaries, usage and finish reason after a `cache-hit`
 * event, and costs nothing; a miss runs the call and records what it streamed, written only when
 * the answer finished cleanly.
 */
import { concat, defer, filter, finalize, from, Observable, of, ReplaySubject, share, switchMap, tap } from 'rxjs';
import type { FinishReason, LlmEvent, Usage } from '../../types.js';
import type { RouteConfig } from '../config-types.js';
import type { CallContext, CallStage, LayerRequest } from '../stage.js';
import { cacheKey } from './cache-key.js';
import { resolveCacheSettings } from './cache-settings.js';
import type { CacheConfig, CachedAnswer, CacheSettings, ResponseCacheStore } from './cache-types.js';
import { MemoryCacheStore } from './memory-cache-store.js';

/** What {@link createCacheStage} needs. */
export interface CacheStageOptions {
  /** `llm.cache` as configured (validated by the schema; checked again here). */
  config?: CacheConfig;
  /** Where answers live; an in-memory LRU when omitted. */
  store?: ResponseCacheStore;
  /** Route definitions, so a route's key covers its targets (a changed route misses). */
  routes?: Record<string, RouteConfig>;
  /** Prices an answer, so a hit can report what it saved; `undefined` when the price is unknown. */
  priceOf?: (provider: string, model: string, usage: Usage) => number | undefined;
}

/** The cache stage, with the settings and store it uses (for stats and tests). */
export interface CacheStage extends CallStage {
  readonly settings: CacheSettings;
  readonly store: ResponseCacheStore;
}

/** Events that belong to the answer itself; layer decisions (retries, failovers) are not replayed. */
const answerEvents = new Set<LlmEvent['type']>(['start', 'text-delta', 'reasoning-delta', 'tool-call-delta', 'tool-call', 'signature', 'usage', 'finish']);
/** Finishes worth keeping: a filtered, failed or unknown ending is asked again next time. */
const cacheableFinishes = new Set<FinishReason>(['stop', 'length', 'tool-calls']);
/** A rough per-event overhead in bytes, to bound what one recording holds while it streams. */
const eventOverheadBytes = 48;

/** Builds the cache stage for `options.config`. */
export function createCacheStage(options: CacheStageOptions = {}): CacheStage {
  const settings = resolveCacheSettings(options.config);
  const store = options.store ?? new MemoryCacheStore(settings.memoryEntries);
  const reads = settings.mode === 'on' || settings.mode === 'read-only';
  const writes = settings.mode === 'on' || settings.mode === 'write-only';
  /** Misses still streaming, by key: an identical request arriving meanwhile shares the answer. */
  const inFlight = new Map<string, Observable<LlmEvent>>();

  return {
    name: 'cache',
    settings,
    store,
    wrapCall(context, next) {
      if (settings.mode === 'off') return next(context.request);
      const request = context.request;
      const bypass = bypassReason(request, context, settings);
      if (bypass) {
        quietly(store.count('bypass'));
        context.record({ type: 'llm-cache-bypass', reason: bypass });
        return next(request);
      }
      const scope = scopeValue(context, settings) ?? '';
      const key = cacheKey(request, scope, request.route ? options.routes?.[request.route]?.targets : undefined);
      const run = (): Observable<LlmEvent> => (writes ? recorded(next(request), key, scope, context) : next(request));
      if (!reads) return run();
      return defer(() => {
        const found = store.get(key, context.now());
        const choose = (answer: CachedAnswer | undefined): Observable<LlmEvent> => {
          if (answer) return replay(answer, key, context);
          const pending = inFlight.get(key);
          if (pending) return join(pending, key, context);
          quietly(store.count('miss'));
          if (!writes) return run();
          const shared = run().pipe(
            finalize(() => inFlight.delete(key)),
            share({ connector: () => new ReplaySubject<LlmEvent>(), resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
          );
          inFlight.set(key, shared);
          return shared;
        };
        return found instanceof Promise ? from(found).pipe(switchMap(choose)) : choose(found);
      });
    },
  };

  function replay(answer: CachedAnswer, key: string, context: CallContext): Observable<LlmEvent> {
    quietly(store.count('hit', answer.costMicros ?? 0));
    const usage = answer.events.find((event): event is Extract<LlmEvent, { type: 'usage' }> => event.type === 'usage')?.usage;
    context.record({
      type: 'llm-cache-hit',
      key,
      provider: answer.provider,
      model: answer.model,
      cachedAt: new Date(answer.createdAt).toISOString(),
      savedMicros: answer.costMicros,
      usage: usage ? { ...usage, raw: undefined } : undefined,
    });
    return new Observable<LlmEvent>((subscriber) => {
      subscriber.next({ type: 'cache-hit', key });
      for (const event of answer.events) {
        if (subscriber.closed) return;
        subscriber.next(event);
      }
      subscriber.complete();
    });
  }

  /**
   * Rides along on an identical request that is still streaming: the same answer, from its first
   * event, paid for once. The upstream call continues while any of its callers still listens.
   */
  function join(pending: Observable<LlmEvent>, key: string, context: CallContext): Observable<LlmEvent> {
    return defer(() => {
      let served: { provider: string; model: string } | undefined;
      let usage: Usage | undefined;
      return concat(
        of<LlmEvent>({ type: 'cache-hit', key }),
        pending.pipe(
          filter((event) => answerEvents.has(event.type)),
          tap({
            next(event) {
              if (event.type === 'start' && !served) served = { provider: event.provider, model: event.model };
              else if (event.type === 'usage') usage = event.usage;
            },
            complete() {
              const savedMicros = served && usage ? options.priceOf?.(served.provider, served.model, usage) : undefined;
              quietly(store.count('hit', savedMicros ?? 0));
              context.record({ type: 'llm-cache-hit', key, shared: true, provider: served?.provider, model: served?.model, savedMicros, usage: usage ? { ...usage, raw: undefined } : undefined });
            },
          }),
        ),
      );
    });
  }

  function recorded(source: Observable<LlmEvent>, key: string, scope: string, context: CallContext): Observable<LlmEvent> {
    return defer(() => {
      const events: LlmEvent[] = [];
      let bytes = 0;
      let tooLarge = false;
      let finish: FinishReason | undefined;
      let served: { provider: string; model: string } | undefined;
      let usage: Usage | undefined;
      return source.pipe(
        tap({
          next(event) {
            if (event.type === 'start' && !served) served = { provider: event.provider, model: event.model };
            else if (event.type === 'finish') finish = event.reason;
            else if (event.type === 'usage') usage = event.usage;
            if (tooLarge || !answerEvents.has(event.type)) return;
            bytes += eventOverheadBytes + eventTextLength(event);
            if (bytes > settings.maxEntryBytes) {
              tooLarge = true;
              events.length = 0;
              return;
            }
            events.push(event);
          },
          complete() {
            if (tooLarge || !served || !finish || !cacheableFinishes.has(finish)) return;
            const now = context.now();
            const answer: CachedAnswer = {
              events,
              provider: served.provider,
              model: served.model,
              scope,
              createdAt: now,
              expiresAt: now + settings.ttlMs,
              costMicros: usage ? options.priceOf?.(served.provider, served.model, usage) : undefined,
            };
            try {
              const written = store.set(key, answer);
              quietly(store.count('write'));
              if (written instanceof Promise) written.catch((error: unknown) => recordWriteFailure(context, key, error));
            } catch (error) {
              // The caller has its answer; a cache that cannot write must not turn it into a failure.
              recordWriteFailure(context, key, error);
            }
          },
        }),
      );
    });
  }
}

/** Why this request skips the cache, or `undefined` when it may use it. */
function bypassReason(request: LayerRequest, context: CallContext, settings: CacheSettings): string | undefined {
  if (request.continuation) return 'continuation';
  // Unset temperature means the provider's default, which is above 0 for all seven providers.
  if (!settings.nondeterministic && (request.temperature ?? 1) > 0) return 'nondeterministic';
  if (scopeValue(context, settings) === undefined) return `no-${settings.scope}`;
  return undefined;
}

/** The value that separates callers under the configured scope; `undefined` when the origin lacks it. */
function scopeValue(context: CallContext, settings: CacheSettings): string | undefined {
  if (settings.scope === 'global') return '';
  const value = settings.scope === 'mission' ? context.origin.mission : context.origin.user;
  return value ? `${settings.scope}:${value}` : undefined;
}

function eventTextLength(event: LlmEvent): number {
  switch (event.type) {
    case 'text-delta':
    case 'reasoning-delta':
      return event.text.length;
    case 'tool-call-delta':
      return event.argumentsDelta.length;
    case 'tool-call':
      return JSON.stringify(event.call.arguments).length;
    case 'signature':
      return event.signature.length;
    default:
      return 0;
  }
}

function recordWriteFailure(context: CallContext, key: string, error: unknown): void {
  context.record({ type: 'llm-cache-error', key, message: (error as Error)?.message ?? String(error) });
}

/** Counting is bookkeeping: a store that fails to count must not fail the call. */
function quietly(result: void | Promise<void>): void {
  if (result instanceof Promise) result.catch(() => undefined);
}
