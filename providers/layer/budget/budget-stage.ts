/**
 * The budget stage: before each attempt it reserves the attempt's worst case in every bucket that
 * applies (atomically, in the store), lowering `max_tokens` to what is left down to a floor before
 * refusing; while the answer streams it meters the output and cuts a stream that would cross its
 * reservation; afterwards it settles the reservation to the actual cost (or releases it when
 * nothing was spent) and raises alerts as buckets cross their levels.
 */
import { Observable, type Subscription } from 'rxjs';
import { AttemptMeter } from '../../pricing/attempt-meter.js';
import { affordableOutputTokens, worstCaseCostMicros } from '../../pricing/cost.js';
import type { PriceTable } from '../../pricing/price-table.js';
import { TokenEstimator } from '../../pricing/token-estimator.js';
import type { LlmEvent } from '../../types.js';
import type { AttemptContext, CallStage } from '../stage.js';
import { AlertWebhook } from './alert-webhook.js';
import { BudgetAlerts } from './budget-alerts.js';
import type { BudgetRule } from './budget-config.js';
import { BudgetExhaustedError, formatUsd } from './budget-errors.js';
import { appliedBudgets, mergeRules, type AppliedBudget } from './budget-scopes.js';
import type { BudgetStore, ReserveResult } from './budget-store.js';

/** Options of {@link createBudgetStage}. */
export interface BudgetStageOptions {
  store: BudgetStore;
  prices: PriceTable;
  /** Budgets from the configuration (`budgetRulesFrom(llm.budgets)`); the store's own are added. */
  rules: BudgetRule[];
  /** `max_tokens` reserved (and sent) when a request sets none: 4096, or the model's maximum if lower. */
  defaultMaxTokens?: number;
  /** The least output worth a call: below it the call is refused rather than squeezed (256). */
  minOutputTokens?: number;
  /** How long a reservation lives unless renewed (10 minutes); a crashed process's expire. */
  leaseMs?: number;
  webhook?: AlertWebhook;
  /** Called for each alert (the CLI prints them). */
  onAlert?: (alert: { bucket: string; percent: number; exhausted: boolean }) => void;
}

/** Default `max_tokens` for a request that sets none. */
export const defaultMaxTokens = 4096;
/** Default output floor before refusing. */
export const defaultMinOutputTokens = 256;
/** Default reservation lease. */
export const defaultLeaseMs = 600_000;

const contentEvents = new Set<LlmEvent['type']>(['text-delta', 'reasoning-delta', 'tool-call-delta', 'tool-call']);
let reservationCounter = 0;

/** Creates the budget stage (a `wrapAttempt` stage). */
export function createBudgetStage(options: BudgetStageOptions): CallStage {
  const { store, prices } = options;
  const leaseMs = options.leaseMs ?? defaultLeaseMs;
  const alerts = new BudgetAlerts(store, options.webhook, options.onAlert);

  return {
    name: 'budget',
    wrapAttempt(context: AttemptContext, next): Observable<LlmEvent> {
      return new Observable<LlmEvent>((subscriber) => {
        let inner: Subscription | undefined;
        let closed = false;
        let finishReservation: ((outcome: 'ok' | 'error' | 'cut') => Promise<void>) | undefined;

        const run = async (): Promise<void> => {
          const request = context.providerRequest;
          const { provider } = context.target;
          const now = context.now();
          const rules = mergeRules(options.rules, await store.limits());
          const budgets = appliedBudgets(rules, context.origin, now);
          const lookup = prices.lookup(provider, request.model);
          if (!budgets.length || !lookup.price) {
            // An unpriced model cannot be reserved for; it is recorded (and counted apart by the ledger).
            if (budgets.length) context.record({ type: 'budget-unpriced', provider, model: request.model, buckets: budgets.map((budget) => budget.bucket) });
            if (!closed) inner = next(request).subscribe(subscriber);
            return;
          }
          const price = lookup.price;
          const estimator = await TokenEstimator.for(provider, request.model);
          const promptTokens = estimator.countPrompt(request);
          const requestedMax = request.maxTokens ?? Math.min(options.defaultMaxTokens ?? defaultMaxTokens, price.maxOutputTokens ?? Number.MAX_SAFE_INTEGER);
          const floor = Math.min(requestedMax, options.minOutputTokens ?? defaultMinOutputTokens);
          const wantMicros = worstCaseCostMicros(price, promptTokens, requestedMax);
          const reservationId = `${context.generationId}:${context.attempt}:${process.pid}:${++reservationCounter}`;
          const buckets = budgets.map(({ bucket, limitMicros }) => ({ bucket, limitMicros }));
          if (closed) return;
          const result: ReserveResult = await store.reserve({
            reservationId,
            buckets,
            wantMicros,
            minMicros: worstCaseCostMicros(price, promptTokens, floor),
            now,
            leaseUntil: now + leaseMs,
          });
          if (!result.granted) throw refusal(context, budgets, result.exhausted, provider);
          const grantedMicros = result.micros;
          const maxTokens = grantedMicros < wantMicros ? Math.min(requestedMax, affordableOutputTokens(price, promptTokens, grantedMicros)) : requestedMax;
          context.record({ type: 'budget-reserve', reservationId, micros: grantedMicros, promptTokens, maxTokens, buckets: buckets.map((bucket) => bucket.bucket) });
          if (maxTokens < requestedMax) context.record({ type: 'budget-max-tokens-lowered', from: requestedMax, to: maxTokens });

          const meter = new AttemptMeter(provider, request.model, promptTokens, estimator, prices);
          // Tokenizer counts of other families are scaled up; compare like with like, with a little slack.
          const allowedOutputTokens = Math.ceil(maxTokens * estimator.ratio * 1.05) + 8;
          let settled = false;
          let renewedAt = now;
          finishReservation = async (outcome) => {
            if (settled) return;
            settled = true;
            const metered = meter.result();
            if (outcome === 'error' && !meter.hasContent && metered.estimated) {
              await store.release(reservationId);
              context.record({ type: 'budget-release', reservationId });
              return;
            }
            // A stream cut at its reservation's edge is billed the reservation at most: the tokens past
            // the edge were never read, and tokenizer estimates run a little high by design.
            const actual = outcome === 'cut' ? Math.min(metered.costMicros ?? grantedMicros, grantedMicros) : (metered.costMicros ?? grantedMicros);
            await store.settle(reservationId, buckets.map((bucket) => bucket.bucket), actual);
            context.record({ type: 'budget-settle', reservationId, reservedMicros: grantedMicros, actualMicros: actual, estimated: metered.estimated });
            // The provider counted more prompt tokens than our tokenizer: the spend is the truth, and says so.
            if (actual > grantedMicros) context.record({ type: 'budget-overrun', reservationId, reservedMicros: grantedMicros, actualMicros: actual });
            for (const event of await alerts.check(context, budgets)) if (!subscriber.closed) subscriber.next(event);
          };
          const sent = { ...request, maxTokens };
          if (closed) return void (await finishReservation('error'));
          inner = next(sent).subscribe({
            next: (event) => {
              meter.observe(event);
              if (contentEvents.has(event.type) && meter.outputTokensSoFar > allowedOutputTokens) {
                inner?.unsubscribe();
                const cut = new BudgetExhaustedError(`the answer reached its budget reservation of ${formatUsd(grantedMicros)} and was cut`, {
                  bucket: budgets[0].bucket,
                  limitMicros: budgets[0].limitMicros,
                  spentMicros: 0,
                  reservedMicros: grantedMicros,
                  pause: false,
                  incomplete: true,
                  deliveredChars: meter.deliveredChars,
                  provider,
                });
                context.record({ type: 'budget-stream-cut', reservationId, reservedMicros: grantedMicros, deliveredChars: meter.deliveredChars });
                void finishReservation?.('cut').finally(() => subscriber.error(cut));
                return;
              }
              const at = context.now();
              if (at - renewedAt > leaseMs / 2) {
                renewedAt = at;
                void Promise.resolve(store.renew(reservationId, at + leaseMs)).catch(() => undefined);
              }
              subscriber.next(event);
            },
            error: (error: unknown) => void finishReservation?.('error').then(() => subscriber.error(error), () => subscriber.error(error)),
            complete: () => void finishReservation?.('ok').then(() => subscriber.complete(), (error: unknown) => subscriber.error(error)),
          });
        };

        run().catch((error: unknown) => subscriber.error(error));
        return () => {
          closed = true;
          inner?.unsubscribe();
          void finishReservation?.('error').catch(() => undefined);
        };
      });
    },
  };
}

function refusal(context: AttemptContext, budgets: AppliedBudget[], exhausted: { bucket: string; limitMicros: number; spentMicros: number; reservedMicros: number }, provider: string): BudgetExhaustedError {
  const rule = budgets.find((budget) => budget.bucket === exhausted.bucket)?.rule;
  const pause = rule?.onExhausted === 'pause';
  context.record({ type: 'budget-exhausted', bucket: exhausted.bucket, limitMicros: exhausted.limitMicros, spentMicros: exhausted.spentMicros, reservedMicros: exhausted.reservedMicros, pause });
  const left = exhausted.limitMicros - exhausted.spentMicros - exhausted.reservedMicros;
  return new BudgetExhaustedError(
    `budget ${exhausted.bucket} cannot cover this call: ${formatUsd(Math.max(left, 0))} left of ${formatUsd(exhausted.limitMicros)}` +
      (pause ? '; the run pauses until the budget is raised (mission budget set), then mission resume continues it' : '; raise it with mission budget set'),
    { ...exhausted, pause, provider },
  );
}
