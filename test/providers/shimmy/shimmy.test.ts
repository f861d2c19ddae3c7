/**
 * Shimmy: the fake's Shimmy flavour checked with the openai SDK, and the Shimmy adapter against it
 * (trimmed request, explicit-null deltas, zero/absent usage, empty-body 502, faults, discovery).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools, configurePools } from '../../../providers/http.js';
import type { LlmRequest } from '../../../providers/types.js';
import { createShimmyAdapter, shimmyConfigFromEnv, shimmyDefaultBaseUrl } from '../../../providers/adapters/shimmy.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';
import { collect, failure, ofType, textOf } from '../openai/helpers.js';

let fake: FakeServer;

beforeAll(async () => {
  configurePools({ bodyTimeoutMs: 400, headersTimeoutMs: 3_000 });
  fake = await startOpenAiFake({ flavor: 'shimmy', models: ['phi-3-mini', 'llama-3.2-1b'] });
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

const adapter = () => createShimmyAdapter({ baseUrl: fake.url });
const ask = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({ model: 'phi-3-mini', messages: [{ role: 'user', content: 'Hi' }], ...overrides });

describe('shimmy fake driven by the openai SDK', () => {
  const client = () => new OpenAI({ apiKey: 'unused', baseURL: `${fake.url}/v1`, maxRetries: 0, timeout: 5_000 });

  it('streams explicit-null deltas without usage, ending in stop and [DONE]', async () => {
    fake.enqueue({ text: 'Local model here.' });
    const stream = await client().chat.completions.create({ model: 'phi-3-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    let finish: string | null = null;
    let sawUsage = false;
    for await (const chunk of stream) {
      if (chunk.usage) sawUsage = true;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Local model here.');
    expect(finish).toBe('stop');
    expect(sawUsage).toBe(false);
  });

  it('answers non-streaming with zero usage and no tool calls, even when tools are offered', async () => {
    fake.enqueue({ text: 'No tools here.', toolCalls: [{ name: 'ignored', arguments: {} }] });
    const completion = await client().chat.completions.create({
      model: 'phi-3-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ type: 'function', function: { name: 'ignored', parameters: { type: 'object' } } }],
    });
    expect(completion.choices[0].message).toMatchObject({ content: 'No tools here.' });
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(['phi-3-mini', 'llama-3.2-1b']);
  });
});

describe('shimmy adapter', () => {
  it('streams text and reports zero usage and stop', async () => {
    fake.enqueue({ text: 'Streaming locally.' });
    const events = await collect(adapter().stream(ask()));
    expect(events[0]).toMatchObject({ type: 'start', provider: 'shimmy', model: 'phi-3-mini' });
    expect(textOf(events)).toBe('Streaming locally.');
    expect(ofType(events, 'usage')).toHaveLength(1);
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'stop' });
  });

  it('sends only what Shimmy honours: max_tokens clamped, no tools, no stream_options, never null content', async () => {
    fake.enqueue({ text: 'ok' });
    await collect(
      adapter().stream(
        ask({
          maxTokens: 500_000,
          messages: [
            { role: 'user', content: 'Use the tool' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { q: 1 } }] },
            { role: 'tool', toolCallId: 'call_1', toolName: 'lookup', content: '42' },
          ],
          tools: [{ name: 'lookup', parameters: { type: 'object' } }],
          toolChoice: 'auto',
          responseFormat: { type: 'json' },
        }),
      ),
    );
    const request = fake.requests.at(-1)!;
    expect(request.url.pathname).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      model: 'phi-3-mini',
      messages: [
        { role: 'user', content: 'Use the tool' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Result of tool lookup: 42' },
      ],
      max_tokens: 131_072,
      stream: true,
    });
  });

  it('completes non-streaming with zero usage', async () => {
    fake.enqueue({ text: 'Whole answer.' });
    const response = await adapter().completeRequest(ask({ maxTokens: 16 }));
    expect(response).toMatchObject({ provider: 'shimmy', content: 'Whole answer.', finishReason: 'stop', toolCalls: [] });
    expect(response.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(response.usage.raw).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(fake.requests.at(-1)!.body.max_tokens).toBe(16);
  });

  it('refuses a forced tool call before sending anything', async () => {
    const before = fake.requests.length;
    const error = await failure(adapter().stream(ask({ tools: [{ name: 'lookup', parameters: {} }], toolChoice: 'required' })));
    expect(error).toMatchObject({ code: LlmErrorCode.badRequest, isRetryable: false });
    expect(fake.requests.length).toBe(before);
  });

  it('an empty-body 502 (generation failure) is a retryable server error', async () => {
    fake.enqueue({ fault: { type: 'status', status: 502 } });
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.server, isRetryable: true, status: 502 });
  });

  it('an unknown model (404 model_not_found) is not retryable', async () => {
    const body = { error: { message: "Model 'nope' not found. Available models: [phi-3-mini]", type: 'invalid_request_error', param: 'model', code: 'model_not_found' } };
    fake.enqueue({ fault: { type: 'status', status: 404, body } });
    const error = await failure(adapter().completeRequest(ask({ model: 'nope' })));
    expect(error).toMatchObject({ code: LlmErrorCode.notFound, isRetryable: false, providerCode: 'model_not_found' });
  });

  it('drops, stalls, malformed frames and aborts are typed', async () => {
    fake.enqueue({ text: 'will be dropped soon', chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: 3 } });
    expect(await failure(adapter().stream(ask()))).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
    fake.enqueue({ text: 'stall', fault: { type: 'stall', afterChunks: 1 } });
    expect(await failure(adapter().stream(ask()))).toMatchObject({ code: LlmErrorCode.timeout, isRetryable: true });
    fake.enqueue({ text: 'garbage', fault: { type: 'malformed', afterChunks: 2 } });
    expect((await failure(adapter().stream(ask()))).code).toBe(LlmErrorCode.malformedResponse);
    fake.enqueue({ text: 'z'.repeat(300), chunkDelayMs: 20 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect((await failure(adapter().stream(ask(), { signal: controller.signal }))).code).toBe(LlmErrorCode.aborted);
  });

  it('never puts a credential header (for a proxy in front of Shimmy) into an error, even when it is echoed', async () => {
    const token = 'proxy-secret-token-24680';
    const echo = { type: 'status' as const, status: 401, body: { error: { message: `Bad credentials: Bearer ${token}`, type: 'invalid_request_error', param: null, code: null } } };
    fake.enqueue({ fault: echo }, { fault: echo });
    const proxied = createShimmyAdapter({ baseUrl: fake.url, headers: { authorization: `Bearer ${token}`, 'x-trace': 'visible' } });
    for (const error of [await failure(proxied.stream(ask())), await failure(proxied.completeRequest(ask()))]) {
      expect(error).toMatchObject({ code: LlmErrorCode.authentication, status: 401 });
      expect(error.message).toContain('[redacted]');
      expect(`${error.message}${error.stack}${JSON.stringify(error.toJSON())}`).not.toContain(token);
    }
  });

  it('lists models, also when the base URL already ends in /v1', async () => {
    await expect(createShimmyAdapter({ baseUrl: `${fake.url}/v1/` }).listModels!()).resolves.toEqual(['phi-3-mini', 'llama-3.2-1b']);
    expect(fake.requests.at(-1)!.url.pathname).toBe('/v1/models');
  });

  it('a Shimmy that is not running fails discovery with a retryable connection error', async () => {
    const closed = await startOpenAiFake({ flavor: 'shimmy' });
    const url = closed.url;
    await closed.close();
    const error = await failure(createShimmyAdapter({ baseUrl: url }).listModels!());
    expect(error).toMatchObject({ code: LlmErrorCode.connection, isRetryable: true });
  });
});

describe('shimmy configuration', () => {
  it('always yields a config, defaulting to the local port', () => {
    expect(shimmyConfigFromEnv({})).toEqual({ baseUrl: shimmyDefaultBaseUrl });
    expect(shimmyDefaultBaseUrl).toBe('http://127.0.0.1:11435');
    expect(shimmyConfigFromEnv({ SHIMMY_BASE_URL: 'http://127.0.0.1:11500' })).toEqual({ baseUrl: 'http://127.0.0.1:11500' });
  });
});
