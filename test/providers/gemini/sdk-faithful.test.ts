/**
 * The fake is only worth testing against if the official SDK accepts it: drive @google/genai at
 * the fake, streaming and not, with a function call.
 */
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../../fakes/fake-server.js';
import { geminiFakeModels, startGeminiFake } from '../../fakes/gemini-fake.js';

let fake: FakeServer;
let client: GoogleGenAI;

beforeAll(async () => {
  fake = await startGeminiFake();
  client = new GoogleGenAI({ apiKey: 'gemini-fake-sdk-key', httpOptions: { baseUrl: fake.url } });
});
afterAll(() => fake.close());

const tools = [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }];

describe('gemini fake, driven by @google/genai', () => {
  it('answers generateContent with text, a function call and usage', async () => {
    fake.enqueue({
      text: 'Let me check.',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
      usage: { inputTokens: 29, outputTokens: 60, reasoningTokens: 45 },
    });
    const response = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Weather in Paris?', config: { tools } });
    expect(response.text).toBe('Let me check.');
    expect(response.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata).toMatchObject({ promptTokenCount: 29, candidatesTokenCount: 15, thoughtsTokenCount: 45, totalTokenCount: 89 });
    const recorded = fake.requests.at(-1)!;
    expect(recorded.url.pathname).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(recorded.headers['x-goog-api-key']).toBe('gemini-fake-sdk-key');
  });

  it('streams CRLF-framed chunks the SDK parses, with cumulative usage and a whole function call', async () => {
    fake.enqueue({
      text: 'Streaming from the fake works.',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }],
      usage: { inputTokens: 12, outputTokens: 20 },
    });
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Weather in Rome?', config: { tools } });
    let text = '';
    const calls: unknown[] = [];
    let lastUsage: unknown;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.text ?? '';
      calls.push(...(chunk.functionCalls ?? []));
      lastUsage = chunk.usageMetadata;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe('Streaming from the fake works.');
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'Rome' } }]);
    expect(lastUsage).toMatchObject({ promptTokenCount: 12, candidatesTokenCount: 20, totalTokenCount: 32 });
    expect(fake.requests.at(-1)!.url.search).toBe('?alt=sse');
  });

  it('surfaces an error status and lists models', async () => {
    fake.enqueue({ fault: { type: 'status', status: 503 } });
    await expect(client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })).rejects.toMatchObject({ status: 503 });
    const pager = await client.models.list({ config: { pageSize: 2 } });
    const names: string[] = [];
    for await (const model of pager) names.push(String(model.name));
    expect(names).toEqual(geminiFakeModels);
  });
});
