/**
 * The fake is faithful when the official `ollama` client parses what it serves: streaming and
 * non-streaming, with a tool call, usage counts and the model list.
 */
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaFake, type OllamaFake } from '../../fakes/ollama-fake.js';

describe('ollama fake driven by the official ollama SDK', () => {
  let fake: OllamaFake;
  let client: Ollama;

  beforeAll(async () => {
    fake = await startOllamaFake({ models: ['llama3.2:latest', 'mistral:7b'] });
    client = new Ollama({ host: fake.url });
  });
  afterAll(() => fake.close());

  const tools = [
    {
      type: 'function',
      function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    },
  ];

  it('non-streaming chat with a tool call parses text, tool call and usage', async () => {
    fake.enqueue({ text: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Tokyo' } }], usage: { inputTokens: 169, outputTokens: 18 } });
    const response = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Weather in Tokyo?' }], tools, stream: false });
    expect(response.message.content).toBe('Checking.');
    expect(response.message.tool_calls).toEqual([{ function: { name: 'get_weather', arguments: { city: 'Tokyo' } } }]);
    expect(response.prompt_eval_count).toBe(169);
    expect(response.eval_count).toBe(18);
    expect(response.done).toBe(true);
    expect(response.done_reason).toBe('stop');
    expect(fake.requests.at(-1)?.body.stream).toBe(false);
  });

  it('streaming chat with a tool call yields every piece and a final done chunk', async () => {
    fake.enqueue({ text: 'Looking that up for you.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], usage: { inputTokens: 40, outputTokens: 7 } });
    const stream = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, stream: true });
    let text = '';
    const calls: unknown[] = [];
    let last: Awaited<ReturnType<typeof client.chat>> | undefined;
    for await (const part of stream) {
      text += part.message.content;
      calls.push(...(part.message.tool_calls ?? []));
      last = part;
    }
    expect(text).toBe('Looking that up for you.');
    expect(calls).toEqual([{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }]);
    expect(last?.done).toBe(true);
    expect(last?.prompt_eval_count).toBe(40);
    expect(last?.eval_count).toBe(7);
  });

  it('a mid-stream error line makes the SDK throw with its message', async () => {
    fake.enqueue({ text: 'partial answer here', fault: { type: 'malformed', afterChunks: 2, frame: '{"error":"an error was encountered while running the model"}\n' } });
    const stream = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true });
    await expect(async () => {
      for await (const part of stream) void part;
    }).rejects.toThrow('an error was encountered while running the model');
  });

  it('error statuses carry the {"error"} message the SDK reports', async () => {
    fake.enqueue({ fault: { type: 'status', status: 404 } });
    await expect(client.chat({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status_code: 404,
      error: 'model not found, try pulling it first',
    });
  });

  it('lists models from /api/tags', async () => {
    const list = await client.list();
    expect(list.models.map((model) => model.name)).toEqual(['llama3.2:latest', 'mistral:7b']);
  });
});
