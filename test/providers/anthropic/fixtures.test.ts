/** The Anthropic parsers against captured streams and responses (test/fixtures/providers). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { complete, emptyResponse, applyEvent } from '../../../providers/observable.js';
import { closePools } from '../../../providers/http.js';
import type { LlmEvent, LlmResponse } from '../../../providers/types.js';
import { createAnthropicAdapter } from '../../../providers/adapters/anthropic.js';
import { anthropicMessageToResponse, normaliseAnthropicUsage } from '../../../providers/adapters/anthropic-response.js';
import { parseAnthropicStream } from '../../../providers/adapters/anthropic-stream.js';
import { anthropicRenderer } from '../../fakes/anthropic-fake.js';
import { startFakeServer } from '../../fakes/fake-server.js';

const fixtureDirectory = new URL('../../fixtures/providers/anthropic/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, fixtureDirectory), 'utf8');

/** Re-frames de-framed `.chunks.txt` payloads as named SSE events (the name equals the JSON type). */
function reframe(chunksText: string, lineEnd = '\n'): string {
  return chunksText
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => `event: ${JSON.parse(line).type}${lineEnd}data: ${line}${lineEnd}${lineEnd}`)
    .join('');
}

/** Splits bytes at pseudo-random points (seeded), including inside multi-byte characters. */
function* randomChunks(text: string, seed: number): Generator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let state = seed;
  for (let position = 0; position < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 23);
    yield bytes.slice(position, position + size);
    position += size;
  }
}

async function parse(text: string, seed = 7): Promise<{ events: LlmEvent[]; response: LlmResponse }> {
  const events: LlmEvent[] = [];
  async function* source(): AsyncGenerator<Uint8Array> {
    yield* randomChunks(text, seed);
  }
  for await (const batch of parseAnthropicStream(source())) events.push(...batch);
  return { events, response: events.reduce(applyEvent, emptyResponse()) };
}

describe('anthropic fixtures: raw SDK SSE captures', () => {
  it('sdk-basic_response.sse: text, usage and end_turn, in any chunking', async () => {
    for (const seed of [1, 2, 3]) {
      const { response } = await parse(fixture('sdk-basic_response.sse'), seed);
      expect(response.content).toBe('Hello there!');
      expect(response.usage).toMatchObject({ inputTokens: 11, outputTokens: 6, totalTokens: 17 });
      expect(response.finishReason).toBe('stop');
      expect(response.rawFinishReason).toBe('end_turn');
    }
  });

  it('sdk-tool_use_response.sse: streamed partial_json becomes one parsed tool call', async () => {
    const { events, response } = await parse(fixture('sdk-tool_use_response.sse'));
    expect(response.content).toBe("I'll check the current weather in Paris for you.");
    expect(response.toolCalls).toEqual([{ id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', name: 'get_weather', arguments: { location: 'Paris' } }]);
    const argumentText = events.flatMap((event) => (event.type === 'tool-call-delta' ? [event.argumentsDelta] : [])).join('');
    expect(argumentText).toBe('{"location": "Paris"}');
    expect(response.usage).toMatchObject({ inputTokens: 377, outputTokens: 65 });
    expect(response.finishReason).toBe('tool-calls');
  });

  it('parses the same capture re-framed with CRLF line ends', async () => {
    const crlf = fixture('sdk-tool_use_response.sse').replace(/\r?\n/g, '\r\n');
    const { response } = await parse(crlf, 11);
    expect(response.toolCalls[0]?.arguments).toEqual({ location: 'Paris' });
  });
});

describe('anthropic fixtures: de-framed vercel captures', () => {
  it('anthropic-text.chunks.txt: text and cumulative usage (last value, not a sum)', async () => {
    const { response } = await parse(reframe(fixture('anthropic-text.chunks.txt')));
    expect(response.content).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
    expect(response.usage).toMatchObject({ inputTokens: 12, outputTokens: 30, cachedInputTokens: 0, cacheWriteInputTokens: 0, totalTokens: 42 });
    expect(response.finishReason).toBe('stop');
  });

  it('anthropic-tool-no-args.chunks.txt: a lone partial_json "" becomes {} despite pings', async () => {
    const { response } = await parse(reframe(fixture('anthropic-tool-no-args.chunks.txt')));
    expect(response.content).toBe("I'll update the issue list for you.");
    expect(response.toolCalls).toEqual([{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: {} }]);
    expect(response.usage).toMatchObject({ inputTokens: 565, outputTokens: 48 });
    expect(response.finishReason).toBe('tool-calls');
  });

  it('anthropic-message-delta-input-tokens.chunks.txt: message_delta input_tokens (61) replaces message_start (43)', async () => {
    const { response } = await parse(reframe(fixture('anthropic-message-delta-input-tokens.chunks.txt')));
    expect(response.content).toBe('pong');
    expect(response.usage.inputTokens).toBe(61);
    expect(response.usage.outputTokens).toBe(2);
    expect(response.usage.totalTokens).toBe(63);
    expect(response.usage.raw).toMatchObject({ input_tokens: 61, output_tokens: 2 });
  });

  it('the same capture served through the fake reaches the adapter intact', async () => {
    const frames = reframe(fixture('anthropic-tool-no-args.chunks.txt')).split(/(?<=\n\n)/);
    const server = await startFakeServer({
      ...anthropicRenderer,
      render: () => ({ kind: 'stream', headers: { 'content-type': 'text/event-stream', 'request-id': 'req_fixture' }, chunks: frames }),
    });
    try {
      const response = await complete(createAnthropicAdapter({ apiKey: 'k', baseUrl: server.url }).stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
      expect(response.requestId).toBe('req_fixture');
      expect(response.toolCalls).toEqual([{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: {} }]);
      expect(response.usage.outputTokens).toBe(48);
    } finally {
      await server.close();
      await closePools();
    }
  });
});

describe('anthropic fixtures: non-streamed messages', () => {
  it('anthropic-text.json maps text, stop reason and usage', () => {
    const response = anthropicMessageToResponse(JSON.parse(fixture('anthropic-text.json')), 'claude-sonnet-4-5', 'req_1');
    expect(response.content).toBe("Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?");
    expect(response.model).toBe('claude-sonnet-4-5-20250929');
    expect(response.finishReason).toBe('stop');
    expect(response.usage).toMatchObject({ inputTokens: 12, outputTokens: 29, totalTokens: 41 });
  });

  it('anthropic-tool-no-args.json maps a tool_use block with empty input', () => {
    const response = anthropicMessageToResponse(JSON.parse(fixture('anthropic-tool-no-args.json')), 'm');
    expect(response.toolCalls).toEqual([{ id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: {} }]);
    expect(response.content.startsWith('<thinking>')).toBe(true);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toMatchObject({ inputTokens: 602, outputTokens: 93 });
  });

  it('normalises cache reads and writes into inputTokens', () => {
    const usage = normaliseAnthropicUsage({ input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 50, output_tokens: 5 });
    expect(usage).toMatchObject({ inputTokens: 160, cachedInputTokens: 100, cacheWriteInputTokens: 50, outputTokens: 5, totalTokens: 165 });
  });
});
