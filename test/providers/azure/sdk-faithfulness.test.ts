/**
 * The Azure flavour of the fake speaks real Azure OpenAI: the official `AzureOpenAI` client
 * (endpoint = fake URL, apiVersion, deployment) parses its answers, tool calls and usage, and
 * copes with the prompt-filter first chunk.
 */
import { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';

const apiKey = 'azure-key-sdk-faithfulness';
let fake: FakeServer;
let client: AzureOpenAI;

beforeAll(async () => {
  fake = await startOpenAiFake({ flavor: 'azure', apiKey, adToken: 'entra-token-1' });
  client = new AzureOpenAI({ endpoint: fake.url, apiKey, apiVersion: '2024-10-21', deployment: 'gpt-4o-prod', maxRetries: 0, timeout: 5_000 });
});
afterAll(() => fake.close());

const tool = { type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'number' } } } } };

describe('azure fake driven by the AzureOpenAI SDK', () => {
  it('answers a non-streaming request on the deployment URL', async () => {
    fake.enqueue({ text: 'Azure says hi.', usage: { inputTokens: 8, outputTokens: 4 } });
    const completion = await client.chat.completions.create({ model: '', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe('Azure says hi.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 });
    const request = fake.requests.at(-1)!;
    expect(request.url.pathname).toBe('/openai/deployments/gpt-4o-prod/chat/completions');
    expect(request.url.searchParams.get('api-version')).toBe('2024-10-21');
    expect(request.headers['api-key']).toBe(apiKey);
    expect(completion.model).toBe('gpt-4o-prod');
  });

  it('streams text past the choices:[] prompt-filter chunk, with usage', async () => {
    fake.enqueue({ text: 'Filtered but fine.', usage: { inputTokens: 6, outputTokens: 5 } });
    const stream = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'Go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let emptyChoiceChunks = 0;
    let total = 0;
    for await (const chunk of stream) {
      if (chunk.choices.length === 0) emptyChoiceChunks++;
      if (chunk.usage) total = chunk.usage.total_tokens;
      for (const choice of chunk.choices) text += choice.delta.content ?? '';
    }
    expect(text).toBe('Filtered but fine.');
    expect(emptyChoiceChunks).toBe(2); // the prompt-filter chunk and the usage chunk
    expect(total).toBe(11);
  });

  it('streams a tool call the SDK helper assembles, authenticated by an Entra token', async () => {
    const entra = new AzureOpenAI({
      endpoint: fake.url,
      azureADTokenProvider: async () => 'entra-token-1',
      apiVersion: '2024-10-21',
      deployment: 'gpt-4o-prod',
      maxRetries: 0,
    });
    fake.enqueue({ toolCalls: [{ id: 'call_az', name: 'lookup', arguments: { id: 42 } }] });
    const final = await entra.chat.completions.stream({ model: '', messages: [{ role: 'user', content: 'Find' }], tools: [tool] }).finalChatCompletion();
    const call = final.choices[0].message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call).toMatchObject({ id: 'call_az', function: { name: 'lookup' } });
    expect(JSON.parse(call.function.arguments)).toEqual({ id: 42 });
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer entra-token-1');
  });

  it('models.list(): the SDK asks /openai/models (no deployment in the path) and reads the base-model list', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['fake-model']);
    const request = fake.requests.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.url.pathname).toBe('/openai/models');
    expect(request.url.searchParams.get('api-version')).toBe('2024-10-21');
  });

  it('rejects a request without api-version like Azure does', async () => {
    const response = await fetch(`${fake.url}/openai/deployments/x/chat/completions`, { method: 'POST', headers: { 'api-key': apiKey }, body: '{}' });
    expect(response.status).toBe(404);
  });
});
