/**
 * The Bedrock parsing against captured data: the vercel `.chunks.txt` captures re-framed as binary
 * event-stream frames (with `p` padding, cut at random byte boundaries), the synthesized `.bin`
 * streams, and the Converse `.json` responses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapConverseResponse, normaliseUsage } from '../../../providers/adapters/bedrock-response.js';
import { ConverseStreamParser } from '../../../providers/adapters/bedrock-stream.js';
import { LlmErrorCode } from '../../../providers/errors.js';
import type { LlmEvent } from '../../../providers/types.js';
import { EventStreamDecoder } from '../../../providers/wire/aws-event-stream.js';
import { encodeEventStreamMessage, encodeJsonEvent } from '../../../providers/wire/aws-event-stream-encoder.js';

const bedrock = new URL('../../fixtures/providers/bedrock/', import.meta.url);
const readText = (path: string): string => readFileSync(new URL(path, bedrock), 'utf8');

/** Re-frames `{"<event-type>": payload}` lines as Bedrock frames, re-adding the `p` padding vercel stripped. */
function reframe(chunksFile: string): Buffer {
  const lines = readText(chunksFile).split('\n').filter(Boolean);
  return Buffer.concat(
    lines.map((line, index) => {
      const [[eventType, payload]] = Object.entries(JSON.parse(line) as Record<string, Record<string, unknown>>);
      return encodeJsonEvent(eventType, { ...payload, p: 'abcdefghijklmnopqrstuvwxyz'.slice(0, 1 + (index % 26)) });
    }),
  );
}

/** Decodes and parses a byte stream cut into pieces of pseudo-random sizes. */
function parse(bytes: Uint8Array, seed = 7): LlmEvent[] {
  const decoder = new EventStreamDecoder();
  const parser = new ConverseStreamParser();
  const events: LlmEvent[] = [];
  let state = seed;
  for (let offset = 0; offset < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % 97);
    for (const message of decoder.push(bytes.subarray(offset, offset + size))) events.push(...parser.handle(message));
    offset += size;
  }
  decoder.end();
  events.push(...parser.finish());
  return events;
}

/** The text of amazon-bedrock-text.chunks.txt (its streamed wording differs slightly from the .json capture). */
const streamedText = 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."';

const text = (events: LlmEvent[]): string => events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
const reasoning = (events: LlmEvent[]): string => events.map((event) => (event.type === 'reasoning-delta' ? event.text : '')).join('');
const ofType = <T extends LlmEvent['type']>(events: LlmEvent[], type: T): Extract<LlmEvent, { type: T }>[] =>
  events.filter((event): event is Extract<LlmEvent, { type: T }> => event.type === type);

describe('ConverseStream captures, re-framed', () => {
  it('amazon-bedrock-text: the streamed text, usage from metadata after messageStop', () => {
    const events = parse(reframe('converse/amazon-bedrock-text.chunks.txt'));
    expect(text(events)).toBe(streamedText);
    expect(ofType(events, 'usage')).toHaveLength(1);
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 22, outputTokens: 55, totalTokens: 77, cachedInputTokens: 0 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
    expect(events.at(-2)?.type).toBe('usage');
  });

  it('amazon-bedrock-reasoning: reasoning deltas then text', () => {
    const events = parse(reframe('converse/amazon-bedrock-reasoning.chunks.txt'), 3);
    const json = JSON.parse(readText('converse/amazon-bedrock-reasoning.json'));
    expect(text(events)).toBe(json.output.message.content[1].text);
    expect(reasoning(events)).toBe(
      'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r\'s.',
    );
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 51, outputTokens: 94, totalTokens: 145 });
  });

  it('amazon-bedrock-tool-call.1: streamed input fragments become one parsed call (metadata before messageStop)', () => {
    const events = parse(reframe('converse/amazon-bedrock-tool-call.1.chunks.txt'), 11);
    expect(ofType(events, 'tool-call-delta').map((event) => event.argumentsDelta).join('')).toBe('{"value":"Sparkle Day"}');
    expect(ofType(events, 'tool-call-delta')[0]).toMatchObject({ index: 0, id: 'tool-use-id', name: 'test-tool' });
    expect(ofType(events, 'tool-call')).toEqual([{ type: 'tool-call', call: { id: 'tool-use-id', name: 'test-tool', arguments: { value: 'Sparkle Day' } } }]);
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 125, outputTokens: 45, totalTokens: 170 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' });
  });

  it('amazon-bedrock-tool-no-args: text block with an empty start, then a tool call whose empty input is {}', () => {
    const events = parse(reframe('converse/amazon-bedrock-tool-no-args.chunks.txt'), 5);
    expect(text(events)).toBe("I'll update the issue list for you.");
    expect(ofType(events, 'tool-call')).toEqual([{ type: 'tool-call', call: { id: 'tool-use-id', name: 'updateIssueList', arguments: {} } }]);
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 100, outputTokens: 25 });
  });
});

describe('synthesized binary streams', () => {
  it('converse-stream-text.bin parses to the capture text and usage', () => {
    const events = parse(readFileSync(new URL('synthesized/converse-stream-text.bin', bedrock)));
    expect(text(events)).toBe(streamedText);
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 22, outputTokens: 55 });
  });

  it('converse-stream-throttling-exception.bin is a retryable rate-limit error', () => {
    const bytes = readFileSync(new URL('synthesized/converse-stream-throttling-exception.bin', bedrock));
    expect(() => parse(bytes)).toThrow(
      expect.objectContaining({
        code: LlmErrorCode.rateLimited,
        isRetryable: true,
        providerCode: 'throttlingException',
        message: expect.stringContaining('Too many requests'),
      }),
    );
  });
});

describe('stream parser edge cases', () => {
  const stop = encodeJsonEvent('messageStop', { stopReason: 'end_turn' });

  it('a stream without messageStop is a retryable interruption', () => {
    const bytes = Buffer.concat([encodeJsonEvent('messageStart', { role: 'assistant' }), encodeJsonEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } })]);
    expect(() => parse(bytes)).toThrow(expect.objectContaining({ code: LlmErrorCode.streamInterrupted, isRetryable: true }));
  });

  it('a payload that is not JSON is malformed', () => {
    const garbage = encodeEventStreamMessage({
      headers: [
        { name: ':event-type', type: 'string', value: 'contentBlockDelta' },
        { name: ':message-type', type: 'string', value: 'event' },
      ],
      payload: Buffer.from('{"contentBlockIndex":0,"delta":'),
    });
    expect(() => parse(Buffer.concat([garbage, stop]))).toThrow(expect.objectContaining({ code: LlmErrorCode.malformedResponse }));
  });

  it('tool input that is not JSON is malformed', () => {
    const bytes = Buffer.concat([
      encodeJsonEvent('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't1', name: 'f' } } }),
      encodeJsonEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"a":' } } }),
      encodeJsonEvent('contentBlockStop', { contentBlockIndex: 0 }),
      stop,
    ]);
    expect(() => parse(bytes)).toThrow(expect.objectContaining({ code: LlmErrorCode.malformedResponse }));
  });

  it('a `:message-type: error` frame becomes a typed error from its headers', () => {
    const errorFrame = encodeEventStreamMessage({
      headers: [
        { name: ':message-type', type: 'string', value: 'error' },
        { name: ':error-code', type: 'string', value: 'InternalServerException' },
        { name: ':error-message', type: 'string', value: 'boom' },
      ],
      payload: new Uint8Array(0),
    });
    expect(() => parse(errorFrame)).toThrow(expect.objectContaining({ code: LlmErrorCode.server, isRetryable: true, message: expect.stringContaining('boom') }));
  });
});

describe('Converse JSON captures', () => {
  it('amazon-bedrock-text.json', () => {
    const json = JSON.parse(readText('converse/amazon-bedrock-text.json'));
    const response = mapConverseResponse(json, 'm', 'rid');
    expect(response.content).toBe(json.output.message.content[0].text);
    expect(response).toMatchObject({ finishReason: 'stop', rawFinishReason: 'end_turn', requestId: 'rid', toolCalls: [] });
    expect(response.usage).toMatchObject({ inputTokens: 22, outputTokens: 57, totalTokens: 79, cachedInputTokens: 0, cacheWriteInputTokens: 0 });
    expect(response.usage.raw).toEqual(json.usage);
  });

  it('amazon-bedrock-reasoning.json keeps reasoning apart from content', () => {
    const json = JSON.parse(readText('converse/amazon-bedrock-reasoning.json'));
    const response = mapConverseResponse(json, 'm', undefined);
    expect(response.reasoning).toBe(json.output.message.content[0].reasoningContent.reasoningText.text);
    expect(response.content).toBe(json.output.message.content[1].text);
  });

  it('amazon-bedrock-tool-call.1.json', () => {
    const response = mapConverseResponse(JSON.parse(readText('converse/amazon-bedrock-tool-call.1.json')), 'm', undefined);
    expect(response.toolCalls).toEqual([{ id: 'tool-use-id', name: 'bash', arguments: { command: 'ls -l' } }]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toMatchObject({ inputTokens: 10, outputTokens: 20, totalTokens: 30 });
  });

  it('adds cache reads and writes (current or legacy names) to inputTokens', () => {
    expect(normaliseUsage({ inputTokens: 5, outputTokens: 7, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 })).toMatchObject({
      inputTokens: 125,
      cachedInputTokens: 100,
      cacheWriteInputTokens: 20,
      totalTokens: 132,
    });
    expect(normaliseUsage({ inputTokens: 5, outputTokens: 1, cacheReadInputTokenCount: 3 })).toMatchObject({ inputTokens: 8, cachedInputTokens: 3 });
  });

  it('a response without output.message.content is malformed', () => {
    expect(() => mapConverseResponse({ stopReason: 'end_turn' }, 'm', undefined)).toThrow(expect.objectContaining({ code: LlmErrorCode.malformedResponse }));
  });
});
