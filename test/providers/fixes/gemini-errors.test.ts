/**
 * Gemini's errors mean what they say: a key the API does not know is an authentication error (the
 * API answers 400, not 401), an input over the context window is a context-length error, and a
 * per-day quota is exhausted for the day (not retried), while a per-minute one is a rate limit.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiAdapter } from '../../../providers/adapters/gemini.js';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { geminiErrorBodies, startGeminiFake } from '../../fakes/gemini-fake.js';

const apiKey = 'AIza-fixes-valid-key-0123456789';
const request = { model: 'gemini-2.5-flash', messages: [{ role: 'user' as const, content: 'hi' }] };
let fake: FakeServer;
beforeAll(async () => {
  fake = await startGeminiFake({ apiKey });
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

const both = async (key: string) => {
  const adapter = createGeminiAdapter({ apiKey: key, baseUrl: fake.url });
  const streamed = await lastValueFrom(adapter.stream(request).pipe(toArray())).catch((error: unknown) => error);
  const whole = await adapter.completeRequest(request).catch((error: unknown) => error);
  return [streamed, whole];
};

describe('gemini errors', () => {
  it('an invalid key is LLM_ERR_AUTHENTICATION, not retried, the key never in the message', async () => {
    const wrongKey = 'AIza-wrong-key-9876543210';
    for (const error of await both(wrongKey)) {
      expect(error).toMatchObject({ code: LlmErrorCode.authentication, status: 400, isRetryable: false });
      expect(String((error as Error).message)).not.toContain(wrongKey);
    }
  });

  it('an input over the context window is LLM_ERR_CONTEXT_LENGTH', async () => {
    fake.enqueue({ fault: { type: 'status', status: 400, body: geminiErrorBodies.contextLength } }, { fault: { type: 'status', status: 400, body: geminiErrorBodies.contextLength } });
    for (const error of await both(apiKey)) expect(error).toMatchObject({ code: LlmErrorCode.contextLength, isRetryable: false });
  });

  it('a per-day quota is LLM_ERR_QUOTA_EXCEEDED (not retried); a per-minute one stays a retryable rate limit', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, body: geminiErrorBodies.perDayQuota } }, { fault: { type: 'status', status: 429, body: geminiErrorBodies.perDayQuota } });
    for (const error of await both(apiKey)) expect(error).toMatchObject({ code: LlmErrorCode.quotaExceeded, isRetryable: false });
    fake.enqueue({ fault: { type: 'status', status: 429, body: geminiErrorBodies.perMinuteQuota } });
    const [perMinute] = await both(apiKey);
    expect(perMinute).toMatchObject({ code: LlmErrorCode.rateLimited, isRetryable: true, retryAfterMs: 34_400 });
  });

  it('the same mapping holds for an error sent inside a 200 stream', async () => {
    const { geminiStreamError } = await import('../../../providers/adapters/gemini-response.js');
    expect(geminiStreamError(geminiErrorBodies.perDayQuota)).toMatchObject({ code: LlmErrorCode.quotaExceeded });
    expect(geminiStreamError(geminiErrorBodies.contextLength)).toMatchObject({ code: LlmErrorCode.contextLength });
  });
});
