/**
 * The Bedrock adapter against the signature-verifying fake: Converse and ConverseStream, tools,
 * usage, request shape, every fault, in-stream exceptions, abort, and secrets kept out of errors.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockConfigFromEnv, createBedrockAdapter, type BedrockAdapterConfig } from '../../../providers/adapters/bedrock.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools, configurePools } from '../../../providers/http.js';
import type { LlmEvent, LlmRequest } from '../../../providers/types.js';
import { encodeExceptionEvent } from '../../../providers/wire/aws-event-stream-encoder.js';
import { startBedrockFake } from '../../fakes/bedrock-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';

// Before any pool exists: a silent body fails after 300 ms, so the stall test is quick.
configurePools({ bodyTimeoutMs: 300, headersTimeoutMs: 2_000 });

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'SessionToken/Secret+Value==' };
const region = 'eu-central-1';
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

const simple: LlmRequest = { model, messages: [{ role: 'user', content: 'Hello' }] };

async function collect(request: LlmRequest = simple, adapterConfig: BedrockAdapterConfig = config, signal?: AbortSignal): Promise<LlmEvent[]> {
  return lastValueFrom(createBedrockAdapter(adapterConfig).stream(request, { signal }).pipe(toArray()));
}

async function streamError(request: LlmRequest = simple, adapterConfig: BedrockAdapterConfig = config): Promise<LlmError> {
  try {
    await collect(request, adapterConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return error as LlmError;
  }
  throw new Error('the stream did not fail');
}

const textOf = (events: LlmEvent[]): string => events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');

describe('bedrock adapter: successful calls', () => {
  it('streams text, then usage, then finish, with the request id from the headers', async () => {
    fake.enqueue({ text: 'Hello there, traveller. ✈️', usage: { inputTokens: 40, outputTokens: 9, cachedInputTokens: 30 } });
    const events = await collect();
    expect(events[0]).toMatchObject({ type: 'start', provider: 'bedrock', model, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(textOf(events)).toBe('Hello there, traveller. ✈️');
    expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThan(1);
    expect(events.at(-2)).toMatchObject({ type: 'usage', usage: { inputTokens: 40, cachedInputTokens: 30, outputTokens: 9, totalTokens: 49 } });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'end_turn' });
  });

  it('streams tool calls: deltas while input streams, one parsed call each, finish tool-calls', async () => {
    fake.enqueue({
      toolCalls: [
        { id: 'tooluse_1', name: 'get_weather', arguments: { city: 'Zürich', unit: 'celsius' } },
        { id: 'tooluse_2', name: 'get_time', arguments: {} },
      ],
    });
    const events = await collect();
    const calls = events.filter((event) => event.type === 'tool-call');
    expect(calls).toEqual([
      { type: 'tool-call', call: { id: 'tooluse_1', name: 'get_weather', arguments: { city: 'Zürich', unit: 'celsius' } } },
      { type: 'tool-call', call: { id: 'tooluse_2', name: 'get_time', arguments: {} } },
    ]);
    const deltas = events.filter((event): event is Extract<LlmEvent, { type: 'tool-call-delta' }> => event.type === 'tool-call-delta');
    expect(deltas.filter((delta) => delta.index === 0).map((delta) => delta.argumentsDelta).join('')).toBe('{"city":"Zürich","unit":"celsius"}');
    expect(deltas.find((delta) => delta.index === 1)).toMatchObject({ id: 'tooluse_2', name: 'get_time' });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' });
  });

  it('streams reasoning apart from text', async () => {
    fake.enqueue({ reasoning: 'Think first.', text: 'Answer.' });
    const events = await collect();
    expect(events.filter((event) => event.type === 'reasoning-delta').map((event) => (event as { text: string }).text).join('')).toBe('Think first.');
    expect(textOf(events)).toBe('Answer.');
  });

  it('completeRequest uses the non-streaming Converse endpoint and maps text, tools and usage', async () => {
    fake.enqueue({
      text: 'Calling a tool.',
      toolCalls: [{ id: 'tooluse_9', name: 'lookup', arguments: { q: 'x' } }],
      usage: { inputTokens: 20, outputTokens: 5, cachedInputTokens: 4 },
    });
    const response = await createBedrockAdapter(config).completeRequest(simple);
    expect(fake.requests.at(-1)!.url.pathname).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(response).toMatchObject({
      provider: 'bedrock',
      model,
      content: 'Calling a tool.',
      toolCalls: [{ id: 'tooluse_9', name: 'lookup', arguments: { q: 'x' } }],
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_use',
      usage: { inputTokens: 20, cachedInputTokens: 4, outputTokens: 5, totalTokens: 25 },
      requestId: expect.any(String),
    });
    expect(response.usage.raw).toMatchObject({ inputTokens: 16, cacheReadInputTokens: 4 });
  });

  it('maps length finishes', async () => {
    fake.enqueue({ text: 'cut', finish: 'length' });
    const response = await createBedrockAdapter(config).completeRequest(simple);
    expect(response).toMatchObject({ finishReason: 'length', rawFinishReason: 'max_tokens' });
  });

  it('sends the Converse request shape, signed with the session token', async () => {
    fake.enqueue({ text: 'ok' });
    await collect({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'tooluse_a', name: 'get_weather', arguments: { city: 'Paris' } }] },
        { role: 'tool', toolCallId: 'tooluse_a', toolName: 'get_weather', content: '18C', isError: false },
        { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }, { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' }] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: { name: 'get_weather' },
      maxTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stop: ['END'],
    });
    const request = fake.requests.at(-1)!;
    expect(request.url.pathname).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(request.body).toEqual({
      messages: [
        { role: 'user', content: [{ text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_a', name: 'get_weather', input: { city: 'Paris' } } }] },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'tooluse_a', content: [{ text: '18C' }], status: 'success' } },
            { text: 'And tomorrow?' },
            { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
          ],
        },
      ],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
        toolChoice: { tool: { name: 'get_weather' } },
      },
    });
  });

  it('omits toolConfig for toolChoice none and maps required to any', async () => {
    fake.enqueue({ text: 'a' }, { text: 'b' });
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    await createBedrockAdapter(config).completeRequest({ ...simple, tools, toolChoice: 'none' });
    expect(fake.requests.at(-1)!.body.toolConfig).toBeUndefined();
    await createBedrockAdapter(config).completeRequest({ ...simple, tools, toolChoice: 'required' });
    expect(fake.requests.at(-1)!.body.toolConfig.toolChoice).toEqual({ any: {} });
  });

  it('refuses image URLs Bedrock cannot take, before sending anything', async () => {
    const before = fake.requests.length;
    await expect(
      createBedrockAdapter(config).completeRequest({ model, messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/a.png' }] }] }),
    ).rejects.toMatchObject({ code: LlmErrorCode.badRequest });
    expect(fake.requests.length).toBe(before);
  });
});

describe('bedrock adapter: HTTP faults', () => {
  it('429 ThrottlingException with Retry-After → retryable rate limit with retryAfterMs', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after': '2' } } });
    const error = await streamError();
    expect(error).toMatchObject({ code: LlmErrorCode.rateLimited, isRetryable: true, retryAfterMs: 2000, status: 429, providerCode: 'ThrottlingException' });
  });

  it('the exception name in x-amzn-errortype decides the code (ServiceQuotaExceededException → quota, not retryable)', async () => {
    fake.enqueue({
      fault: {
        type: 'status',
        status: 400,
        headers: { 'x-amzn-errortype': 'ServiceQuotaExceededException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
        body: { message: 'Your account quota is exhausted.' },
      },
    });
    const error = await createBedrockAdapter(config).completeRequest(simple).catch((caught: LlmError) => caught);
    expect(error).toMatchObject({ code: LlmErrorCode.quotaExceeded, isRetryable: false, status: 400, providerCode: 'ServiceQuotaExceededException' });
  });

  it('a ValidationException that says the input is too long → context length, streamed or not (as the in-stream form)', async () => {
    const tooLong = {
      type: 'status' as const,
      status: 400,
      headers: { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
      body: { message: 'Input is too long for requested model.' },
    };
    fake.enqueue({ fault: tooLong }, { fault: tooLong });
    const whole = await createBedrockAdapter(config).completeRequest(simple).catch((caught: LlmError) => caught);
    const streamed = await streamError();
    for (const error of [whole, streamed]) {
      expect(error).toMatchObject({ code: LlmErrorCode.contextLength, isRetryable: false, status: 400, providerCode: 'ValidationException' });
    }
  });

  it.each([
    [500, LlmErrorCode.server, true],
    [503, LlmErrorCode.server, true],
    [400, LlmErrorCode.badRequest, false],
    [404, LlmErrorCode.notFound, false],
  ])('HTTP %i → %s (retryable %s)', async (status, code, isRetryable) => {
    fake.enqueue({ fault: { type: 'status', status } });
    expect(await streamError()).toMatchObject({ code, isRetryable, status });
  });

  it('connection dropped before the response → retryable connection error', async () => {
    fake.enqueue({ fault: { type: 'drop-before-response' } });
    expect(await streamError()).toMatchObject({ code: LlmErrorCode.connection, isRetryable: true });
  });

  it('connection dropped mid-stream → retryable stream interruption', async () => {
    fake.enqueue({ text: 'a long answer that will be cut', fault: { type: 'drop-mid-stream', afterChunks: 3 } });
    expect(await streamError()).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
  });

  it('a stalled stream → retryable timeout', async () => {
    fake.enqueue({ text: 'stalls here', fault: { type: 'stall', afterChunks: 2 } });
    expect(await streamError()).toMatchObject({ code: LlmErrorCode.timeout, isRetryable: true });
  });

  it('a corrupt frame → malformed response, never a hang', async () => {
    fake.enqueue({ text: 'some text', fault: { type: 'malformed', afterChunks: 2 } });
    expect(await streamError()).toMatchObject({ code: LlmErrorCode.malformedResponse, isRetryable: false });
  });

  it('a non-JSON Converse body → malformed response', async () => {
    fake.enqueue({ fault: { type: 'status', status: 200, body: 'not json at all' } });
    await expect(createBedrockAdapter(config).completeRequest(simple)).rejects.toMatchObject({ code: LlmErrorCode.malformedResponse });
  });
});

describe('bedrock adapter: exception frames after HTTP 200', () => {
  it.each([
    ['throttlingException', LlmErrorCode.rateLimited, true],
    ['modelStreamErrorException', LlmErrorCode.server, true],
    ['internalServerException', LlmErrorCode.server, true],
    ['serviceUnavailableException', LlmErrorCode.server, true],
    ['validationException', LlmErrorCode.badRequest, false],
  ])('%s → %s (retryable %s)', async (exceptionType, code, isRetryable) => {
    fake.enqueue({ text: 'partial answer', fault: { type: 'malformed', afterChunks: 2, frame: encodeExceptionEvent(exceptionType, { message: 'in-stream failure' }) } });
    const error = await streamError();
    expect(error).toMatchObject({ code, isRetryable, providerCode: exceptionType });
    expect(error.message).toContain('in-stream failure');
  });
});

describe('bedrock adapter: cancellation and secrets', () => {
  it('aborts through the caller signal', async () => {
    fake.enqueue({ text: 'slow', latencyMs: 5_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await expect(collect(simple, config, controller.signal)).rejects.toMatchObject({ code: LlmErrorCode.aborted });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a wrong secret is rejected by the fake as a signature mismatch; no secret appears in the error', async () => {
    const wrong = { ...config, secretAccessKey: 'TotallyWrongSecretKeyValue1234567890abcd' };
    const error = await streamError(simple, wrong);
    expect(error).toMatchObject({ code: LlmErrorCode.authentication, status: 403, providerCode: 'InvalidSignatureException', isRetryable: false });
    const visible = `${error.message} ${JSON.stringify(error)} ${error.stack ?? ''}`;
    expect(visible).not.toContain(wrong.secretAccessKey);
    expect(visible).not.toContain(credentials.sessionToken);
  });

  it('scrubs secrets a service echoes back in an error body', async () => {
    fake.enqueue({
      fault: {
        type: 'status',
        status: 403,
        headers: { 'x-amzn-errortype': 'InvalidSignatureException' },
        body: { message: `The canonical string should have been x-amz-security-token:${credentials.sessionToken} key ${credentials.secretAccessKey}` },
      },
    });
    const error = (await createBedrockAdapter(config)
      .completeRequest(simple)
      .then(
        () => undefined,
        (caught: LlmError) => caught,
      ))!;
    expect(error).toBeInstanceOf(LlmError);
    expect(error.code).toBe(LlmErrorCode.authentication);
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(credentials.sessionToken);
    expect(error.message).not.toContain(credentials.secretAccessKey);
  });

  it('refuses to start without credentials', () => {
    expect(() => createBedrockAdapter({ region, accessKeyId: '', secretAccessKey: '' })).toThrow(expect.objectContaining({ code: LlmErrorCode.notConfigured }));
  });
});

describe('bedrockConfigFromEnv', () => {
  it('reads keys, session token, region and the Bedrock-specific endpoint first', () => {
    expect(
      bedrockConfigFromEnv({
        AWS_ACCESS_KEY_ID: 'AKID',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
        AWS_REGION: 'us-east-2',
        AWS_DEFAULT_REGION: 'us-west-1',
        AWS_ENDPOINT_URL: 'http://general.invalid',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://bedrock.invalid',
      }),
    ).toEqual({
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      region: 'us-east-2',
      endpoint: 'http://bedrock.invalid',
      // The control plane (model list) has its own variable; without it the general one applies.
      controlPlaneEndpoint: 'http://general.invalid',
    });
  });

  it('reads the control-plane endpoint from AWS_ENDPOINT_URL_BEDROCK, apart from the Runtime one', () => {
    expect(
      bedrockConfigFromEnv({
        AWS_ACCESS_KEY_ID: 'AKID',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_REGION: 'us-east-2',
        AWS_ENDPOINT_URL: 'http://general.invalid',
        AWS_ENDPOINT_URL_BEDROCK: 'http://control.invalid',
      }),
    ).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'us-east-2', endpoint: 'http://general.invalid', controlPlaneEndpoint: 'http://control.invalid' });
  });

  it('falls back to AWS_DEFAULT_REGION and AWS_ENDPOINT_URL', () => {
    expect(
      bedrockConfigFromEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_DEFAULT_REGION: 'ap-south-1', AWS_ENDPOINT_URL: 'http://general.invalid' }),
    ).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'ap-south-1', endpoint: 'http://general.invalid', controlPlaneEndpoint: 'http://general.invalid' });
  });

  it('is undefined unless keys and a region are present', () => {
    expect(bedrockConfigFromEnv({})).toBeUndefined();
    expect(bedrockConfigFromEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' })).toBeUndefined();
    expect(bedrockConfigFromEnv({ AWS_ACCESS_KEY_ID: 'AKID', AWS_REGION: 'us-east-1' })).toBeUndefined();
  });
});
