/**
 * Bounded fuzzing with hostile bytes: every decoder (SSE, NDJSON, AWS event-stream) and every
 * adapter's stream parser, through HTTP, must end each input with a completion or a typed
 * `LlmError` — never another exception, a hang, or state that grows past its limit.
 */
import fc from 'fast-check';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../../providers/adapters/anthropic.js';
import { createAzureAdapter } from '../../../providers/adapters/azure.js';
import { createBedrockAdapter } from '../../../providers/adapters/bedrock.js';
import { createGeminiAdapter } from '../../../providers/adapters/gemini.js';
import { createOllamaAdapter } from '../../../providers/adapters/ollama.js';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { createShimmyAdapter } from '../../../providers/adapters/shimmy.js';
import { LlmError } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import type { ProviderAdapter } from '../../../providers/types.js';
import { encodeExceptionEvent, encodeJsonEvent } from '../../../providers/wire/aws-event-stream-encoder.js';
import { EventStreamDecoder } from '../../../providers/wire/aws-event-stream.js';
import { NdjsonDecoder } from '../../../providers/wire/ndjson.js';
import { SseDecoder } from '../../../providers/wire/sse.js';
import { startEchoBodyFake, type EchoBodyFake } from '../../fakes/echo-body-fake.js';

const limit = 2048;
const encoder = new TextEncoder();

/** Protocol-shaped fragments: hostile input is most dangerous when it is almost valid. */
const textFragments = [
  'data: ', 'data:', '\n', '\r\n', '\r', '\n\n', ': ping\n\n', 'event: error\n', 'event: message_stop\n', 'event: ping\n', '[DONE]', '{', '}', '[', ']', '"', ',', ':', 'null',
  '{"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}',
  '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\\"a"}}]}}]}',
  '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}', '{"error":{"message":"bad","type":"server_error"}}',
  '{"type":"message_start","message":{"id":"m","usage":{"input_tokens":1}}}', '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}',
  '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"x"}}', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}',
  '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}', '{"type":"message_stop"}',
  '{"candidates":[{"content":{"parts":[{"text":"g"}]}}]}', '{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}]}',
  '{"model":"m","message":{"role":"assistant","content":"o"},"done":false}', '{"model":"m","message":{"content":""},"done":true,"done_reason":"stop"}', '{"error":"boom"}',
  '\u00e9', '\ud83d\ude00', '\u0000', '\ufeff',
];

const hostileText = fc.array(fc.oneof(fc.constantFrom(...textFragments), fc.string({ maxLength: 40 })), { maxLength: 40 }).map((parts) => encoder.encode(parts.join('')));
const randomBytes = fc.uint8Array({ maxLength: 600 });

/** Event-stream: valid frames, exceptions, corrupted and truncated ones, and raw bytes. */
const eventTypes = ['messageStart', 'contentBlockStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata', 'unknownEvent'];
const eventFrame = fc.oneof(
  fc.tuple(fc.constantFrom(...eventTypes), fc.jsonValue({ maxDepth: 3 })).map(([type, payload]) => encodeJsonEvent(type, payload)),
  fc.tuple(fc.constantFrom('contentBlockDelta', 'messageStop'), fc.string({ maxLength: 20 })).map(([type, text]) =>
    encodeJsonEvent(type, type === 'messageStop' ? { stopReason: text } : { contentBlockIndex: 0, delta: { text } }),
  ),
  fc.constantFrom('throttlingException', 'modelStreamErrorException', 'internalServerException').map((type) => encodeExceptionEvent(type, { message: 'no' })),
  fc.tuple(fc.constantFrom(...eventTypes), fc.integer({ min: 0, max: 200 })).map(([type, cut]) => encodeJsonEvent(type, { p: 'x'.repeat(50) }).slice(0, cut)),
  fc.tuple(fc.constantFrom(...eventTypes), fc.nat()).map(([type, position]) => {
    const frame = encodeJsonEvent(type, { contentBlockIndex: 0, delta: { text: 'y' } });
    frame[position % frame.length] ^= 0x5a;
    return frame;
  }),
  randomBytes,
);
const hostileFrames = fc.array(eventFrame, { maxLength: 12 }).map((frames) => Buffer.concat(frames));

/** Splits `bytes` at arbitrary points. */
function chunked(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array[]> {
  return fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 8 })).map(([all, cuts]) => {
    const points = [...new Set(cuts.map((cut) => (all.length === 0 ? 0 : cut % all.length)))].sort((left, right) => left - right);
    const chunks: Uint8Array[] = [];
    let previous = 0;
    for (const point of [...points, all.length]) {
      chunks.push(all.subarray(previous, point));
      previous = point;
    }
    return chunks;
  });
}

function expectOnlyLlmErrors(run: () => void): void {
  try {
    run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(LlmError);
  }
}

const runs = { numRuns: 300, seed: 20261201 };

describe('decoders under hostile bytes', () => {
  it('SSE: only LlmErrors, and held state never exceeds its line limit', () => {
    fc.assert(
      fc.property(chunked(fc.oneof(hostileText, randomBytes, fc.constant(new Uint8Array(limit * 3).fill(120)))), (chunks) => {
        const decoder = new SseDecoder({ maxLineBytes: limit });
        const state = decoder as unknown as { pendingByteLength: number; buffer: string; data: string };
        expectOnlyLlmErrors(() => {
          for (const chunk of chunks) {
            decoder.push(chunk);
            expect(state.pendingByteLength).toBeLessThanOrEqual(limit);
            expect(state.buffer.length).toBeLessThanOrEqual(limit);
            expect(state.data.length).toBeLessThanOrEqual(limit);
          }
          decoder.end(true);
        });
      }),
      runs,
    );
  });

  it('NDJSON: only LlmErrors, and held state never exceeds its line limit', () => {
    fc.assert(
      fc.property(chunked(fc.oneof(hostileText, randomBytes, fc.constant(new Uint8Array(limit * 3).fill(121)))), (chunks) => {
        const decoder = new NdjsonDecoder({ maxLineBytes: limit });
        const state = decoder as unknown as { buffer: string };
        expectOnlyLlmErrors(() => {
          for (const chunk of chunks) {
            decoder.push(chunk);
            expect(state.buffer.length).toBeLessThanOrEqual(limit);
          }
          decoder.end();
        });
      }),
      runs,
    );
  });

  it('AWS event-stream: only LlmErrors, and buffered bytes never exceed the frame limit', () => {
    fc.assert(
      fc.property(chunked(hostileFrames), (chunks) => {
        const decoder = new EventStreamDecoder('bedrock', 512);
        expectOnlyLlmErrors(() => {
          for (const chunk of chunks) {
            decoder.push(chunk);
            expect(decoder.pendingBytes).toBeLessThan(512);
          }
          decoder.end();
        });
      }),
      runs,
    );
  });
});

describe('adapters under hostile bytes', () => {
  let echo: EchoBodyFake;
  const adapters: { name: string; adapter: () => ProviderAdapter; model: string; contentType: string; bytes: fc.Arbitrary<Uint8Array> }[] = [];
  beforeAll(async () => {
    echo = await startEchoBodyFake();
    const key = 'sk-fuzz-0123456789';
    const aws = { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz/secret/0123456789', region: 'us-east-1' };
    const sse = 'text/event-stream';
    adapters.push(
      { name: 'openai', adapter: () => createOpenAIAdapter({ apiKey: key, baseUrl: `${echo.url}/v1` }), model: 'gpt-4o-mini', contentType: sse, bytes: hostileText },
      { name: 'azure', adapter: () => createAzureAdapter({ endpoint: echo.url, apiKey: key, deployment: 'd' }), model: 'd', contentType: sse, bytes: hostileText },
      { name: 'shimmy', adapter: () => createShimmyAdapter({ baseUrl: echo.url }), model: 'phi', contentType: sse, bytes: hostileText },
      { name: 'anthropic', adapter: () => createAnthropicAdapter({ apiKey: key, baseUrl: echo.url }), model: 'claude-sonnet-4-5', contentType: sse, bytes: hostileText },
      { name: 'gemini', adapter: () => createGeminiAdapter({ apiKey: key, baseUrl: echo.url }), model: 'gemini-2.5-flash', contentType: sse, bytes: hostileText },
      { name: 'ollama', adapter: () => createOllamaAdapter({ baseUrl: echo.url }), model: 'llama3.2', contentType: 'application/x-ndjson', bytes: hostileText },
      { name: 'bedrock', adapter: () => createBedrockAdapter({ ...aws, endpoint: echo.url }), model: 'anthropic.claude-3-haiku-20240307-v1:0', contentType: 'application/vnd.amazon.eventstream', bytes: hostileFrames },
    );
  });
  afterAll(async () => {
    await closePools();
    await echo.close();
  });

  it.each(['openai', 'azure', 'shimmy', 'anthropic', 'gemini', 'ollama', 'bedrock'])('%s: completes or fails typed, within its bounds, never hangs', async (name) => {
    const entry = adapters.find((candidate) => candidate.name === name)!;
    const adapter = entry.adapter();
    await fc.assert(
      fc.asyncProperty(chunked(entry.bytes), async (chunks) => {
        echo.setBody(chunks, entry.contentType);
        const call = lastValueFrom(adapter.stream({ model: entry.model, messages: [{ role: 'user', content: 'fuzz' }] }, { limits: { maxLineBytes: limit, maxFrameBytes: 4096, idleMs: 2000 } }).pipe(toArray()));
        let timer: ReturnType<typeof setTimeout> | undefined;
        const hang = new Promise<'hang'>((resolve) => {
          timer = setTimeout(() => resolve('hang'), 5000);
        });
        try {
          const result = await Promise.race([call, hang]);
          expect(result, 'the stream neither ended nor failed').not.toBe('hang');
          const events = result as { type: string; reason?: string }[];
          // A clean completion is a real one: it ends with its finish.
          expect(events.at(-1)?.type).toBe('finish');
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(LlmError);
        } finally {
          clearTimeout(timer);
        }
      }),
      { numRuns: 40, seed: 20261201 },
    );
  });
});
