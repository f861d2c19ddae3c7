/** The Gemini parsers against captured streams and responses (test/fixtures/providers). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEvent, complete, emptyResponse } from '../../../providers/observable.js';
import { closePools } from '../../../providers/http.js';
import { LlmErrorCode } from '../../../providers/errors.js';
import type { LlmEvent, LlmResponse } from '../../../providers/types.js';
import { createGeminiAdapter } from '../../../providers/adapters/gemini.js';
import { buildGeminiBody } from '../../../providers/adapters/gemini-request.js';
import { applyPartialArgument } from '../../../providers/adapters/gemini-response.js';
import { GeminiResponseParser, parseGeminiStream } from '../../../providers/adapters/gemini-stream.js';
import { geminiRenderer } from '../../fakes/gemini-fake.js';
import { startFakeServer } from '../../fakes/fake-server.js';

const fixtureDirectory = new URL('../../fixtures/providers/google/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, fixtureDirectory), 'utf8');

/** Re-frames de-framed `.chunks.txt` payloads as Gemini's CRLF SSE events. */
function reframe(chunksText: string): string {
  return chunksText
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => `data: ${line}\r\n\r\n`)
    .join('');
}

/** Splits bytes at seeded pseudo-random points (so CRLF pairs and UTF-8 sequences get cut). */
function* randomChunks(text: string, seed: number): Generator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let state = seed;
  for (let position = 0; position < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 31);
    yield bytes.slice(position, position + size);
    position += size;
  }
}

async function parse(text: string, seed = 5): Promise<{ events: LlmEvent[]; response: LlmResponse }> {
  const events: LlmEvent[] = [];
  async function* source(): AsyncGenerator<Uint8Array> {
    yield* randomChunks(text, seed);
  }
  for await (const batch of parseGeminiStream(source(), { model: 'gemini-3-pro-preview' })) events.push(...batch);
  return { events, response: events.reduce(applyEvent, emptyResponse()) };
}

function whole(json: unknown): LlmResponse {
  const parser = new GeminiResponseParser({ model: 'gemini-3-pro-preview', streaming: false });
  return [...parser.handle(json), ...parser.finish()].reduce(applyEvent, emptyResponse());
}

describe('gemini fixtures: streams', () => {
  it('google-text.chunks.txt: text, cumulative usage with thoughts added to output, STOP', async () => {
    for (const seed of [1, 2, 3]) {
      const { events, response } = await parse(reframe(fixture('google-text.chunks.txt')), seed);
      expect(response.content).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
      expect(response.requestId).toBe('bH6LaZW8Fp_3nsEPqtaSwQ4');
      // 9 prompt + 23 candidates + 185 thoughts = 217 (the last cumulative report, not a sum).
      expect(response.usage).toMatchObject({ inputTokens: 9, outputTokens: 208, reasoningTokens: 185, totalTokens: 217 });
      expect(response.finishReason).toBe('stop');
      expect(events.filter((event) => event.type === 'usage')).toHaveLength(1);
    }
  });

  it('google-reasoning.chunks.txt: thoughtsTokenCount 256 outside candidatesTokenCount 29', async () => {
    const { response } = await parse(reframe(fixture('google-reasoning.chunks.txt')));
    expect(response.content).toBe('There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.');
    expect(response.usage).toMatchObject({ inputTokens: 9, outputTokens: 285, reasoningTokens: 256, totalTokens: 294 });
  });

  it('google-tool-call.chunks.txt: a whole functionCall with STOP means tool-calls', async () => {
    const { events, response } = await parse(reframe(fixture('google-tool-call.chunks.txt')));
    expect(response.content).toBe('');
    expect(response.toolCalls).toHaveLength(1);
    expect(response.toolCalls[0]).toMatchObject({ name: 'weather', arguments: { location: 'San Francisco' } });
    expect(response.toolCalls[0]?.id).toMatch(/^gemini-call-/);
    expect(events.find((event) => event.type === 'tool-call-delta')).toMatchObject({ argumentsDelta: '{"location":"San Francisco"}' });
    expect(response.finishReason).toBe('tool-calls');
    expect(response.rawFinishReason).toBe('STOP');
    expect(response.usage).toMatchObject({ inputTokens: 29, outputTokens: 60, totalTokens: 89 });
  });

  it('google-stream-tool-call-arguments.chunks.txt: Vertex partialArgs assemble two calls', async () => {
    const { response } = await parse(reframe(fixture('google-stream-tool-call-arguments.chunks.txt')));
    expect(response.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['getWeather', { location: 'Boston' }],
      ['getWeather', { location: 'San Francisco' }],
    ]);
    expect(new Set(response.toolCalls.map((call) => call.id)).size).toBe(2);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toMatchObject({ inputTokens: 26, outputTokens: 155, reasoningTokens: 132, totalTokens: 181 });
  });

  it('LF framing parses the same as CRLF', async () => {
    const lf = reframe(fixture('google-tool-call.chunks.txt')).replace(/\r\n/g, '\n');
    expect((await parse(lf)).response.toolCalls[0]?.arguments).toEqual({ location: 'San Francisco' });
  });

  it('a capture cut before its finishReason chunk is an interrupted stream', async () => {
    const lines = fixture('google-text.chunks.txt').trim().split('\n');
    await expect(parse(reframe(lines.slice(0, 2).join('\n')))).rejects.toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('the text capture served through the fake reaches the adapter intact', async () => {
    const frames = reframe(fixture('google-text.chunks.txt')).split(/(?<=\r\n\r\n)/);
    const server = await startFakeServer({ ...geminiRenderer, render: () => ({ kind: 'stream', headers: { 'content-type': 'text/event-stream' }, chunks: frames }) });
    try {
      const response = await complete(createGeminiAdapter({ apiKey: 'k', baseUrl: server.url }).stream({ model: 'gemini-3-pro-preview', messages: [{ role: 'user', content: 'x' }] }));
      expect(response.content).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
      expect(response.usage.totalTokens).toBe(217);
    } finally {
      await server.close();
      await closePools();
    }
  });
});

describe('gemini fixtures: whole responses', () => {
  it('google-text.json: 9 + 28 + 244 = 281', () => {
    const response = whole(JSON.parse(fixture('google-text.json')));
    expect(response.content).toBe("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
    expect(response.usage).toMatchObject({ inputTokens: 9, outputTokens: 272, reasoningTokens: 244, totalTokens: 281 });
    expect(response.finishReason).toBe('stop');
  });

  it('google-tool-call.json: 29 + 15 + 893 = 937, tool-calls', () => {
    const response = whole(JSON.parse(fixture('google-tool-call.json')));
    expect(response.toolCalls[0]).toMatchObject({ name: 'weather', arguments: { location: 'San Francisco' } });
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toMatchObject({ inputTokens: 29, outputTokens: 908, totalTokens: 937 });
  });

  it('thoughtSignatures are kept and sent back on the parts they came on (Gemini 3 requires it)', async () => {
    const tool = whole(JSON.parse(fixture('google-tool-call.json')));
    expect(tool.toolCalls[0]?.signature).toMatch(/^EskgCsYgAb4\+9vtF7/);
    const streamed = (await parse(reframe(fixture('google-tool-call.chunks.txt')))).response;
    expect(streamed.toolCalls[0]?.signature).toMatch(/^EqUCCqICAb4\+9vsh8/);
    // The text capture ends with an empty text part that only carries the signature.
    const text = (await parse(reframe(fixture('google-text.chunks.txt')))).response;
    expect(text.signature).toMatch(/^EqsFCqgFAb4\+9vvtAF5n/);
    const body = buildGeminiBody({
      model: 'gemini-3-pro-preview',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: '', toolCalls: tool.toolCalls },
        { role: 'tool', toolCallId: tool.toolCalls[0]!.id, toolName: 'weather', content: '{"temp":21}' },
        { role: 'assistant', content: text.content, signature: text.signature },
        { role: 'user', content: 'thanks' },
      ],
    });
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [{ functionCall: { name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: tool.toolCalls[0]!.signature }],
    });
    expect(body.contents[3]).toEqual({ role: 'model', parts: [{ text: text.content, thoughtSignature: text.signature }] });
  });

  it('google-reasoning.json: 9 + 29 + 282 = 320', () => {
    expect(whole(JSON.parse(fixture('google-reasoning.json'))).usage).toMatchObject({ inputTokens: 9, outputTokens: 311, reasoningTokens: 282, totalTokens: 320 });
  });

  it('a blocked prompt (no candidates, promptFeedback.blockReason) finishes as content-filter', () => {
    const response = whole({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 } });
    expect(response.finishReason).toBe('content-filter');
    expect(response.rawFinishReason).toBe('PROHIBITED_CONTENT');
    expect(response.usage.inputTokens).toBe(7);
  });

  it('partial arguments refuse paths that would reach Object.prototype', () => {
    const target: Record<string, unknown> = {};
    expect(() => applyPartialArgument(target, { jsonPath: '$.__proto__.polluted', stringValue: 'x' })).toThrow(expect.objectContaining({ code: LlmErrorCode.malformedResponse }));
    applyPartialArgument(target, { jsonPath: '$.a.list[1]', numberValue: 3 });
    applyPartialArgument(target, { jsonPath: "$['b c']", boolValue: true });
    expect(target).toEqual({ a: { list: [undefined, 3] }, 'b c': true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
