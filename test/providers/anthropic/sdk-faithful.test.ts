/**
 * The fake is only worth testing against if the official SDK accepts it: drive
 * @anthropic-ai/sdk at the fake, streaming and not, with a tool call.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../../fakes/fake-server.js';
import { anthropicFakeModels, startAnthropicFake } from '../../fakes/anthropic-fake.js';

let fake: FakeServer;
let client: Anthropic;

beforeAll(async () => {
  fake = await startAnthropicFake();
  client = new Anthropic({ apiKey: 'sk-ant-fake-sdk', baseURL: fake.url, maxRetries: 0, timeout: 5_000 });
});
afterAll(() => fake.close());

const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];

describe('anthropic fake, driven by @anthropic-ai/sdk', () => {
  it('answers a non-streaming call with text, a tool_use block and usage', async () => {
    fake.enqueue({
      text: 'Checking the weather.',
      toolCalls: [{ id: 'toolu_sdk1', name: 'get_weather', arguments: { city: 'Paris' } }],
      usage: { inputTokens: 120, outputTokens: 33, cachedInputTokens: 20 },
    });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      tools,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Checking the weather.' });
    expect(message.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_sdk1', name: 'get_weather', input: { city: 'Paris' } });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 20, output_tokens: 33 });
    expect(fake.requests.at(-1)?.headers.authorization ?? fake.requests.at(-1)?.headers['x-api-key']).toMatch(/sk-ant-fake-sdk/);
    expect(fake.requests.at(-1)?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('streams text and tool input the SDK accumulates into a final message', async () => {
    fake.enqueue({
      text: 'Let me look that up for you.',
      toolCalls: [{ id: 'toolu_sdk2', name: 'get_weather', arguments: { city: 'San Francisco', unit: 'celsius' } }],
      usage: { inputTokens: 377, outputTokens: 65 },
    });
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      tools,
      messages: [{ role: 'user', content: 'Weather in SF?' }],
    });
    let streamedText = '';
    stream.on('text', (delta) => {
      streamedText += delta;
    });
    const message = await stream.finalMessage();
    expect(streamedText).toBe('Let me look that up for you.');
    expect(message.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_sdk2', input: { city: 'San Francisco', unit: 'celsius' } });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage.input_tokens).toBe(377);
    expect(message.usage.output_tokens).toBe(65);
  });

  it('reads raw stream events, including an empty tool input', async () => {
    fake.enqueue({ toolCalls: [{ name: 'refresh', arguments: {} }], usage: { inputTokens: 10, outputTokens: 4 } });
    const stream = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'refresh' }],
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types).toContain('content_block_start');
    expect(types.at(-2)).toBe('message_delta');
    expect(types.at(-1)).toBe('message_stop');
  });

  it('surfaces a 529 as the SDK overloaded error and lists models', async () => {
    fake.enqueue({ fault: { type: 'status', status: 529 } });
    await expect(
      client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 529 });
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) ids.push(model.id);
    expect(ids).toEqual(anthropicFakeModels);
  });
});
