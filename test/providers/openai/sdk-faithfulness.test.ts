/**
 * The fake speaks real OpenAI: the official `openai` SDK, pointed at it, parses its streamed and
 * non-streamed answers, tool calls and usage.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';

const apiKey = 'sk-test-sdk-faithfulness';
let fake: FakeServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey, models: ['gpt-4.1-mini', 'gpt-5-nano'] });
  client = new OpenAI({ apiKey, baseURL: `${fake.url}/v1`, maxRetries: 0, timeout: 5_000 });
});
afterAll(() => fake.close());

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('openai fake driven by the openai SDK', () => {
  it('answers a non-streaming request with text and usage', async () => {
    fake.enqueue({ text: 'Paris is the capital.', usage: { inputTokens: 11, outputTokens: 6, cachedInputTokens: 3 } });
    const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Capital?' }] });
    expect(completion.choices[0].message.content).toBe('Paris is the capital.');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
    expect(completion.model).toBe('gpt-4.1-mini');
  });

  it('answers a non-streaming request with a tool call', async () => {
    fake.enqueue({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] });
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
    });
    const message = completion.choices[0].message;
    expect(message.content).toBeNull();
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    const call = message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toBe('call_1');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
  });

  it('streams text and the include_usage chunk, ending cleanly', async () => {
    fake.enqueue({ text: 'Streaming works fine.', usage: { inputTokens: 9, outputTokens: 5, reasoningTokens: 2 } });
    const stream = await client.chat.completions.create({
      model: 'gpt-5-nano',
      messages: [{ role: 'user', content: 'Go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        finish = choice.finish_reason ?? finish;
      }
    }
    expect(text).toBe('Streaming works fine.');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 });
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBe(2);
  });

  it('streams a tool call that the SDK stream helper assembles', async () => {
    fake.enqueue({ toolCalls: [{ id: 'call_7', name: 'get_weather', arguments: { city: 'Oslo', days: 3 } }] });
    const runner = client.chat.completions.stream({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toBe('call_7');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Oslo', days: 3 });
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('turns a 429 into the SDK RateLimitError with the fake error body', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after': '1' } } });
    await expect(client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
    });
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4.1-mini', 'gpt-5-nano']);
  });

  it('rejects a wrong key with 401', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${fake.url}/v1`, maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
  });
});
