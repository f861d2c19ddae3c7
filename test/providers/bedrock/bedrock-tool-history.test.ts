/**
 * Converse refuses toolUse/toolResult blocks in a request without a toolConfig. The fake refuses
 * them the same way (checked with the official SDK), and the adapter keeps follow-up requests
 * valid: tools offered → native blocks plus toolConfig; no tool may be offered (none given, or
 * toolChoice 'none') → the earlier calls and results travel as text, so no tool can be called.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBedrockAdapter, type BedrockAdapterConfig } from '../../../providers/adapters/bedrock.js';
import { buildConverseBody } from '../../../providers/adapters/bedrock-request.js';
import { closePools } from '../../../providers/http.js';
import type { LlmMessage, LlmRequest, LlmTool } from '../../../providers/types.js';
import { missingToolConfigMessage, startBedrockFake } from '../../fakes/bedrock-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const region = 'us-east-1';
const model = 'anthropic.claude-3-haiku-20240307-v1:0';

let fake: FakeServer;
let config: BedrockAdapterConfig;
beforeAll(async () => {
  fake = await startBedrockFake({ credentials, region });
  config = { ...credentials, region, endpoint: fake.url };
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

/** A conversation whose history holds one tool call and its result. */
const history: LlmMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: 'Let me look.', toolCalls: [{ id: 'tooluse_a', name: 'get_weather', arguments: { city: 'Paris' } }] },
  { role: 'tool', toolCallId: 'tooluse_a', toolName: 'get_weather', content: '18C and sunny' },
  { role: 'user', content: 'Summarise that in one word.' },
];
const tools: LlmTool[] = [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];

const hasToolBlock = (body: { messages: { content: object[] }[] }): boolean =>
  body.messages.some((message) => message.content.some((block) => 'toolUse' in block || 'toolResult' in block));

describe('the bedrock fake refuses tool blocks without a toolConfig, as Bedrock does', () => {
  it('the official SDK sees a 400 ValidationException with the service message', async () => {
    const client = new BedrockRuntimeClient({ region, endpoint: fake.url, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    const messages = [
      { role: 'user' as const, content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant' as const, content: [{ toolUse: { toolUseId: 'tooluse_a', name: 'get_weather', input: { city: 'Paris' } } }] },
      { role: 'user' as const, content: [{ toolResult: { toolUseId: 'tooluse_a', content: [{ text: '18C' }] } }] },
    ];
    await expect(client.send(new ConverseCommand({ modelId: model, messages }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: missingToolConfigMessage,
      $metadata: { httpStatusCode: 400 },
    });
    // The same history with a toolConfig is accepted.
    fake.enqueue({ text: 'Sunny.' });
    const output = await client.send(
      new ConverseCommand({ modelId: model, messages, toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] } }),
    );
    expect(output.output?.message?.content?.[0]?.text).toBe('Sunny.');
  });

  it('what the adapter used to send for toolChoice none (tool blocks, no toolConfig) is refused', async () => {
    const body = buildConverseBody({ model, messages: history, tools, toolChoice: 'auto' });
    delete body.toolConfig;
    const client = new BedrockRuntimeClient({ region, endpoint: fake.url, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    await expect(client.send(new ConverseCommand({ modelId: model, ...(body as object) } as never))).rejects.toMatchObject({
      name: 'ValidationException',
      message: missingToolConfigMessage,
    });
  });

  it('an empty tool list is refused too (toolConfig.tools needs at least one tool)', async () => {
    const client = new BedrockRuntimeClient({ region, endpoint: fake.url, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    await expect(
      client.send(new ConverseCommand({ modelId: model, messages: [{ role: 'user', content: [{ text: 'Hi' }] }], toolConfig: { tools: [] } })),
    ).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('bedrock adapter: follow-up requests whose history holds tool calls', () => {
  it('toolChoice none: accepted; earlier calls and results become text and no toolConfig is sent', async () => {
    fake.enqueue({ text: 'Sunny.' });
    const response = await createBedrockAdapter(config).completeRequest({ model, messages: history, tools, toolChoice: 'none' });
    expect(response.content).toBe('Sunny.');
    const body = fake.requests.at(-1)!.body;
    expect(body.toolConfig).toBeUndefined();
    expect(hasToolBlock(body)).toBe(false);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [{ text: 'Let me look.\n[called tool get_weather (call id tooluse_a) with input {"city":"Paris"}]' }] },
      {
        role: 'user',
        content: [{ text: '[result of tool get_weather (call id tooluse_a)]\n18C and sunny' }, { text: 'Summarise that in one word.' }],
      },
    ]);
  });

  it('no tools at all (a summarising turn): accepted, streamed too, with the same text rendering', async () => {
    fake.enqueue({ text: 'Sunny.' });
    const events = await lastValueFrom(createBedrockAdapter(config).stream({ model, messages: history }).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
    const request = fake.requests.at(-1)!;
    expect(request.url.pathname).toMatch(/\/converse-stream$/);
    expect(request.body.toolConfig).toBeUndefined();
    expect(hasToolBlock(request.body)).toBe(false);
  });

  it('a failed tool result is marked as an error in its text form', () => {
    const messages: LlmMessage[] = [
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'fetch', arguments: {} }] },
      { role: 'tool', toolCallId: 't1', toolName: 'fetch', content: 'HTTP 500', isError: true },
    ];
    expect(buildConverseBody({ model, messages }).messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ text: '[called tool fetch (call id t1) with input {}]' }] },
      { role: 'user', content: [{ text: '[error from tool fetch (call id t1)]\nHTTP 500' }] },
    ]);
  });

  it('tools offered (auto, required or named): native toolUse/toolResult blocks with a toolConfig', async () => {
    for (const toolChoice of [undefined, 'auto', 'required', { name: 'get_weather' }] as LlmRequest['toolChoice'][]) {
      fake.enqueue({ text: 'Sunny.' });
      await createBedrockAdapter(config).completeRequest({ model, messages: history, tools, toolChoice });
      const body = fake.requests.at(-1)!.body;
      expect(body.toolConfig.tools).toHaveLength(1);
      expect(body.messages[1].content).toEqual([
        { text: 'Let me look.' },
        { toolUse: { toolUseId: 'tooluse_a', name: 'get_weather', input: { city: 'Paris' } } },
      ]);
      expect(body.messages[2].content[0]).toEqual({ toolResult: { toolUseId: 'tooluse_a', content: [{ text: '18C and sunny' }], status: 'success' } });
    }
  });

  it('a conversation without tool history is sent unchanged (no toolConfig, no rendering)', () => {
    const body = buildConverseBody({ model, messages: [{ role: 'user', content: 'Hi' }], tools, toolChoice: 'none' });
    expect(body).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });
});
