/** The Gemini adapter against the fake: mapping both ways, every fault, abort. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools, configurePools } from '../../../providers/http.js';
import { complete } from '../../../providers/observable.js';
import type { LlmEvent, LlmRequest } from '../../../providers/types.js';
import { createGeminiAdapter, geminiConfigFromEnv, type GeminiAdapter } from '../../../providers/adapters/gemini.js';
import { geminiFakeModels, geminiRenderer, startGeminiFake } from '../../fakes/gemini-fake.js';
import { startFakeServer, type FakeServer } from '../../fakes/fake-server.js';

const apiKey = 'AIza-secret-gemini-key-9876543210';
// A short body timeout so the stall fault fails fast; set before any pool exists.
configurePools({ bodyTimeoutMs: 400 });

let fake: FakeServer;
let adapter: GeminiAdapter;

beforeAll(async () => {
  fake = await startGeminiFake();
  adapter = createGeminiAdapter({ apiKey, baseUrl: fake.url });
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

const simple: LlmRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hello' }] };

async function collect(events: Observable<LlmEvent>): Promise<{ events: LlmEvent[]; error?: LlmError }> {
  const seen: LlmEvent[] = [];
  return new Promise((resolve) => {
    events.subscribe({
      next: (event) => seen.push(event),
      error: (error: LlmError) => resolve({ events: seen, error }),
      complete: () => resolve({ events: seen }),
    });
  });
}

function expectNoSecret(error: unknown): void {
  expect(error).toBeInstanceOf(LlmError);
  const llmError = error as LlmError;
  expect(llmError.message).not.toContain(apiKey);
  expect(JSON.stringify(llmError)).not.toContain(apiKey);
  expect(String((llmError.cause as Error | undefined)?.message ?? '')).not.toContain(apiKey);
}

describe('gemini adapter: request mapping', () => {
  it('sends the key as a header, and maps system, roles, tools, tool results and generation config', async () => {
    fake.enqueue({ text: 'ok' });
    await adapter.completeRequest({
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', url: 'data:image/png;base64,AAAA' }] },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'gemini-call-abc-0', name: 'get_weather', arguments: { city: 'Paris' } },
            { id: 'server-id-7', name: 'get_time', arguments: {} },
          ],
        },
        { role: 'tool', toolCallId: 'gemini-call-abc-0', toolName: 'get_weather', content: '{"celsius":21}' },
        { role: 'tool', toolCallId: 'server-id-7', toolName: 'get_time', content: 'noon' },
        { role: 'tool', toolCallId: 'gemini-call-abc-2', toolName: 'get_tide', content: 'boom', isError: true },
      ],
      tools: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: { name: 'get_weather' },
      temperature: 0.3,
      topP: 0.8,
      maxTokens: 99,
      stop: ['END'],
      responseFormat: { type: 'json', schema: { type: 'object' } },
    });
    const recorded = fake.requests.at(-1)!;
    expect(recorded.url.pathname).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(recorded.url.search).toBe('');
    expect(recorded.headers['x-goog-api-key']).toBe(apiKey);
    expect(recorded.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
            { functionCall: { name: 'get_time', args: {}, id: 'server-id-7' } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { celsius: 21 } } },
            { functionResponse: { name: 'get_time', response: { result: 'noon' }, id: 'server-id-7' } },
            { functionResponse: { name: 'get_tide', response: { error: 'boom' } } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather by city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: {
        temperature: 0.3,
        topP: 0.8,
        maxOutputTokens: 99,
        stopSequences: ['END'],
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object' },
      },
    });
  });

  it('streams via streamGenerateContent?alt=sse and maps tool choices', async () => {
    const tools = [{ name: 'lookup', parameters: { type: 'object' } }];
    fake.enqueue({ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 'd' });
    await complete(adapter.stream({ ...simple, tools, toolChoice: 'required' }));
    const recorded = fake.requests.at(-1)!;
    expect(recorded.url.pathname).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(recorded.url.searchParams.get('alt')).toBe('sse');
    expect(recorded.url.searchParams.has('key')).toBe(false);
    expect(recorded.body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(recorded.body.generationConfig).toBeUndefined();
    await complete(adapter.stream({ ...simple, tools, toolChoice: 'none' }));
    expect(fake.requests.at(-1)!.body.toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    await complete(adapter.stream({ ...simple, tools, toolChoice: 'auto', responseFormat: { type: 'json' } }));
    expect(fake.requests.at(-1)!.body).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'AUTO' } }, generationConfig: { responseMimeType: 'application/json' } });
    // Without function declarations there is no calling to configure.
    await complete(adapter.stream({ ...simple, toolChoice: 'auto' }));
    expect(fake.requests.at(-1)!.body.toolConfig).toBeUndefined();
  });
});

describe('gemini adapter: responses', () => {
  it('completes a non-streaming call with text, reasoning, a function call and normalised usage', async () => {
    fake.enqueue({
      text: 'Calling.',
      reasoning: 'Thinking about weather.',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }],
      usage: { inputTokens: 40, outputTokens: 70, reasoningTokens: 50, cachedInputTokens: 10 },
    });
    const response = await adapter.completeRequest(simple);
    expect(response.content).toBe('Calling.');
    expect(response.reasoning).toBe('Thinking about weather.');
    expect(response.toolCalls).toHaveLength(1);
    expect(response.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Oslo' } });
    expect(response.toolCalls[0]?.id).toMatch(/^gemini-call-/);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.rawFinishReason).toBe('STOP');
    expect(response.usage).toMatchObject({ inputTokens: 40, cachedInputTokens: 10, outputTokens: 70, reasoningTokens: 50, totalTokens: 110 });
    expect(response.requestId).toMatch(/^fake-response-/);
  });

  it('streams start, text deltas, usage (last cumulative value) and finish', async () => {
    fake.enqueue({ text: 'Gemini streams in pieces.', usage: { inputTokens: 9, outputTokens: 28 } });
    const { events, error } = await collect(adapter.stream(simple));
    expect(error).toBeUndefined();
    expect(events[0]).toMatchObject({ type: 'start', provider: 'gemini', model: 'gemini-2.5-flash' });
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []));
    expect(text.length).toBeGreaterThan(3);
    expect(text.join('')).toBe('Gemini streams in pieces.');
    expect(events.filter((event) => event.type === 'usage')).toHaveLength(1);
    expect(events.at(-2)).toMatchObject({ type: 'usage', usage: { inputTokens: 9, outputTokens: 28, totalTokens: 37 } });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'STOP' });
  });

  it('streams whole function calls with synthesised or provided ids', async () => {
    fake.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Lima' } },
        { id: 'provided-1', name: 'get_time', arguments: {} },
      ],
    });
    const { events, error } = await collect(adapter.stream(simple));
    expect(error).toBeUndefined();
    const calls = events.flatMap((event) => (event.type === 'tool-call' ? [event.call] : []));
    expect(calls.map((call) => [call.name, call.arguments])).toEqual([
      ['get_weather', { city: 'Lima' }],
      ['get_time', {}],
    ]);
    expect(calls[0]?.id).toMatch(/^gemini-call-[0-9a-f]{8}-0$/);
    expect(calls[1]?.id).toBe('provided-1');
    const deltas = events.filter((event) => event.type === 'tool-call-delta');
    expect(deltas[0]).toMatchObject({ index: 0, name: 'get_weather', argumentsDelta: '{"city":"Lima"}' });
    expect(deltas[1]).toMatchObject({ index: 1, id: 'provided-1' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool-calls' });
  });

  it('maps MAX_TOKENS to length', async () => {
    fake.enqueue({ text: 'cut short', finish: 'length' });
    const response = await complete(adapter.stream(simple));
    expect(response.finishReason).toBe('length');
    expect(response.rawFinishReason).toBe('MAX_TOKENS');
  });

  it('lists models without the models/ prefix, following page tokens', async () => {
    expect(await adapter.listModels()).toEqual(geminiFakeModels.map((name) => name.replace('models/', '')));
    const paged = await startFakeServer({
      ...geminiRenderer,
      route(request) {
        if (request.url.pathname !== '/v1beta/models') return geminiRenderer.route?.(request);
        const start = Number(request.url.searchParams.get('pageToken') ?? 0);
        const next = start + 1 < geminiFakeModels.length ? { nextPageToken: String(start + 1) } : {};
        return { kind: 'json', body: { models: [{ name: geminiFakeModels[start] }], ...next } };
      },
    });
    try {
      expect(await createGeminiAdapter({ apiKey, baseUrl: paged.url }).listModels()).toHaveLength(geminiFakeModels.length);
      expect(paged.requests).toHaveLength(geminiFakeModels.length);
      expect(paged.requests.every((request) => request.headers['x-goog-api-key'] === apiKey)).toBe(true);
    } finally {
      await paged.close();
    }
  });
});

describe('gemini adapter: faults', () => {
  const retryInfoBody = JSON.parse(readFileSync(new URL('../../fixtures/providers/google/google-429-retry-info.json', import.meta.url), 'utf8'));

  it('429 with RetryInfo (captured body) is a retryable rate-limit error with retryAfterMs', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, body: retryInfoBody } });
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.rateLimited, isRetryable: true, retryAfterMs: 34_400, status: 429, providerCode: 'RESOURCE_EXHAUSTED' });
    expectNoSecret(error);
  });

  it('429 with a Retry-After header wins over nothing else', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after': '3' } } });
    await expect(adapter.completeRequest(simple)).rejects.toMatchObject({ code: LlmErrorCode.rateLimited, retryAfterMs: 3000 });
  });

  it('503 is retryable, 500 a retryable server error, 400 not retryable', async () => {
    fake.enqueue({ fault: { type: 'status', status: 503 } }, { fault: { type: 'status', status: 500 } }, { fault: { type: 'status', status: 400 } });
    await expect(complete(adapter.stream(simple))).rejects.toMatchObject({ status: 503, isRetryable: true });
    await expect(adapter.completeRequest(simple)).rejects.toMatchObject({ code: LlmErrorCode.server, isRetryable: true });
    await expect(adapter.completeRequest(simple)).rejects.toMatchObject({ code: LlmErrorCode.badRequest, isRetryable: false });
  });

  it('an in-stream {"error":...} after HTTP 200 is typed, with its RetryInfo delay', async () => {
    const frame = `data: ${JSON.stringify(retryInfoBody)}\r\n\r\n`;
    fake.enqueue({ text: 'some text first', fault: { type: 'malformed', afterChunks: 2, frame } });
    const { events, error } = await collect(adapter.stream(simple));
    expect(events.some((event) => event.type === 'text-delta')).toBe(true);
    expect(events.some((event) => event.type === 'finish')).toBe(false);
    expect(error).toMatchObject({ code: LlmErrorCode.rateLimited, isRetryable: true, retryAfterMs: 34_400 });
    expect(error?.message).toContain('mid-stream');
  });

  it('a connection dropped mid-stream is a retryable stream interruption', async () => {
    fake.enqueue({ text: 'this will be cut off somewhere', fault: { type: 'drop-mid-stream', afterChunks: 2 } });
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
    expectNoSecret(error);
  });

  it('a stream that closes cleanly without a finishReason is a retryable interruption', async () => {
    const truncated = await startFakeServer({
      ...geminiRenderer,
      render(scenario, request, stream) {
        const rendered = geminiRenderer.render(scenario, request, stream);
        return rendered.kind === 'stream' ? { ...rendered, chunks: rendered.chunks.slice(0, -1) } : rendered;
      },
    });
    try {
      const { events, error } = await collect(createGeminiAdapter({ apiKey, baseUrl: truncated.url }).stream(simple));
      expect(events.some((event) => event.type === 'text-delta')).toBe(true);
      expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
    } finally {
      await truncated.close();
    }
  });

  it('a stalled stream times out as a retryable LLM_ERR_TIMEOUT', async () => {
    fake.enqueue({ text: 'stalling soon', fault: { type: 'stall', afterChunks: 1 } });
    const started = Date.now();
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.timeout, isRetryable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a garbage frame is a typed malformed-response error', async () => {
    fake.enqueue({ text: 'garbage follows', fault: { type: 'malformed', afterChunks: 1 } });
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.malformedResponse });
    expectNoSecret(error);
  });

  it('a bad key (403) is a non-retryable permission error that does not echo the key', async () => {
    fake.enqueue({ fault: { type: 'status', status: 403 } });
    const error = await adapter.completeRequest(simple).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: LlmErrorCode.permissionDenied, isRetryable: false });
    expectNoSecret(error);
  });

  it('an unreachable server is a connection error that does not mention the key', async () => {
    const closed = await startGeminiFake();
    const url = closed.url;
    await closed.close();
    const { error } = await collect(createGeminiAdapter({ apiKey, baseUrl: url }).stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.connection, isRetryable: true });
    expectNoSecret(error);
  });

  it('aborting through the signal cancels the call with LLM_ERR_ABORTED', async () => {
    fake.enqueue({ text: 'a long answer that streams slowly over many chunks', chunkDelayMs: 40 });
    const controller = new AbortController();
    const seen: LlmEvent[] = [];
    const error = await new Promise<unknown>((resolve) => {
      adapter.stream(simple, { signal: controller.signal }).subscribe({
        next: (event) => {
          seen.push(event);
          if (event.type === 'text-delta') controller.abort();
        },
        error: resolve,
        complete: () => resolve(undefined),
      });
    });
    expect(error).toMatchObject({ code: LlmErrorCode.aborted });
    expect(seen.filter((event) => event.type === 'text-delta')).toHaveLength(1);
  });
});

describe('geminiConfigFromEnv', () => {
  it('prefers GEMINI_API_KEY, falls back to GOOGLE_API_KEY, reads the base URL', () => {
    expect(geminiConfigFromEnv({})).toBeUndefined();
    expect(geminiConfigFromEnv({ GOOGLE_API_KEY: 'g' })).toEqual({ apiKey: 'g' });
    expect(geminiConfigFromEnv({ GEMINI_API_KEY: 'a', GOOGLE_API_KEY: 'g' })).toEqual({ apiKey: 'a' });
    expect(geminiConfigFromEnv({ GEMINI_API_KEY: 'a', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9' })).toEqual({ apiKey: 'a', baseUrl: 'http://127.0.0.1:9' });
  });

  it('refuses to build an adapter without a key', () => {
    expect(() => createGeminiAdapter({ apiKey: '' })).toThrow(expect.objectContaining({ code: LlmErrorCode.notConfigured }));
  });
});
