/**
 * The Ollama parsers against the documented response samples saved in test/fixtures: the
 * streamed and non-streamed tool-call responses and the mid-stream error, fed in awkward chunkings.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OllamaStreamParser, ollamaResponseFromJson } from '../../../providers/adapters/ollama.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import type { LlmEvent } from '../../../providers/types.js';
import { NdjsonDecoder } from '../../../providers/wire/ndjson.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/providers/ollama/${name}`, import.meta.url), 'utf8');

/** Feeds text through the decoder and parser in pieces of `size` bytes, as a socket might. */
function parse(text: string, size: number): LlmEvent[] {
  const decoder = new NdjsonDecoder();
  const parser = new OllamaStreamParser();
  const bytes = new TextEncoder().encode(text);
  const events: LlmEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) {
    for (const item of decoder.push(bytes.subarray(offset, offset + size))) events.push(...parser.accept(item));
  }
  for (const item of decoder.end()) events.push(...parser.accept(item));
  parser.end();
  return events;
}

describe('ollama parsers against the reference fixtures', () => {
  it.each([1, 7, 64, 100_000])('parses the streamed tool call in %i-byte pieces', (size) => {
    const events = parse(fixture('chat-stream-tool-call.compacted.ndjson'), size);
    expect(events).toEqual([
      { type: 'tool-call', call: { id: 'call_0', name: 'get_weather', arguments: { city: 'Tokyo' } } },
      {
        type: 'usage',
        usage: {
          inputTokens: 169,
          outputTokens: 15,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          reasoningTokens: 0,
          totalTokens: 184,
          raw: {
            prompt_eval_count: 169,
            eval_count: 15,
            total_duration: 182242375,
            load_duration: 41295167,
            prompt_eval_duration: 24573166,
            eval_duration: 115959084,
          },
        },
      },
      { type: 'finish', reason: 'tool-calls', rawReason: 'stop' },
    ]);
  });

  it('maps the non-streaming tool-call response', () => {
    const response = ollamaResponseFromJson(JSON.parse(fixture('chat-nonstream-tool-call.json')), 'ignored');
    expect(response).toMatchObject({
      provider: 'ollama',
      model: 'llama3.2',
      content: '',
      toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: { city: 'Tokyo' } }],
      finishReason: 'tool-calls',
      rawFinishReason: 'stop',
      usage: { inputTokens: 169, outputTokens: 18, totalTokens: 187 },
    });
  });

  it('turns the documented mid-stream error line into a typed error', () => {
    // The sample is /api/generate (text in `response`), but the error line is the same on /api/chat.
    let error: unknown;
    try {
      parse(fixture('generate-stream-with-midstream-error.ndjson'), 13);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: LlmErrorCode.server, isRetryable: true });
    expect((error as Error).message).toContain('an error was encountered while running the model');
  });

  it('a non-streaming {"error"} body is a typed error too', () => {
    expect(() => ollamaResponseFromJson(JSON.parse(fixture('error-body.json')), 'llama3.2')).toThrow(
      'the model failed to generate a response',
    );
  });

  it('a stream cut before its final line is an interruption; lines after done are ignored', () => {
    const [first, final] = fixture('chat-stream-tool-call.compacted.ndjson').trim().split('\n');
    expect(() => parse(`${first}\n`, 50)).toThrowError(expect.objectContaining({ code: LlmErrorCode.streamInterrupted }));
    const events = parse(`${first}\n${final}\nnot json at all\n`, 50);
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
  });

  it('empty, load and unload done_reasons map to other; string arguments are tolerated; bad ones are malformed', () => {
    const done = (reason: string): LlmEvent | undefined =>
      parse(`{"message":{"role":"assistant","content":""},"done":true,"done_reason":"${reason}"}\n`, 1000).at(-1);
    expect(done('load')).toEqual({ type: 'finish', reason: 'other', rawReason: 'load' });
    expect(done('unload')).toMatchObject({ reason: 'other' });
    expect(done('')).toMatchObject({ reason: 'other' });
    const stringArguments = parse(
      '{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":"{\\"a\\":1}"}}]},"done":true,"done_reason":"stop"}\n',
      1000,
    );
    expect(stringArguments[0]).toEqual({ type: 'tool-call', call: { id: 'call_0', name: 'f', arguments: { a: 1 } } });
    expect(() => parse('{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":"{oops"}}]},"done":false}\n', 1000)).toThrowError(
      expect.objectContaining({ code: LlmErrorCode.malformedResponse }),
    );
  });
});
