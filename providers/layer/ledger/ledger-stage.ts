/**
 * The cost ledger stage: wraps each attempt, prices what it used, writes one ledger row and
 * records the same figures in the audit trail (`llm-cost`). When the provider sends no usage it
 * puts a tokenizer's estimate (`source: 'estimated'`) in its place on the stream, so callers and
 * the budget stage outside it never see a placeholder zero. Cache hits are booked by
 * `cache-savings-stage.ts`.
 */
import { Observable, type Subscription } from 'rxjs';
import { AttemptMeter, isMissingUsage, promptHash } from '../../pricing/attempt-meter.js';
import type { PriceTable } from '../../pricing/price-table.js';
import { TokenEstimator } from '../../pricing/token-estimator.js';
import type { LlmEvent } from '../../types.js';
import type { AttemptContext, CallContext, CallStage } from '../stage.js';
import type { LedgerEntry, UsageLedger } from './ledger-types.js';

/** Options of {@link createLedgerStage}. */
export interface LedgerStageOptions {
  ledger: UsageLedger;
  prices: PriceTable;
}

/** A raw usage object larger than this (as JSON) is not stored verbatim. */
const maxRawUsageChars = 16_384;

function boundedRaw(raw: unknown): unknown {
  if (raw === undefined) return undefined;
  try {
    const text = JSON.stringify(raw);
    return text !== undefined && text.length <= maxRawUsageChars ? raw : { truncated: true, chars: text?.length ?? 0 };
  } catch {
    return { unserializable: true };
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'LLM_ERR_UNKNOWN';
}

/** The audit record of a ledger row (the figures, no prompt). */
export function costRecord(entry: LedgerEntry): { type: string; [key: string]: unknown } {
  return {
    type: 'llm-cost',
    attempt: entry.attempt,
    provider: entry.provider,
    model: entry.model,
    route: entry.route,
    inputTokens: entry.inputTokens,
    outputTokens: entry.outputTokens,
    cachedInputTokens: entry.cachedInputTokens,
    cacheWriteInputTokens: entry.cacheWriteInputTokens,
    reasoningTokens: entry.reasoningTokens,
    costMicros: entry.costMicros,
    estimated: entry.estimated,
    priceVersion: entry.priceVersion,
    cacheHit: entry.cacheHit,
    savedMicros: entry.savedMicros,
    outcome: entry.outcome,
  };
}

export function baseEntry(context: CallContext, now: number): Pick<LedgerEntry, 'at' | 'generationId' | 'runId' | 'stepId' | 'mission' | 'user' | 'session' | 'tags'> {
  const origin = context.origin;
  return {
    at: now,
    generationId: context.generationId,
    runId: origin.runId,
    stepId: origin.stepId,
    mission: origin.mission,
    user: origin.user,
    session: origin.session,
    tags: [...(origin.tags ?? [])].slice(0, 32),
  };
}

/** Appends a row and records its figures; a failed append is recorded, never thrown into the call. */
export function writeEntry(ledger: UsageLedger, context: CallContext, entry: LedgerEntry): void {
  context.record(costRecord(entry));
  try {
    const pending = ledger.append(entry);
    if (pending) pending.catch((error: unknown) => context.record({ type: 'ledger-write-failed', entryId: entry.id, errorCode: errorCode(error) }));
  } catch (error) {
    // A lost row is recorded in the audit trail; the answer is still delivered.
    context.record({ type: 'ledger-write-failed', entryId: entry.id, errorCode: errorCode(error) });
  }
}

/** Creates the ledger stage. */
export function createLedgerStage(options: LedgerStageOptions): CallStage {
  const { ledger, prices } = options;

  const write = (context: CallContext, entry: LedgerEntry): void => writeEntry(ledger, context, entry);

  return {
    name: 'ledger',

    wrapAttempt(context: AttemptContext, next): Observable<LlmEvent> {
      return new Observable<LlmEvent>((subscriber) => {
        let meter: AttemptMeter | undefined;
        let written = false;
        let usageSent = false;
        /** Events seen before the tokenizer is ready, replayed into the meter once it is. */
        const early: LlmEvent[] = [];
        /** Work waiting for the meter, in order; once anything waits, later emissions queue behind it. */
        const waiting: (() => void)[] = [];
        const request = context.providerRequest;
        const whenReady = (work: () => void): void => {
          if (meter && waiting.length === 0) work();
          else waiting.push(work);
        };

        const book = (outcome: string): void => {
          if (written || !meter) return;
          written = true;
          const metered = meter.result(outcome !== 'ok');
          const usage = metered.usage;
          write(context, {
            ...baseEntry(context, context.now()),
            id: `${context.generationId}:${context.attempt}`,
            attempt: context.attempt,
            provider: context.target.provider,
            model: metered.model,
            route: context.target.route,
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cachedInputTokens: usage.cachedInputTokens,
            cacheWriteInputTokens: usage.cacheWriteInputTokens,
            reasoningTokens: usage.reasoningTokens,
            rawUsage: boundedRaw(usage.raw),
            costMicros: metered.costMicros,
            estimated: metered.estimated,
            priceVersion: prices.version,
            cacheHit: false,
            savedMicros: 0,
            promptHash: promptHash(context.target.provider, request),
            outcome,
          });
        };
        const sendEstimate = (): void => {
          if (usageSent || !meter) return;
          usageSent = true;
          subscriber.next({ type: 'usage', usage: meter.usage().usage });
        };

        // The call starts at once; the tokenizer (slow to load the first time) is only needed for
        // estimates, so it loads alongside and the events that need it wait for it.
        TokenEstimator.for(context.target.provider, request.model).then(
          (estimator) => {
            meter = new AttemptMeter(context.target.provider, request.model, estimator.countPrompt(request), estimator, prices);
            for (const event of early.splice(0)) meter.observe(event);
            for (const work of waiting.splice(0)) work();
          },
          (error: unknown) => subscriber.error(error),
        );

        const inner: Subscription = next(request).subscribe({
          next: (event) => {
            if (meter) meter.observe(event);
            else early.push(event);
            if (event.type === 'usage') {
              // A placeholder is replaced by the estimate, sent at the finish.
              if (isMissingUsage(event.usage)) return;
              usageSent = true;
            }
            if (event.type === 'finish' && !usageSent) {
              whenReady(() => {
                sendEstimate();
                subscriber.next(event);
              });
              return;
            }
            if (waiting.length) waiting.push(() => subscriber.next(event));
            else subscriber.next(event);
          },
          error: (error: unknown) =>
            whenReady(() => {
              book(errorCode(error));
              subscriber.error(error);
            }),
          complete: () =>
            whenReady(() => {
              sendEstimate();
              book('ok');
              subscriber.complete();
            }),
        });

        return () => {
          inner.unsubscribe();
          whenReady(() => book('LLM_ERR_ABORTED'));
        };
      });
    },
  };
}
