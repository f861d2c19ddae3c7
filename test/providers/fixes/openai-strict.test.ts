/**
 * The OpenAI fake refuses the bodies the Chat Completions API refuses (400 invalid_request_error
 * naming the `param`): message roles and content, tool shapes, sampling parameters' types, tool
 * results without a preceding call. The adapter's own requests pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { closePools } from '../../../providers/http.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';

const apiKey = 'sk-strict-0123456789';
let fake: FakeServer;
beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

async function post(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', ...body }),
  });
  return { status: response.status, body: await response.json() };
}

const hi = [{ role: 'user', content: 'hi' }];

describe('the OpenAI fake is as strict as the API', () => {
  it.each([
    ['an empty message list', { messages: [] }, 'messages'],
    ['an unknown role', { messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role'],
    ['null user content', { messages: [{ role: 'user', content: null }] }, 'messages[0].content'],
    ['content that is a number', { messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    ['temperature as a string', { messages: hi, temperature: '0.5' }, 'temperature'],
    ['top_p above 1', { messages: hi, top_p: 1.5 }, 'top_p'],
    ['max_tokens as a fraction', { messages: hi, max_tokens: 10.5 }, 'max_tokens'],
    ['a tool that is not a function', { messages: hi, tools: [{ type: 'plugin', function: { name: 'f' } }] }, 'tools[0].type'],
    ['a tool name with spaces', { messages: hi, tools: [{ type: 'function', function: { name: 'get weather' } }] }, 'tools[0].function.name'],
    ['tool_choice without tools', { messages: hi, tool_choice: 'auto' }, 'tool_choice'],
    ['a tool result without a call', { messages: [...hi, { role: 'tool', tool_call_id: 'call_9', content: 'x' }] }, 'messages[1]'],
    ['tool-call arguments as an object', {
      messages: [...hi, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }],
    }, 'messages[1].tool_calls'],
  ])('refuses %s', async (_name, body, param) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param });
  });

  it("accepts the adapter's tool round trip", async () => {
    fake.enqueue({ text: 'ok' });
    const adapter = createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` });
    const response = await adapter.completeRequest({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: { a: 1 } }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'f', content: 'done' },
      ],
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      toolChoice: 'auto',
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 50,
      stop: ['END'],
    });
    expect(response.content).toBe('ok');
  });
});
