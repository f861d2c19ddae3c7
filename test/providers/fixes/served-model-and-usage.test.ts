/**
 * What the LLM layer depends on from every adapter: `start` names the model that actually served
 * the call (an alias resolves to a dated id), on the streamed and the whole-response path; usage a
 * provider did not send is marked missing, never a silent zero; Anthropic's rate-limit headers,
 * resets included, reach `start.rateLimit`.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../../providers/adapters/anthropic.js';
import { createGeminiAdapter } from '../../../providers/adapters/gemini.js';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { createShimmyAdapter } from '../../../providers/adapters/shimmy.js';
import { closePools } from '../../../providers/http.js';
import type { LlmEvent } from '../../../providers/types.js';
import { startAnthropicFake } from '../../fakes/anthropic-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startGeminiFake } from '../../fakes/gemini-fake.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';

const apiKey = 'sk-fixes-0123456789';
const messages = [{ role: 'user' as const, content: 'Hello' }];
let openai: FakeServer;
let shimmy: FakeServer;
let anthropic: FakeServer;
let gemini: FakeServer;

beforeAll(async () => {
  [openai, shimmy, anthropic, gemini] = await Promise.all([startOpenAiFake({ apiKey }), startOpenAiFake({ flavor: 'shimmy' }), startAnthropicFake(), startGeminiFake()]);
});
afterAll(async () => {
  await Promise.all([openai, shimmy, anthropic, gemini].map((fake) => fake.close()));
  await closePools();
});

const startOf = (events: LlmEvent[]) => events.find((event): event is Extract<LlmEvent, { type: 'start' }> => event.type === 'start')!;

describe('start names the served model', () => {
  it('OpenAI: the chunk model on the stream, the body model on the whole response', async () => {
    const adapter = createOpenAIAdapter({ apiKey, baseUrl: `${openai.url}/v1` });
    openai.enqueue({ text: 'hi', servedModel: 'gpt-4o-mini-2024-07-18' }, { text: 'hi', servedModel: 'gpt-4o-mini-2024-07-18' });
    const events = await lastValueFrom(adapter.stream({ model: 'gpt-4o-mini', messages }).pipe(toArray()));
    expect(events[0]).toMatchObject({ type: 'start', model: 'gpt-4o-mini-2024-07-18' });
    expect((await adapter.completeRequest({ model: 'gpt-4o-mini', messages })).model).toBe('gpt-4o-mini-2024-07-18');
  });

  it('Anthropic: message_start.message.model on the stream, the message model on the whole response', async () => {
    const adapter = createAnthropicAdapter({ apiKey, baseUrl: anthropic.url });
    anthropic.enqueue({ text: 'hi', servedModel: 'claude-3-5-haiku-20241022' }, { text: 'hi', servedModel: 'claude-3-5-haiku-20241022' });
    const events = await lastValueFrom(adapter.stream({ model: 'claude-3-5-haiku-latest', messages }).pipe(toArray()));
    expect(events[0]).toMatchObject({ type: 'start', model: 'claude-3-5-haiku-20241022' });
    expect((await adapter.completeRequest({ model: 'claude-3-5-haiku-latest', messages })).model).toBe('claude-3-5-haiku-20241022');
  });

  it('Gemini: modelVersion on both paths', async () => {
    const adapter = createGeminiAdapter({ apiKey, baseUrl: gemini.url });
    gemini.enqueue({ text: 'hi', servedModel: 'gemini-2.5-flash-preview-05-20' }, { text: 'hi', servedModel: 'gemini-2.5-flash-preview-05-20' });
    const events = await lastValueFrom(adapter.stream({ model: 'gemini-2.5-flash', messages }).pipe(toArray()));
    expect(startOf(events).model).toBe('gemini-2.5-flash-preview-05-20');
    expect((await adapter.completeRequest({ model: 'gemini-2.5-flash', messages })).model).toBe('gemini-2.5-flash-preview-05-20');
  });

  it('a stream cut before the model is named still opens with start', async () => {
    const adapter = createAnthropicAdapter({ apiKey, baseUrl: anthropic.url });
    anthropic.enqueue({ text: 'hi', fault: { type: 'drop-mid-stream', afterChunks: 0 } });
    const events: LlmEvent[] = [];
    const error = await new Promise<unknown>((resolve) => {
      adapter.stream({ model: 'claude-3-5-haiku-latest', messages }).subscribe({ next: (event) => events.push(event), error: resolve, complete: () => resolve(undefined) });
    });
    expect(error).toMatchObject({ code: 'LLM_ERR_STREAM_INTERRUPTED' });
    expect(events).toEqual([expect.objectContaining({ type: 'start', model: 'claude-3-5-haiku-latest' })]);
  });
});

describe('usage a provider did not send', () => {
  it('is marked missing on a Shimmy stream (no usage chunk), never a silent zero', async () => {
    const adapter = createShimmyAdapter({ baseUrl: shimmy.url });
    shimmy.enqueue({ text: 'hi there' });
    const events = await lastValueFrom(adapter.stream({ model: 'phi3', messages, maxTokens: 20 }).pipe(toArray()));
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ usage: { source: 'missing', totalTokens: 0 } });
  });

  it('is the provider’s own count when it sends one', async () => {
    const adapter = createOpenAIAdapter({ apiKey, baseUrl: `${openai.url}/v1` });
    openai.enqueue({ text: 'hi', usage: { inputTokens: 3, outputTokens: 1 } });
    const events = await lastValueFrom(adapter.stream({ model: 'gpt-4o-mini', messages }).pipe(toArray()));
    const usage = events.find((event) => event.type === 'usage') as Extract<LlmEvent, { type: 'usage' }>;
    expect(usage.usage.source).toBeUndefined();
    expect(usage.usage.totalTokens).toBe(4);
  });
});

describe("Anthropic's rate-limit headers", () => {
  it('reach start.rateLimit, every family with its reset', async () => {
    const adapter = createAnthropicAdapter({ apiKey, baseUrl: anthropic.url });
    const reset = new Date(Date.now() + 30_000).toISOString().replace(/\.\d+Z$/, 'Z');
    anthropic.enqueue({
      text: 'hi',
      headers: {
        'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '49', 'anthropic-ratelimit-requests-reset': reset,
        'anthropic-ratelimit-input-tokens-limit': '40000', 'anthropic-ratelimit-input-tokens-remaining': '39000', 'anthropic-ratelimit-input-tokens-reset': reset,
        'anthropic-ratelimit-output-tokens-limit': '8000', 'anthropic-ratelimit-output-tokens-remaining': '7990', 'anthropic-ratelimit-output-tokens-reset': reset,
        'anthropic-ratelimit-tokens-limit': '48000', 'anthropic-ratelimit-tokens-remaining': '46990', 'anthropic-ratelimit-tokens-reset': reset,
      },
    });
    const events = await lastValueFrom(adapter.stream({ model: 'claude-3-5-haiku-latest', messages }).pipe(toArray()));
    const rateLimit = startOf(events).rateLimit!;
    expect(rateLimit).toMatchObject({
      limitRequests: 50, remainingRequests: 49, limitTokens: 48000, remainingTokens: 46990,
      limitInputTokens: 40000, remainingInputTokens: 39000, limitOutputTokens: 8000, remainingOutputTokens: 7990,
    });
    for (const reset of [rateLimit.resetRequestsMs, rateLimit.resetTokensMs, rateLimit.resetInputTokensMs, rateLimit.resetOutputTokensMs]) {
      expect(reset).toBeGreaterThan(20_000);
      expect(reset).toBeLessThanOrEqual(31_000);
    }
  });
});
