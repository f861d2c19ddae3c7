/**
 * The fake is faithful: the official AWS SDK, pointed at it, signs requests the fake accepts and
 * parses its Converse JSON and ConverseStream event-stream frames (text, tool use, usage).
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
// The SDK defaults to HTTP/2 for Bedrock Runtime; the fake (like the project's other fakes) speaks
// HTTP/1.1, which the SDK's own HTTP/1.1 handler (installed with the SDK) talks to.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConverseBody } from '../../../providers/adapters/bedrock-request.js';
import { startBedrockFake } from '../../fakes/bedrock-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FakeSessionToken/with+chars==',
};
const region = 'us-west-2';
const modelId = 'anthropic.claude-3-haiku-20240307-v1:0';

let fake: FakeServer;
beforeAll(async () => {
  fake = await startBedrockFake({ credentials, region });
});
afterAll(async () => {
  await fake.close();
});

function client(overrides: Partial<typeof credentials> = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region,
    endpoint: fake.url,
    credentials: { ...credentials, ...overrides },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
}

const toolScenario = {
  text: 'Checking the weather — ☀️ one moment.',
  toolCalls: [{ id: 'tooluse_abc', name: 'get_weather', arguments: { city: 'Paris', days: 2 } }],
  usage: { inputTokens: 30, outputTokens: 12, cachedInputTokens: 8 },
};

describe('bedrock fake, driven by @aws-sdk/client-bedrock-runtime', () => {
  it('Converse: the SDK parses text, toolUse and usage', async () => {
    fake.enqueue(toolScenario);
    const output = await client().send(
      new ConverseCommand({
        modelId,
        messages: [{ role: 'user', content: [{ text: 'Weather in Paris?' }] }],
        toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] },
      }),
    );
    const content = output.output?.message?.content ?? [];
    expect(content.map((block) => block.text).filter(Boolean).join('')).toBe(toolScenario.text);
    expect(content.find((block) => block.toolUse)?.toolUse).toEqual({ toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris', days: 2 } });
    expect(output.stopReason).toBe('tool_use');
    expect(output.usage).toMatchObject({ inputTokens: 22, outputTokens: 12, totalTokens: 34, cacheReadInputTokens: 8 });
    const request = fake.requests.at(-1)!;
    expect(request.url.pathname).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);
  });

  it('structured output: our body carries outputConfig exactly as the SDK serialises it', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    fake.enqueue({ text: '{"city":"Paris"}' });
    await client().send(
      new ConverseCommand({
        modelId,
        messages: [{ role: 'user', content: [{ text: 'Which city?' }] }],
        outputConfig: { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'city' } } } },
      }),
    );
    const ours = buildConverseBody({ model: modelId, messages: [{ role: 'user', content: 'Which city?' }], responseFormat: { type: 'json', schema, name: 'city' } });
    expect(ours.outputConfig).toEqual(fake.requests.at(-1)!.body.outputConfig);
  });

  it('ConverseStream: the SDK decodes the binary frames into text, toolUse and usage events', async () => {
    fake.enqueue(toolScenario);
    const output = await client().send(new ConverseStreamCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Weather?' }] }] }));
    const events: ConverseStreamOutput[] = [];
    for await (const event of output.stream!) events.push(event);
    const text = events.map((event) => event.contentBlockDelta?.delta?.text ?? '').join('');
    expect(text).toBe(toolScenario.text);
    const start = events.find((event) => event.contentBlockStart)?.contentBlockStart;
    expect(start?.start?.toolUse).toMatchObject({ toolUseId: 'tooluse_abc', name: 'get_weather' });
    const input = events.map((event) => event.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
    expect(JSON.parse(input)).toEqual({ city: 'Paris', days: 2 });
    expect(events.find((event) => event.messageStop)?.messageStop?.stopReason).toBe('tool_use');
    const metadataIndex = events.findIndex((event) => event.metadata);
    expect(metadataIndex).toBeGreaterThan(events.findIndex((event) => event.messageStop));
    expect(events[metadataIndex].metadata?.usage).toMatchObject({ inputTokens: 22, outputTokens: 12, cacheReadInputTokens: 8 });
    expect(fake.requests.at(-1)!.url.pathname).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream');
  });

  it('rejects a request signed with the wrong secret, and the SDK sees an AWS error', async () => {
    const before = fake.requests.length;
    await expect(
      client({ secretAccessKey: 'not-the-right-secret' }).send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] })),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    expect(fake.requests.length).toBe(before + 1);
  });

  it('rejects a wrong session token', async () => {
    await expect(
      client({ sessionToken: 'someone-elses-token' }).send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] })),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('answers a throttling fault the way the SDK expects', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429 } });
    await expect(client().send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
  });
});
