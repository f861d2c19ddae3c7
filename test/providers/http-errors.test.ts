/**
 * The shared HTTP error mapping: Retry-After in its forms, and the errors that retrying cannot
 * cure (quota and billing), whatever a server's retry hint says.
 */
import { describe, expect, it } from 'vitest';
import { LlmErrorCode } from '../../providers/errors.js';
import { errorFromResponse, parseRetryAfter } from '../../providers/http.js';

const now = Date.parse('Wed, 21 Oct 2015 07:27:00 GMT');

describe('parseRetryAfter', () => {
  it('reads seconds, then retry-after-ms before them', () => {
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': '1.5' }, now)).toBe(1500);
    expect(parseRetryAfter({ 'retry-after': '6', 'retry-after-ms': '5500' }, now)).toBe(5500);
  });

  it('reads the three HTTP-date forms', () => {
    expect(parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, now)).toBe(60_000);
    expect(parseRetryAfter({ 'retry-after': 'Wednesday, 21-Oct-15 07:28:00 GMT' }, now)).toBe(60_000);
    expect(parseRetryAfter({ 'retry-after': 'Wed Oct 21 07:28:00 2015' }, now)).not.toBeUndefined();
  });

  // V8's Date.parse accepts almost anything ("-1" is 1 January 2001), which read as a date in the
  // past turned garbage into "retry at once" instead of "no hint, back off".
  it.each(['-1', '-5', 'soon 1', 'later 2', '10.5.2', 'abc'])('ignores the value %j, which is neither seconds nor an HTTP date', (value) => {
    expect(parseRetryAfter({ 'retry-after': value }, now)).toBeUndefined();
  });
});

describe('errors retrying cannot cure', () => {
  const quota = JSON.stringify({ error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });

  it('429 insufficient_quota stays non-retryable even when the server says x-should-retry: true', () => {
    const error = errorFromResponse('openai', 429, { 'x-should-retry': 'true' }, quota);
    expect(error).toMatchObject({ code: LlmErrorCode.quotaExceeded, isRetryable: false, status: 429 });
  });

  it('x-should-retry still decides for ordinary errors', () => {
    expect(errorFromResponse('openai', 400, { 'x-should-retry': 'true' }, '{}').isRetryable).toBe(true);
    expect(errorFromResponse('openai', 500, { 'x-should-retry': 'false' }, '{}').isRetryable).toBe(false);
  });

  it("Anthropic's 402 billing_error is a quota error, as its mid-stream form is, not a server fault", () => {
    const body = JSON.stringify({ type: 'error', error: { type: 'billing_error', message: 'Your credit balance is too low.' }, request_id: 'req_1' });
    expect(errorFromResponse('anthropic', 402, {}, body)).toMatchObject({ code: LlmErrorCode.quotaExceeded, isRetryable: false, status: 402 });
  });
});
