/**
 * Books cache hits in the ledger: a row with cost zero and what the call would have cost
 * (`savedMicros`), priced from the cached answer's usage. It must wrap the call *outside* the
 * cache stage (a hit never reaches the stages inside it): its name is `cache-savings`.
 */
import { Observable } from 'rxjs';
import { promptHash } from '../../pricing/attempt-meter.js';
import { computeCost } from '../../pricing/cost.js';
import type { PriceTable } from '../../pricing/price-table.js';
import type { LlmEvent, Usage } from '../../types.js';
import type { CallContext, CallStage, LayerRequest } from '../stage.js';
import { baseEntry, writeEntry } from './ledger-stage.js';
import type { UsageLedger } from './ledger-types.js';

/** Creates the cache-savings stage (a `wrapCall` stage). */
export function createCacheSavingsStage(options: { ledger: UsageLedger; prices: PriceTable }): CallStage {
  const { ledger, prices } = options;
  return {
    name: 'cache-savings',
    wrapCall(context: CallContext, next: (request: LayerRequest) => Observable<LlmEvent>): Observable<LlmEvent> {
      return new Observable<LlmEvent>((subscriber) => {
        let cacheHit = false;
        let provider = context.request.provider ?? 'unknown';
        let model = context.request.model ?? 'unknown';
        let usage: Usage | undefined;
        const bookCacheHit = (): void => {
          const lookup = prices.lookup(provider, model);
          const saved = usage && lookup.price ? computeCost(usage, lookup.price).costMicros : 0;
          writeEntry(ledger, context, {
            ...baseEntry(context, context.now()),
            id: `${context.generationId}:cache`,
            attempt: 0,
            provider,
            model,
            route: context.request.route,
            inputTokens: usage?.inputTokens ?? 0,
            outputTokens: usage?.outputTokens ?? 0,
            cachedInputTokens: usage?.cachedInputTokens ?? 0,
            cacheWriteInputTokens: usage?.cacheWriteInputTokens ?? 0,
            reasoningTokens: usage?.reasoningTokens ?? 0,
            costMicros: 0,
            estimated: usage?.source === 'estimated',
            priceVersion: prices.version,
            cacheHit: true,
            savedMicros: saved,
            promptHash: promptHash(provider, { ...context.request, model, messages: context.request.messages }),
            outcome: 'ok',
          });
        };
        const subscription = next(context.request).subscribe({
          next: (event) => {
            if (event.type === 'cache-hit') cacheHit = true;
            if (event.type === 'start') ({ provider, model } = event);
            if (event.type === 'usage') usage = event.usage;
            subscriber.next(event);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            if (cacheHit) bookCacheHit();
            subscriber.complete();
          },
        });
        return () => subscription.unsubscribe();
      });
    }
  };
}
