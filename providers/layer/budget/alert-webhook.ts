/**
 * Budget alerts POSTed to a webhook. The body is JSON; with a secret (read from the environment
 * variable the budget names, never from a file) an `x-mission-signature: sha256=<hex>` header
 * carries the HMAC-SHA256 of the exact body bytes, so the receiver can check the sender. Posts are
 * bounded: a few seconds each, a few in flight; failures are reported, never thrown into a call.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';

/** What an alert says. */
export interface BudgetAlert {
  type: 'budget-warning' | 'budget-exhausted';
  bucket: string;
  scope: string;
  period: string;
  /** Whole percent of the limit spent. */
  percent: number;
  limitMicros: number;
  spentMicros: number;
  at: string;
}

/** The header that carries the signature. */
export const signatureHeader = 'x-mission-signature';

/** `sha256=` + hex HMAC-SHA256 of `body` with `secret`. */
export function signBody(body: string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

/** Options of {@link AlertWebhook}. */
export interface AlertWebhookOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  maxInFlight?: number;
  /** Called with a failure's description (no secret, no body). */
  onFailure?: (url: string, reason: string) => void;
}

/** Sends alerts; keeps at most `maxInFlight` posts open and drops (and reports) the rest. */
export class AlertWebhook {
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: AlertWebhookOptions = {}) {}

  /** Posts an alert without waiting; see {@link settled}. */
  post(target: { url: string; secretEnv?: string }, alert: BudgetAlert): void {
    const report = this.options.onFailure ?? (() => undefined);
    if (this.inFlight >= (this.options.maxInFlight ?? 8)) {
      report(target.url, 'too many alerts in flight; dropped');
      return;
    }
    const body = JSON.stringify(alert);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mission-engine' };
    const secret = target.secretEnv ? (this.options.env ?? process.env)[target.secretEnv] : undefined;
    if (secret) headers[signatureHeader] = signBody(body, secret);
    const timeoutMs = this.options.timeoutMs ?? 5_000;
    this.inFlight++;
    const sending = (async () => {
      try {
        const response = await request(target.url, {
          method: 'POST',
          headers,
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body.dump({ limit: 64 * 1024 });
        if (response.statusCode >= 300) report(target.url, `HTTP ${response.statusCode}`);
      } catch (error) {
        report(target.url, (error as { code?: string }).code ?? 'request failed');
      } finally {
        this.inFlight--;
      }
    })();
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  /** Resolves when every post sent so far has finished (for tests and clean exits). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
