/**
 * The Anthropic fake refuses what the real Messages API refuses (400 invalid_request_error), and
 * the adapter never sends it: temperature with top_p, an empty assistant turn, tool_choice without
 * tools, a tool_use without its tool_result and a tool_result without its tool_use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../../providers/adapters/anthropic.js';
import { closePools } from '../../../providers/http.js';
import { startAnthropicFake } from '../../fakes/anthropic-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';

const apiKey = 'sk-ant-strict-0123456789';
let fake: FakeServer;
beforeAll(async () => {
  fake = await startAnthropicFake();
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

/** Posts a raw body to the fake, as a client that gets it wrong would. */
async function post(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${fake.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, ...body }),
  });
  return { status: response.status, body: await response.json() };
}

const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });

describe('the Anthropic fake is as strict as the API', () => {
  it.each([
    ['temperature with top_p', { temperature: 0.5, top_p: 0.9, messages: [user('hi')] }, /temperature` and `top_p` cannot both be specified/],
    ['an empty assistant turn', { messages: [user('hi'), assistant(''), user('again')] }, /text content blocks must contain non-whitespace text/],
    ['an assistant turn with no blocks', { messages: [user('hi'), assistant([]), user('again')] }, /must have non-empty content/],
    ['tool_choice without tools', { tool_choice: { type: 'auto' }, messages: [user('hi')] }, /tool_choice may only be specified while providing tools/],
    ['a tool_use without its tool_result', {
      messages: [user('hi'), assistant([{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }]), user('no result')],
    }, /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/],
    ['a tool_result without its tool_use', {
      messages: [user('hi'), assistant('plain'), user([{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }])],
    }, /unexpected `tool_use_id` found in `tool_result` blocks: toolu_9/],
  ])('refuses %s', async (_name, body, message) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.type).toBe('invalid_request_error');
    expect(answer.body.error.message).toMatch(message);
  });

  it('accepts a well-formed tool round trip', async () => {
    fake.enqueue({ text: 'ok' });
    const answer = await post({
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
      messages: [user('hi'), assistant([{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }]), user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' }])],
    });
    expect(answer.status).toBe(200);
  });
});

describe('the Anthropic adapter sends what the API accepts', () => {
  const adapter = () => createAnthropicAdapter({ apiKey, baseUrl: fake.url });

  it('keeps temperature and drops top_p when both are given', async () => {
    fake.enqueue({ text: 'ok' });
    const response = await adapter().completeRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], temperature: 0.3, topP: 0.8 });
    expect(response.content).toBe('ok');
    expect(fake.requests.at(-1)!.body).toMatchObject({ temperature: 0.3 });
    expect(fake.requests.at(-1)!.body.top_p).toBeUndefined();
  });

  it('sends top_p alone when no temperature is given', async () => {
    fake.enqueue({ text: 'ok' });
    await adapter().completeRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], topP: 0.8 });
    expect(fake.requests.at(-1)!.body.top_p).toBe(0.8);
  });

  it('leaves an empty assistant answer out of the history, and a blank text beside tool calls', async () => {
    fake.enqueue({ text: 'ok' });
    const response = await adapter().completeRequest({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'second' },
        { role: 'assistant', content: '  ', toolCalls: [{ id: 'toolu_1', name: 'f', arguments: {} }] },
        { role: 'tool', toolCallId: 'toolu_1', toolName: 'f', content: 'done' },
      ],
      tools: [{ name: 'f', parameters: { type: 'object' } }],
    });
    expect(response.content).toBe('ok');
    const sent = fake.requests.at(-1)!.body.messages;
    expect(sent.map((message: { role: string }) => message.role)).toEqual(['user', 'user', 'assistant', 'user']);
    expect(sent[2].content).toEqual([{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }]);
  });
});
