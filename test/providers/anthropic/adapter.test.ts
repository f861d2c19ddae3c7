/** The Anthropic adapter against the fake: mapping both ways, every fault, abort. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools, configurePools } from '../../../providers/http.js';
import { complete } from '../../../providers/observable.js';
import type { LlmEvent, LlmRequest } from '../../../providers/types.js';
import { anthropicConfigFromEnv, createAnthropicAdapter, type AnthropicAdapter } from '../../../providers/adapters/anthropic.js';
import { anthropicFakeModels, anthropicRenderer, startAnthropicFake } from '../../fakes/anthropic-fake.js';
import { startFakeServer, type FakeServer } from '../../fakes/fake-server.js';

const apiKey = 'sk-ant-secret-key-0123456789';
// A short body timeout so the stall fault fails fast; set before any pool exists.
configurePools({ bodyTimeoutMs: 400 });

let fake: FakeServer;
let adapter: AnthropicAdapter;

beforeAll(async () => {
  fake = await startAnthropicFake();
  adapter = createAnthropicAdapter({ apiKey, baseUrl: `${fake.url}/` });
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

const simple: LlmRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello' }] };

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

describe('anthropic adapter: request mapping', () => {
  it('sends headers, a top-level system prompt, default max_tokens, tools and merged tool results', async () => {
    fake.enqueue({ text: 'Done.' });
    await adapter.completeRequest({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          toolCalls: [
            { id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } },
            { id: 'toolu_2', name: 'get_weather', arguments: { city: 'Rome' } },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_1', toolName: 'get_weather', content: '21C' },
        { role: 'tool', toolCallId: 'toolu_2', toolName: 'get_weather', content: 'failed', isError: true },
        { role: 'user', content: [{ type: 'text', text: 'Summarise.' }, { type: 'image', url: 'data:image/png;base64,AAAA' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: 'required',
      temperature: 0.2,
      // Current models refuse temperature with top_p: temperature is kept, top_p is not sent.
      topP: 0.9,
      stop: ['END'],
      responseFormat: { type: 'json', schema: { type: 'object' } },
    });
    const recorded = fake.requests.at(-1)!;
    expect(recorded.url.pathname).toBe('/v1/messages');
    expect(recorded.headers['x-api-key']).toBe(apiKey);
    expect(recorded.headers['anthropic-version']).toBe('2023-06-01');
    expect(recorded.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '21C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'failed', is_error: true },
            { type: 'text', text: 'Summarise.' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any' },
      temperature: 0.2,
      stop_sequences: ['END'],
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
    });
  });

  it('maps tool choices and keeps an explicit maxTokens; streams set stream: true', async () => {
    const tools = [{ name: 'lookup', parameters: { type: 'object' } }];
    fake.enqueue({ text: 'a' }, { text: 'b' }, { text: 'c' });
    await adapter.completeRequest({ ...simple, tools, maxTokens: 77, toolChoice: { name: 'lookup' } });
    expect(fake.requests.at(-1)!.body).toMatchObject({ max_tokens: 77, tool_choice: { type: 'tool', name: 'lookup' } });
    expect(fake.requests.at(-1)!.body.stream).toBeUndefined();
    await complete(adapter.stream({ ...simple, tools, toolChoice: 'none' }));
    expect(fake.requests.at(-1)!.body).toMatchObject({ stream: true, tool_choice: { type: 'none' }, max_tokens: 4096 });
    // A tool choice without tools is refused by the API, so it is not sent.
    await adapter.completeRequest({ ...simple, toolChoice: 'auto' });
    expect(fake.requests.at(-1)!.body.tool_choice).toBeUndefined();
  });
});

describe('anthropic adapter: responses', () => {
  it('completes a non-streaming call with text, reasoning, tool calls and normalised usage', async () => {
    fake.enqueue({
      text: 'Calling the tool.',
      reasoning: 'The user wants weather.',
      toolCalls: [{ id: 'toolu_a', name: 'get_weather', arguments: { city: 'Oslo' } }],
      usage: { inputTokens: 500, outputTokens: 40, cachedInputTokens: 300, reasoningTokens: 12 },
    });
    const response = await adapter.completeRequest(simple);
    expect(response.content).toBe('Calling the tool.');
    expect(response.reasoning).toBe('The user wants weather.');
    expect(response.toolCalls).toEqual([{ id: 'toolu_a', name: 'get_weather', arguments: { city: 'Oslo' } }]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.rawFinishReason).toBe('tool_use');
    expect(response.usage).toMatchObject({ inputTokens: 500, cachedInputTokens: 300, outputTokens: 40, reasoningTokens: 12, totalTokens: 540 });
    expect(response.requestId).toMatch(/^req_fake/);
  });

  it('streams start, text deltas, usage and finish in order', async () => {
    fake.enqueue({ text: 'Streaming works nicely.', usage: { inputTokens: 21, outputTokens: 6 } });
    const { events, error } = await collect(adapter.stream(simple));
    expect(error).toBeUndefined();
    const start = events[0];
    expect(start).toMatchObject({ type: 'start', provider: 'anthropic', model: 'claude-sonnet-4-5' });
    if (start.type !== 'start') throw new Error('no start');
    expect(start.requestId).toMatch(/^req_fake/);
    expect(start.rateLimit).toMatchObject({ limitRequests: 50, remainingRequests: 49, limitTokens: 80000 });
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []));
    expect(text.length).toBeGreaterThan(1);
    expect(text.join('')).toBe('Streaming works nicely.');
    expect(events.slice(-2).map((event) => event.type)).toEqual(['usage', 'finish']);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
    expect(events.at(-2)).toMatchObject({ usage: { inputTokens: 21, outputTokens: 6, totalTokens: 27 } });
  });

  it('streams tool-call deltas and one parsed tool-call per call; empty input becomes {}', async () => {
    fake.enqueue({
      text: 'Two calls.',
      toolCalls: [
        { id: 'toolu_x', name: 'get_weather', arguments: { city: 'São Paulo', days: 3 } },
        { id: 'toolu_y', name: 'refresh', arguments: {} },
      ],
    });
    const { events, error } = await collect(adapter.stream(simple));
    expect(error).toBeUndefined();
    const calls = events.filter((event) => event.type === 'tool-call');
    expect(calls).toEqual([
      { type: 'tool-call', call: { id: 'toolu_x', name: 'get_weather', arguments: { city: 'São Paulo', days: 3 } } },
      { type: 'tool-call', call: { id: 'toolu_y', name: 'refresh', arguments: {} } },
    ]);
    const deltas = events.filter((event) => event.type === 'tool-call-delta');
    expect(deltas[0]).toMatchObject({ index: 0, id: 'toolu_x', name: 'get_weather' });
    const firstArguments = deltas.filter((delta) => delta.type === 'tool-call-delta' && delta.index === 0).map((delta) => (delta.type === 'tool-call-delta' ? delta.argumentsDelta : ''));
    expect(firstArguments.length).toBeGreaterThan(2);
    expect(JSON.parse(firstArguments.join(''))).toEqual({ city: 'São Paulo', days: 3 });
    expect(deltas.some((delta) => delta.type === 'tool-call-delta' && delta.index === 1 && delta.name === 'refresh')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool-calls' });
  });

  it('maps max_tokens to length', async () => {
    fake.enqueue({ text: 'cut', finish: 'length' });
    expect((await complete(adapter.stream(simple))).finishReason).toBe('length');
  });

  it('lists models, following has_more pages', async () => {
    expect(await adapter.listModels()).toEqual(anthropicFakeModels);
    const paged = await startFakeServer({
      ...anthropicRenderer,
      route(request) {
        if (request.url.pathname !== '/v1/models') return anthropicRenderer.route?.(request);
        const after = request.url.searchParams.get('after_id');
        const start = after ? anthropicFakeModels.indexOf(after) + 1 : 0;
        const id = anthropicFakeModels[start];
        return { kind: 'json', body: { data: [{ type: 'model', id }], has_more: start + 1 < anthropicFakeModels.length, first_id: id, last_id: id } };
      },
    });
    try {
      expect(await createAnthropicAdapter({ apiKey, baseUrl: paged.url }).listModels()).toEqual(anthropicFakeModels);
      expect(paged.requests).toHaveLength(anthropicFakeModels.length);
    } finally {
      await paged.close();
    }
  });
});

describe('anthropic adapter: faults', () => {
  it('429 with Retry-After is a retryable rate-limit error with retryAfterMs', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after': '7' } } });
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.rateLimited, isRetryable: true, retryAfterMs: 7000, status: 429, providerCode: 'rate_limit_error' });
    expectNoSecret(error);
  });

  it('529 is a retryable overloaded error; 500 a retryable server error; 400 is not retryable', async () => {
    fake.enqueue({ fault: { type: 'status', status: 529 } }, { fault: { type: 'status', status: 500 } }, { fault: { type: 'status', status: 400 } });
    await expect(complete(adapter.stream(simple))).rejects.toMatchObject({ code: LlmErrorCode.overloaded, isRetryable: true });
    await expect(adapter.completeRequest(simple)).rejects.toMatchObject({ code: LlmErrorCode.server, isRetryable: true, status: 500 });
    await expect(adapter.completeRequest(simple)).rejects.toMatchObject({ code: LlmErrorCode.badRequest, isRetryable: false });
  });

  it('an in-stream overloaded_error after HTTP 200 is a retryable LLM_ERR_OVERLOADED', async () => {
    const frame = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    fake.enqueue({ text: 'partial answer here', fault: { type: 'malformed', afterChunks: 5, frame } });
    const { events, error } = await collect(adapter.stream(simple));
    expect(events.some((event) => event.type === 'text-delta')).toBe(true);
    expect(events.some((event) => event.type === 'finish')).toBe(false);
    expect(error).toMatchObject({ code: LlmErrorCode.overloaded, isRetryable: true, providerCode: 'overloaded_error' });
    expectNoSecret(error);
  });

  it('a connection dropped mid-stream is a retryable stream interruption', async () => {
    fake.enqueue({ text: 'this will be cut off somewhere', fault: { type: 'drop-mid-stream', afterChunks: 4 } });
    const { error, events } = await collect(adapter.stream(simple));
    expect(events[0]?.type).toBe('start');
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
    expectNoSecret(error);
  });

  it('a connection dropped before the response is a retryable connection error', async () => {
    fake.enqueue({ fault: { type: 'drop-before-response' } });
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.connection, isRetryable: true });
  });

  it('a stalled stream times out as a retryable LLM_ERR_TIMEOUT', async () => {
    fake.enqueue({ text: 'stalling soon', fault: { type: 'stall', afterChunks: 3 } });
    const started = Date.now();
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.timeout, isRetryable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a garbage frame is a typed malformed-response error', async () => {
    fake.enqueue({ text: 'garbage follows', fault: { type: 'malformed', afterChunks: 3 } });
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.malformedResponse });
    expectNoSecret(error);
  });

  it('invalid tool-argument JSON is a malformed-response error', async () => {
    const frames = [
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":1,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_bad","name":"f","input":{}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":"}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    ];
    fake.enqueue({ text: 'x', fault: { type: 'malformed', afterChunks: 0, frame: frames.join('') } });
    const { error } = await collect(adapter.stream(simple));
    expect(error).toMatchObject({ code: LlmErrorCode.malformedResponse });
    expect(error?.message).toContain('"f"');
  });

  it('a stream that closes without message_stop is a retryable interruption', async () => {
    const truncated = await startFakeServer({
      ...anthropicRenderer,
      render(scenario, request, stream) {
        const rendered = anthropicRenderer.render(scenario, request, stream);
        return rendered.kind === 'stream' ? { ...rendered, chunks: rendered.chunks.slice(0, -1) } : rendered;
      },
    });
    try {
      const { events, error } = await collect(createAnthropicAdapter({ apiKey, baseUrl: truncated.url }).stream(simple));
      expect(events.some((event) => event.type === 'finish')).toBe(false);
      expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
    } finally {
      await truncated.close();
    }
  });

  it('a wrong key (401) is a non-retryable authentication error that does not echo the key', async () => {
    fake.enqueue({ fault: { type: 'status', status: 401 } });
    const error = await adapter.completeRequest(simple).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: LlmErrorCode.authentication, isRetryable: false });
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

describe('anthropicConfigFromEnv', () => {
  it('reads the key and base URL, and is undefined without a key', () => {
    expect(anthropicConfigFromEnv({})).toBeUndefined();
    expect(anthropicConfigFromEnv({ ANTHROPIC_API_KEY: ' ' })).toBeUndefined();
    expect(anthropicConfigFromEnv({ ANTHROPIC_API_KEY: 'k' })).toEqual({ apiKey: 'k' });
    expect(anthropicConfigFromEnv({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' })).toEqual({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
  });

  it('refuses to build an adapter without a key', () => {
    expect(() => createAnthropicAdapter({ apiKey: '' })).toThrow(expect.objectContaining({ code: LlmErrorCode.notConfigured }));
  });
});
