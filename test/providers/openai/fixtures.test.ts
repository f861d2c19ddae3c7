/**
 * The Chat Completions parsers against captured real traffic (cassettes, raw SSE, re-framed
 * `.chunks.txt`): text, reasoning, tool calls, usage and finish values as recorded.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools, errorFromResponse } from '../../../providers/http.js';
import type { LlmEvent } from '../../../providers/types.js';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { chatCompletionsBody, fullChatBodyOptions } from '../../../providers/adapters/openai-chat-request.js';
import { chatCompletionResponse, inBodyError } from '../../../providers/adapters/openai-chat-response.js';
import { chatCompletionEventBatches } from '../../../providers/adapters/openai-chat-stream.js';
import { collect, failure, ofType, readFixture, reframeChunks, textOf } from './helpers.js';

afterAll(() => closePools());

interface Cassette {
  request: { body: string; url: string };
  response: { body: string; code: number; headers: Record<string, string[]> };
}

function cassette(path: string): Cassette {
  return parseYaml(readFixture(path)).interactions[0];
}

/** Splits text into byte chunks of `size`, cutting through multi-byte characters on purpose. */
function byteChunks(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}

async function parse(body: string, chunkSize = 7): Promise<LlmEvent[]> {
  const events: LlmEvent[] = [];
  for await (const batch of chatCompletionEventBatches('openai', byteChunks(body, chunkSize))) events.push(...batch);
  return events;
}

const usageOf = (events: LlmEvent[]) => ofType(events, 'usage')[0].usage;

describe('openai chat fixtures: streams', () => {
  it('cassette-chat-streaming-detailed-usage: served over HTTP with its real headers', async () => {
    const recorded = cassette('openai/chat-completions/cassette-chat-streaming-detailed-usage.yaml');
    const server = createServer((request, response) => {
      const headers = Object.fromEntries(Object.entries(recorded.response.headers).map(([name, values]) => [name, values[0]]));
      response.writeHead(recorded.response.code, headers);
      response.end(recorded.response.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const adapter = createOpenAIAdapter({ apiKey: 'sk-fixture', baseUrl: `http://127.0.0.1:${port}/v1` });
      const events = await collect(adapter.stream({ model: 'gpt-5-nano', messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 }));
      expect(events[0]).toMatchObject({ type: 'start', requestId: 'req_0b2a28d2d6414b5a94c1c7933cf7c1a6' });
      expect(ofType(events, 'start')[0].rateLimit).toMatchObject({ limitRequests: 500, remainingTokens: 199992 });
      expect(textOf(events)).toBe('');
      expect(usageOf(events)).toMatchObject({ inputTokens: 12, outputTokens: 100, reasoningTokens: 100, cachedInputTokens: 0, totalTokens: 112 });
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'length', rawReason: 'length' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('our request body uses the same fields as the recorded streaming request', () => {
    const recorded = JSON.parse(cassette('openai/chat-completions/cassette-chat-streaming-detailed-usage.yaml').request.body);
    const ours = chatCompletionsBody(
      { model: 'gpt-5-nano', messages: [{ role: 'user', content: "Hello, I'm a developer!" }], maxTokens: 100, temperature: 1 },
      true,
      { provider: 'openai', ...fullChatBodyOptions },
    );
    expect(Object.keys(ours).sort()).toEqual(Object.keys(recorded).sort());
    expect(ours.stream_options).toEqual(recorded.stream_options);
    expect(ours.max_completion_tokens).toBe(recorded.max_completion_tokens);
  });

  it('cassette-chat-streaming: long text without include_usage reports zero usage', async () => {
    const events = await parse(cassette('openai/chat-completions/cassette-chat-streaming.yaml').response.body, 13);
    expect(textOf(events).startsWith('Hi there! How can I help today?')).toBe(true);
    expect(ofType(events, 'text-delta').length).toBeGreaterThan(20);
    expect(usageOf(events)).toMatchObject({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(usageOf(events).raw).toBeUndefined();
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'stop' });
  });

  it('vercel-test-stream-tool-deltas: fragmented arguments, usage chunk with choices []', async () => {
    const events = await parse(readFixture('openai/chat-completions/vercel-test-stream-tool-deltas.sse'), 5);
    expect(ofType(events, 'tool-call-delta')[0]).toMatchObject({ index: 0, id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', name: 'test-tool' });
    expect(ofType(events, 'tool-call').map((event) => event.call)).toEqual([
      { id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', name: 'test-tool', arguments: { value: 'Sparkle Day' } },
    ]);
    expect(usageOf(events)).toMatchObject({ inputTokens: 53, outputTokens: 17, totalTokens: 70 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' });
  });

  it('openai-compatible-anthropic-fallback-tool-call: tool index starting at 1', async () => {
    const events = await parse(readFixture('openai/chat-completions/openai-compatible-anthropic-fallback-tool-call.sse'));
    expect(textOf(events)).toBe('Reading it.');
    expect(ofType(events, 'tool-call-delta').every((delta) => delta.index === 1)).toBe(true);
    expect(ofType(events, 'tool-call').map((event) => event.call)).toEqual([{ id: 'toolu_sanitized', name: 'read_file', arguments: { path: 'a.txt' } }]);
    expect(events.at(-1)).toMatchObject({ reason: 'tool-calls' });
  });

  it('xai-tool-call.chunks.txt: reasoning_content, whole arguments, reasoning outside completion_tokens', async () => {
    const events = await parse(reframeChunks(readFixture('openai/chat-completions/xai-tool-call.chunks.txt')), 64);
    const reasoning = ofType(events, 'reasoning-delta').map((event) => event.text).join('');
    expect(reasoning.startsWith('First, the user is asking about the weather in San Francisco.')).toBe(true);
    expect(textOf(events)).toBe('');
    expect(ofType(events, 'tool-call').map((event) => event.call)).toEqual([{ id: 'call_79382389', name: 'weather', arguments: { location: 'San Francisco' } }]);
    // xAI: 307 + 26 + 227 = 560, so the 227 reasoning tokens are not inside completion_tokens (26).
    expect(usageOf(events)).toMatchObject({ inputTokens: 307, cachedInputTokens: 306, reasoningTokens: 227, outputTokens: 253, totalTokens: 560 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' });
  });

  it('a fixture cut before [DONE] fails as a retryable interruption', async () => {
    const body = reframeChunks(readFixture('openai/chat-completions/xai-tool-call.chunks.txt'), false);
    const error = await failure(parse(body));
    expect(error).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('invalid tool arguments fail as a malformed response', async () => {
    const body = readFixture('openai/chat-completions/vercel-test-stream-tool-deltas.sse').replace('"arguments":"\\"}"', '"arguments":"\\""');
    expect(body).not.toBe(readFixture('openai/chat-completions/vercel-test-stream-tool-deltas.sse'));
    const error = await failure(parse(body));
    expect(error.code).toBe(LlmErrorCode.malformedResponse);
  });
});

describe('openai chat fixtures: non-streaming bodies', () => {
  it('openai-text.json', () => {
    const response = chatCompletionResponse('openai', 'gpt-4.1-nano', JSON.parse(readFixture('openai/chat-completions/openai-text.json')));
    expect(response.content.startsWith('**Holiday Name:** Galaxy Day')).toBe(true);
    expect(response.content).toContain('darkness\u2014mirroring');
    expect(response).toMatchObject({ finishReason: 'stop', rawFinishReason: 'stop', toolCalls: [] });
    expect(response.usage).toMatchObject({ inputTokens: 16, outputTokens: 363, totalTokens: 379, reasoningTokens: 0, cachedInputTokens: 0 });
  });

  it('cassette-chat-tools.yaml', () => {
    const body = JSON.parse(cassette('openai/chat-completions/cassette-chat-tools.yaml').response.body);
    const response = chatCompletionResponse('openai', 'gpt-5-nano', body);
    expect(response.content).toBe('');
    expect(response.toolCalls).toEqual([{ id: 'call_8fxy20OEu9ulvvaa5b5CzVA4', name: 'get_current_weather', arguments: { location: 'Boston, MA', unit: 'fahrenheit' } }]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toMatchObject({ inputTokens: 162, outputTokens: 287, reasoningTokens: 256, totalTokens: 449 });
  });

  it('xai-tool-call.json: reasoning and usage with reasoning outside completion_tokens', () => {
    const response = chatCompletionResponse('openai', 'grok-3-mini', JSON.parse(readFixture('openai/chat-completions/xai-tool-call.json')));
    expect(response.reasoning?.startsWith('First, the user is asking about the weather')).toBe(true);
    expect(response.toolCalls).toEqual([{ id: 'call_46427107', name: 'weather', arguments: { location: 'San Francisco' } }]);
    expect(response.usage).toMatchObject({ inputTokens: 307, cachedInputTokens: 244, reasoningTokens: 255, outputTokens: 281, totalTokens: 588 });
  });

  it('cassette-chat-bad-request.yaml: the recorded 400 maps to a non-retryable bad request', () => {
    const recorded = cassette('openai/chat-completions/cassette-chat-bad-request.yaml').response;
    const headers = Object.fromEntries(Object.entries(recorded.headers).map(([name, values]) => [name.toLowerCase(), values[0]]));
    const error = errorFromResponse('openai', recorded.code, headers, recorded.body);
    expect(error).toMatchObject({ code: LlmErrorCode.badRequest, isRetryable: false, providerCode: 'unsupported_parameter', requestId: 'req_13d9b359dc234adc87be3833cacab1c6' });
  });
});

describe('errors inside a 200 response', () => {
  it.each([
    [{ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, LlmErrorCode.rateLimited, true],
    [{ error: { code: '429', message: 'Please retry after 6 seconds.' } }, LlmErrorCode.rateLimited, true],
    [{ error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, LlmErrorCode.quotaExceeded, false],
    [{ error: { message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded' } }, LlmErrorCode.contextLength, false],
    [{ error: { message: 'Overloaded', type: 'overloaded_error' } }, LlmErrorCode.overloaded, true],
    [{ error: 'something broke' }, LlmErrorCode.server, true],
  ])('%j', (payload, code, isRetryable) => {
    const error = inBodyError('openai', payload as Record<string, unknown>, 'req_1');
    expect(error).toMatchObject({ code, isRetryable, requestId: 'req_1', status: undefined });
    expect(error.message).toContain('inside the response');
  });

  it('an `event: error` frame fails the stream even without an error field', async () => {
    const body = 'data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\nevent: error\ndata: {"message":"boom"}\n\n';
    const error = await failure(parse(body));
    expect(error).toMatchObject({ code: LlmErrorCode.server, isRetryable: true });
  });

  it('a 200 JSON body carrying an error is thrown, not mapped to an empty answer', () => {
    expect(() => chatCompletionResponse('openai', 'm', { error: { message: 'bad', type: 'server_error' } })).toThrow(
      expect.objectContaining({ code: LlmErrorCode.server }),
    );
    expect(() => chatCompletionResponse('openai', 'm', { choices: [] })).toThrow(expect.objectContaining({ code: LlmErrorCode.malformedResponse }));
  });
});
