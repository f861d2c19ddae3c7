/**
 * The Ollama adapter against the fake: request body shape, text, tool calls, usage, both
 * endpoints, every fault, abort, and the model list.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOllamaAdapter, type OllamaAdapter } from '../../../providers/adapters/ollama.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools, configurePools } from '../../../providers/http.js';
import { complete } from '../../../providers/observable.js';
import type { LlmEvent, LlmRequest } from '../../../providers/types.js';
import { ollamaErrorLine, startOllamaFake, type OllamaFake } from '../../fakes/ollama-fake.js';

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const baseRequest: LlmRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'Hello?' }] };

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return error as LlmError;
  }
  throw new Error('expected the call to fail');
}

describe('ollama adapter against the fake', () => {
  let fake: OllamaFake;
  let adapter: OllamaAdapter;

  beforeAll(async () => {
    // Short body timeout so the stall fault fails fast (applies to pools created from now on).
    configurePools({ bodyTimeoutMs: 300 });
    fake = await startOllamaFake({ models: ['llama3.2:latest', 'qwen3:8b'] });
    adapter = createOllamaAdapter({ baseUrl: fake.url, keepAlive: '5m' });
  });
  afterEach(() => {
    fake.omitDoneLine = false;
  });
  afterAll(async () => {
    await closePools();
    await fake.close();
  });

  it('maps the request to /api/chat exactly (messages, tools, options, format, keep_alive)', async () => {
    fake.enqueue({ text: 'ok' });
    await complete(
      adapter.stream({
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', url: 'data:image/png;base64,iVBORw0K' }] },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: { city: 'Tokyo' } }] },
          { role: 'tool', toolCallId: 'call_0', toolName: 'get_weather', content: '{"temp":21}' },
        ],
        tools: [weatherTool],
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 256,
        stop: ['END'],
        responseFormat: { type: 'json', schema: { type: 'object', properties: { answer: { type: 'string' } } } },
        metadata: { step: 'never-sent' },
      }),
    );
    const recorded = fake.requests.at(-1)!;
    expect(recorded.method).toBe('POST');
    expect(recorded.url.pathname).toBe('/api/chat');
    expect(recorded.headers['content-type']).toBe('application/json');
    expect(recorded.headers.authorization).toBeUndefined();
    expect(recorded.body).toEqual({
      model: 'llama3.2',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is this?', images: ['iVBORw0K'] },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_0', function: { name: 'get_weather', arguments: { city: 'Tokyo' } } }] },
        { role: 'tool', content: '{"temp":21}', tool_name: 'get_weather', tool_call_id: 'call_0' },
      ],
      tools: [{ type: 'function', function: weatherTool }],
      format: { type: 'object', properties: { answer: { type: 'string' } } },
      options: { temperature: 0.2, top_p: 0.9, num_predict: 256, stop: ['END'] },
      keep_alive: '5m',
    });
  });

  it('sends format "json" without a schema, and no tools when toolChoice is none', async () => {
    fake.enqueue({ text: '{}' });
    await adapter.completeRequest({ ...baseRequest, tools: [weatherTool], toolChoice: 'none', responseFormat: { type: 'json' } });
    const body = fake.requests.at(-1)!.body;
    expect(body.format).toBe('json');
    expect(body.stream).toBe(false);
    expect(body.tools).toBeUndefined();
    expect(body.options).toBeUndefined();
  });

  it('streams text as deltas with start, usage and finish', async () => {
    fake.enqueue({ text: 'Hello there, friend.', usage: { inputTokens: 26, outputTokens: 5 } });
    const events = await lastValueFrom(adapter.stream(baseRequest).pipe(toArray()));
    expect(events[0]).toMatchObject({ type: 'start', provider: 'ollama', model: 'llama3.2' });
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((event) => (event as { text: string }).text).join('')).toBe('Hello there, friend.');
    const usage = events.find((event) => event.type === 'usage') as Extract<LlmEvent, { type: 'usage' }>;
    expect(usage.usage).toMatchObject({ inputTokens: 26, outputTokens: 5, totalTokens: 31 });
    expect(usage.usage.raw).toMatchObject({ prompt_eval_count: 26, eval_count: 5 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'stop' });
  });

  it('streams thinking as reasoning deltas', async () => {
    fake.enqueue({ reasoning: 'Let me think.', text: 'Done.' });
    const response = await complete(adapter.stream(baseRequest));
    expect(response.reasoning).toBe('Let me think.');
    expect(response.content).toBe('Done.');
  });

  it('streams tool calls whole, with synthesised unique ids and tool-calls finish', async () => {
    fake.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Tokyo' } },
        { name: 'get_weather', arguments: { city: 'Oslo' } },
      ],
    });
    const response = await complete(adapter.stream({ ...baseRequest, tools: [weatherTool] }));
    expect(response.toolCalls).toEqual([
      { id: 'call_0', name: 'get_weather', arguments: { city: 'Tokyo' } },
      { id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.rawFinishReason).toBe('stop');
  });

  it('keeps server-provided tool-call ids (newer servers)', async () => {
    const withIds = await startOllamaFake({ toolCallIds: true });
    try {
      withIds.enqueue({ toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: { city: 'Rome' } }] });
      const response = await complete(createOllamaAdapter({ baseUrl: withIds.url }).stream(baseRequest));
      expect(response.toolCalls).toEqual([{ id: 'call_abc', name: 'get_weather', arguments: { city: 'Rome' } }]);
    } finally {
      await withIds.close();
    }
  });

  it('maps done_reason length, and treats an omitted prompt_eval_count as zero', async () => {
    fake.enqueue({ text: 'cut', finish: 'length', usage: { inputTokens: 0, outputTokens: 3 } });
    const response = await complete(adapter.stream(baseRequest));
    expect(response.finishReason).toBe('length');
    expect(response.usage).toMatchObject({ inputTokens: 0, outputTokens: 3, totalTokens: 3 });
    expect(response.usage.raw).not.toHaveProperty('prompt_eval_count');
  });

  it('completeRequest uses the non-streaming endpoint and maps text, tool calls and usage', async () => {
    fake.enqueue({ text: 'Calling.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Lima' } }], usage: { inputTokens: 10, outputTokens: 4 } });
    const response = await adapter.completeRequest({ ...baseRequest, tools: [weatherTool] });
    expect(fake.requests.at(-1)!.body.stream).toBe(false);
    expect(fake.requests.at(-1)!.headers.accept).toBe('application/json');
    expect(response).toMatchObject({
      provider: 'ollama',
      model: 'llama3.2',
      content: 'Calling.',
      toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: { city: 'Lima' } }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 10, outputTokens: 4, totalTokens: 14 },
    });
  });

  it('lists models from /api/tags', async () => {
    expect(await adapter.listModels()).toEqual(['llama3.2:latest', 'qwen3:8b']);
    expect(fake.requests.at(-1)!.method).toBe('GET');
  });

  it('429 with Retry-After becomes a retryable rate-limit error with retryAfterMs', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after': '2' }, body: { error: 'too many requests' } } });
    const error = await failure(complete(adapter.stream(baseRequest)));
    expect(error.code).toBe(LlmErrorCode.rateLimited);
    expect(error.isRetryable).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.message).toContain('too many requests');
  });

  it('500 is a retryable server error; 404 a non-retryable not-found', async () => {
    fake.enqueue({ fault: { type: 'status', status: 500 } });
    const server = await failure(adapter.completeRequest(baseRequest));
    expect(server).toMatchObject({ code: LlmErrorCode.server, isRetryable: true, status: 500 });
    fake.enqueue({ fault: { type: 'status', status: 404 } });
    const missing = await failure(complete(adapter.stream(baseRequest)));
    expect(missing).toMatchObject({ code: LlmErrorCode.notFound, isRetryable: false });
    expect(missing.message).toContain('model not found');
  });

  it('a mid-stream {"error"} line becomes a typed error after the text before it', async () => {
    fake.enqueue({ text: 'abcdefghijkl', fault: { type: 'malformed', afterChunks: 2, frame: ollamaErrorLine('an error was encountered while running the model') } });
    const seen: LlmEvent[] = [];
    const error = await failure(
      new Promise<void>((resolve, reject) => adapter.stream(baseRequest).subscribe({ next: (event) => seen.push(event), error: reject, complete: () => resolve() })),
    );
    expect(error).toMatchObject({ code: LlmErrorCode.server, isRetryable: true });
    expect(error.message).toContain('an error was encountered while running the model');
    expect(seen.filter((event) => event.type === 'text-delta')).toHaveLength(2);
  });

  it('a garbage line is LLM_ERR_MALFORMED_RESPONSE', async () => {
    fake.enqueue({ text: 'abcdefgh', fault: { type: 'malformed', afterChunks: 1 } });
    const error = await failure(complete(adapter.stream(baseRequest)));
    expect(error.code).toBe(LlmErrorCode.malformedResponse);
  });

  it('a stream that ends cleanly without done:true is LLM_ERR_STREAM_INTERRUPTED', async () => {
    fake.omitDoneLine = true;
    fake.enqueue({ text: 'half an answer' });
    const error = await failure(complete(adapter.stream(baseRequest)));
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('a connection dropped mid-stream is a retryable stream interruption', async () => {
    fake.enqueue({ text: 'abcdefghijklmnop', chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: 2 } });
    const error = await failure(complete(adapter.stream(baseRequest)));
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('a dropped connection before the response is a retryable connection error', async () => {
    fake.enqueue({ fault: { type: 'drop-before-response' } });
    const error = await failure(complete(adapter.stream(baseRequest)));
    expect(error).toMatchObject({ code: LlmErrorCode.connection, isRetryable: true });
  });

  it('a body that ends cleanly inside a line is a retryable interruption, not a malformed response', async () => {
    fake.enqueue({ text: 'This answer will be cut inside a line.', fault: { type: 'truncate', afterChunks: 3 } });
    const error = await failure(complete(adapter.stream(baseRequest)));
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('a stalled stream times out as a retryable LLM_ERR_TIMEOUT', async () => {
    fake.enqueue({ text: 'abcdefgh', fault: { type: 'stall', afterChunks: 1 } });
    const started = Date.now();
    const error = await failure(complete(adapter.stream(baseRequest)));
    expect(error).toMatchObject({ code: LlmErrorCode.timeout, isRetryable: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('aborting via the signal cancels the call with LLM_ERR_ABORTED', async () => {
    fake.enqueue({ text: 'a long answer that is paced slowly', chunkDelayMs: 50 });
    const controller = new AbortController();
    const seen: LlmEvent[] = [];
    const error = await failure(
      new Promise<void>((resolve, reject) =>
        adapter.stream(baseRequest, { signal: controller.signal }).subscribe({
          next: (event) => {
            seen.push(event);
            // Abort once content is flowing, so the cancellation hits a live body.
            if (event.type === 'text-delta') controller.abort();
          },
          error: reject,
          complete: () => resolve(),
        }),
      ),
    );
    expect(error.code).toBe(LlmErrorCode.aborted);
    expect(seen.filter((event) => event.type === 'text-delta')).toHaveLength(1);
    expect(seen.some((event) => event.type === 'finish')).toBe(false);
  });

  it('credential header values (reverse-proxy auth) never appear in error messages', async () => {
    const token = 'proxy-secret-token-1234567';
    const guarded = createOllamaAdapter({ baseUrl: fake.url, headers: { authorization: `Bearer ${token}` } });
    fake.enqueue({ fault: { type: 'status', status: 401, body: { error: `token ${token} rejected` } } });
    const httpError = await failure(guarded.completeRequest(baseRequest));
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    fake.enqueue({ text: 'abcdefgh', fault: { type: 'malformed', afterChunks: 1, frame: ollamaErrorLine(`bad ${token}`) } });
    const streamError = await failure(complete(guarded.stream(baseRequest)));
    for (const error of [httpError, streamError]) {
      expect(error.message).toContain('[redacted]');
      expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(token);
    }
  });

  it('rejects non-inline images with a typed bad-request error', async () => {
    const error = await failure(
      adapter.completeRequest({ model: 'llava', messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.invalid/cat.png' }] }] }),
    );
    expect(error.code).toBe(LlmErrorCode.badRequest);
  });
});
