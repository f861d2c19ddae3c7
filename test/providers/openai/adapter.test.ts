/**
 * The OpenAI adapter against the fake: request shape, streamed and non-streamed answers, tool
 * calls, usage, every fault, abort, model listing and secret hygiene.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools, configurePools } from '../../../providers/http.js';
import { complete } from '../../../providers/observable.js';
import type { LlmRequest } from '../../../providers/types.js';
import { createOpenAIAdapter, openaiConfigFromEnv } from '../../../providers/adapters/openai.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';
import { collect, failure, ofType, textOf } from './helpers.js';

const apiKey = 'sk-test-adapter-0123456789';
let fake: FakeServer;

beforeAll(async () => {
  // Short body timeout so the stall test fails fast; set before the first pool is created.
  configurePools({ bodyTimeoutMs: 400, headersTimeoutMs: 3_000 });
  fake = await startOpenAiFake({ apiKey, models: ['gpt-4.1-mini', 'o4-mini'] });
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

const adapter = () => createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1`, organization: 'org-1', project: 'proj-1' });
const ask = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user', content: 'Hello' }],
  ...overrides,
});

describe('openai adapter: answers', () => {
  it('streams text with start, usage and finish, and sends the documented request', async () => {
    fake.enqueue({ text: 'Hi there, friend!', usage: { inputTokens: 12, outputTokens: 7, cachedInputTokens: 4, reasoningTokens: 2 } });
    const events = await collect(adapter().stream(ask({ maxTokens: 64, temperature: 0.2, topP: 0.9, stop: ['END'] })));
    expect(events[0]).toMatchObject({ type: 'start', provider: 'openai', model: 'gpt-4.1-mini', requestId: expect.stringMatching(/^req_fake_/) });
    const start = ofType(events, 'start')[0];
    expect(start.rateLimit).toMatchObject({ limitRequests: 500, remainingRequests: 499, limitTokens: 200000 });
    expect(textOf(events)).toBe('Hi there, friend!');
    expect(ofType(events, 'text-delta').length).toBeGreaterThan(1);
    const usage = ofType(events, 'usage');
    expect(usage).toHaveLength(1);
    expect(usage[0].usage).toMatchObject({ inputTokens: 12, outputTokens: 7, cachedInputTokens: 4, reasoningTokens: 2, totalTokens: 19 });
    expect(usage[0].usage.raw).toMatchObject({ prompt_tokens: 12 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'stop' });

    const request = fake.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.headers['openai-organization']).toBe('org-1');
    expect(request.headers['openai-project']).toBe('proj-1');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      max_completion_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('completes through the non-streaming endpoint', async () => {
    fake.enqueue({ text: 'Plain answer.', finish: 'length', usage: { inputTokens: 5, outputTokens: 3 } });
    const response = await adapter().completeRequest(ask());
    expect(response).toMatchObject({
      provider: 'openai',
      content: 'Plain answer.',
      finishReason: 'length',
      rawFinishReason: 'length',
      toolCalls: [],
      requestId: expect.stringMatching(/^req_fake_/),
    });
    expect(response.usage).toMatchObject({ inputTokens: 5, outputTokens: 3, totalTokens: 8 });
    const body = fake.requests.at(-1)!.body;
    expect(body.stream).toBeUndefined();
    expect(body.stream_options).toBeUndefined();
  });

  it('streams tool calls as deltas and one parsed tool-call each, and maps tools and history', async () => {
    fake.enqueue({
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
        { id: 'call_b', name: 'get_time', arguments: {} },
      ],
      usage: { inputTokens: 40, outputTokens: 20 },
    });
    const request = ask({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image', url: 'https://example.test/cat.png' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'lookup', arguments: { q: 'x' } }] },
        { role: 'tool', toolCallId: 'call_0', toolName: 'lookup', content: '{"found":true}' },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        { name: 'get_time', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { name: 'get_weather' },
      responseFormat: { type: 'json', name: 'answer', schema: { type: 'object' } },
    });
    const events = await collect(adapter().stream(request));
    const deltas = ofType(events, 'tool-call-delta');
    expect(deltas[0]).toMatchObject({ index: 0, id: 'call_a', name: 'get_weather', argumentsDelta: '' });
    expect(deltas.filter((delta) => delta.index === 0).map((delta) => delta.argumentsDelta).join('')).toBe('{"city":"Paris","unit":"celsius"}');
    expect(ofType(events, 'tool-call').map((event) => event.call)).toEqual([
      { id: 'call_a', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
      { id: 'call_b', name: 'get_time', arguments: {} },
    ]);
    const types = events.map((event) => event.type);
    expect(types.indexOf('tool-call')).toBeGreaterThan(types.lastIndexOf('tool-call-delta'));
    expect(types.slice(-2)).toEqual(['usage', 'finish']);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' });

    const body = fake.requests.at(-1)!.body;
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image_url', image_url: { url: 'https://example.test/cat.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
      { role: 'tool', tool_call_id: 'call_0', content: '{"found":true}' },
    ]);
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } });
  });

  it('returns tool calls from the non-streaming endpoint; complete() of the stream agrees', async () => {
    const scenario = { toolCalls: [{ id: 'call_z', name: 'search', arguments: { query: 'rxjs' } }] };
    fake.enqueue(scenario, scenario);
    const direct = await adapter().completeRequest(ask({ tools: [{ name: 'search', parameters: { type: 'object' } }], toolChoice: 'required' }));
    expect(direct.toolCalls).toEqual([{ id: 'call_z', name: 'search', arguments: { query: 'rxjs' } }]);
    expect(direct.finishReason).toBe('tool-calls');
    expect(fake.requests.at(-1)!.body.tool_choice).toBe('required');
    const reduced = await complete(adapter().stream(ask({ tools: [{ name: 'search', parameters: { type: 'object' } }] })));
    expect(reduced.toolCalls).toEqual(direct.toolCalls);
    expect(reduced.usage.totalTokens).toBe(direct.usage.totalTokens);
  });

  it('maps json mode without a schema to json_object', async () => {
    fake.enqueue({ text: '{}' });
    await adapter().completeRequest(ask({ responseFormat: { type: 'json' }, toolChoice: 'none' }));
    expect(fake.requests.at(-1)!.body.response_format).toEqual({ type: 'json_object' });
    expect(fake.requests.at(-1)!.body.tool_choice).toBeUndefined(); // no tools, no tool_choice
  });

  it('lists models', async () => {
    await expect(adapter().listModels!()).resolves.toEqual(['gpt-4.1-mini', 'o4-mini']);
    expect(fake.requests.at(-1)!.url.pathname).toBe('/v1/models');
    expect(fake.requests.at(-1)!.method).toBe('GET');
  });
});

describe('openai adapter: faults', () => {
  it('429 with Retry-After is a retryable rate-limit error with retryAfterMs', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after': '2', 'x-request-id': 'req_429' } } });
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.rateLimited, isRetryable: true, status: 429, retryAfterMs: 2000, requestId: 'req_429' });
    expect(error.providerCode).toBe('rate_limit_exceeded');
  });

  it('429 insufficient_quota is not retryable', async () => {
    fake.enqueue({
      fault: { type: 'status', status: 429, body: { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } } },
    });
    const error = await failure(adapter().completeRequest(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.quotaExceeded, isRetryable: false });
  });

  it('5xx is a retryable server error', async () => {
    fake.enqueue({ fault: { type: 'status', status: 503, headers: { 'retry-after-ms': '150' } } });
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.server, isRetryable: true, status: 503, retryAfterMs: 150 });
  });

  it('a dropped connection before the answer is a retryable connection error', async () => {
    fake.enqueue({ fault: { type: 'drop-before-response' } });
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.connection, isRetryable: true });
  });

  it('a drop mid-stream is a retryable interruption, after the text already delivered', async () => {
    fake.enqueue({ text: 'This answer will be cut off midway.', chunkDelayMs: 10, fault: { type: 'drop-mid-stream', afterChunks: 3 } });
    const seen: string[] = [];
    const error = await new Promise<unknown>((resolve) => {
      adapter().stream(ask()).subscribe({ next: (event) => seen.push(event.type), error: resolve, complete: () => resolve(undefined) });
    });
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
    expect(seen).toContain('text-delta');
    expect(seen).not.toContain('finish');
  });

  it('a body that ends cleanly inside a frame is a retryable interruption, not a malformed response', async () => {
    fake.enqueue({ text: 'This answer will be cut inside a frame.', fault: { type: 'truncate', afterChunks: 3 } });
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('a stalled stream times out as a retryable error', async () => {
    fake.enqueue({ text: 'Stalling soon.', fault: { type: 'stall', afterChunks: 2 } });
    const started = Date.now();
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.timeout, isRetryable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a malformed frame is a typed malformed-response error', async () => {
    fake.enqueue({ text: 'Some text here.', fault: { type: 'malformed', afterChunks: 2 } });
    const error = await failure(adapter().stream(ask()));
    expect(error.code).toBe(LlmErrorCode.malformedResponse);
  });

  it('an error object inside a 200 stream becomes its typed error', async () => {
    const frame = 'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n';
    fake.enqueue({ text: 'Partial answer', fault: { type: 'malformed', afterChunks: 2, frame } });
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.server, isRetryable: true, providerCode: 'server_error' });
    expect(error.message).toContain('The server had an error');
  });

  it('a caller abort cancels the call with LLM_ERR_ABORTED', async () => {
    fake.enqueue({ text: 'x'.repeat(400), chunkDelayMs: 20 });
    const controller = new AbortController();
    const error = await new Promise<unknown>((resolve) => {
      adapter()
        .stream(ask(), { signal: controller.signal })
        .subscribe({
          next: (event) => {
            if (event.type === 'text-delta') controller.abort();
          },
          error: resolve,
          complete: () => resolve(undefined),
        });
    });
    expect(error).toMatchObject({ code: LlmErrorCode.aborted });
  });

  it('an abort of the non-streaming call rejects with LLM_ERR_ABORTED', async () => {
    fake.enqueue({ text: 'slow', latencyMs: 1_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await failure(adapter().completeRequest(ask(), { signal: controller.signal }));
    expect(error.code).toBe(LlmErrorCode.aborted);
  });

  it('never puts the API key into an error message, even when the server echoes it', async () => {
    const wrongKey = 'sk-wrong-secret-key-987654321';
    const wrong = createOpenAIAdapter({ apiKey: wrongKey, baseUrl: `${fake.url}/v1` });
    for (const error of [await failure(wrong.stream(ask())), await failure(wrong.completeRequest(ask())), await failure(wrong.listModels!())]) {
      expect(error).toMatchObject({ code: LlmErrorCode.authentication, isRetryable: false, status: 401 });
      expect(error.message).toContain('[redacted]');
      expect(error.message).not.toContain(wrongKey);
      expect(error.stack ?? '').not.toContain(wrongKey);
      expect(JSON.stringify(error.toJSON())).not.toContain(wrongKey);
    }
  });
});

describe('openai configuration', () => {
  it('reads the conventional environment variables', () => {
    expect(openaiConfigFromEnv({})).toBeUndefined();
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: '  ' })).toBeUndefined();
    expect(
      openaiConfigFromEnv({ OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_ORG_ID: 'org', OPENAI_PROJECT_ID: 'proj' }),
    ).toEqual({ apiKey: 'sk-1', baseUrl: 'http://127.0.0.1:1/v1', organization: 'org', project: 'proj' });
  });

  it('refuses to build without a key', () => {
    expect(() => createOpenAIAdapter({ apiKey: '' })).toThrow(expect.objectContaining({ code: LlmErrorCode.notConfigured }));
  });
});
