/** The typed error of a call that a rate limit kept from starting. */
import { LlmError, LlmErrorCode } from '../../errors.js';

/** `LLM_ERR_RATE_LIMITED` raised by our own queue (not by a provider's 429): names the key and the limit. */
export class RateLimitQueueError extends LlmError {
  /** The key whose limit held the call: `openai` or `openai/gpt-4o-mini`. */
  readonly limitKey: string;
  /** The limit that held it: `rpm 500`, `tpm 200000`, `concurrency 4`, `queue 1000`, …. */
  readonly limit: string;

  constructor(provider: string, limitKey: string, limit: string, why: string) {
    // Not retryable: the call already waited as long as it was allowed to; another target may serve it.
    super(LlmErrorCode.rateLimited, `${limitKey}: rate limit ${limit} — ${why}`, { provider, providerCode: 'local_rate_limit', isRetryable: false });
    this.limitKey = limitKey;
    this.limit = limit;
  }
}
