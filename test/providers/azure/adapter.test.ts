/**
 * The Azure OpenAI adapter against the Azure flavour of the fake and the captured Azure traffic:
 * deployment URLs, api-version, api-key vs Entra auth, prompt-filter chunks, content-filter
 * finishes, Azure error bodies and secret hygiene.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools, configurePools } from '../../../providers/http.js';
import type { LlmEvent, LlmRequest } from '../../../providers/types.js';
import { azureConfigFromEnv, azureDefaultApiVersion, createAzureAdapter } from '../../../providers/adapters/azure.js';
import { chatCompletionResponse } from '../../../providers/adapters/openai-chat-response.js';
import { chatCompletionEventBatches } from '../../../providers/adapters/openai-chat-stream.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';
import { collect, failure, ofType, readFixture, reframeChunks, textOf } from '../openai/helpers.js';

const apiKey = 'azure-adapter-key-5f3c9e';
const adToken = 'entra-adapter-token-77aa';
let fake: FakeServer;

beforeAll(async () => {
  configurePools({ bodyTimeoutMs: 400, headersTimeoutMs: 3_000 });
  fake = await startOpenAiFake({ flavor: 'azure', apiKey, adToken });
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

const adapter = (extra: Parameters<typeof createAzureAdapter>[0] = {}) =>
  createAzureAdapter({ endpoint: fake.url, apiKey, deployment: 'gpt-4o-prod', model: 'gpt-4o', ...extra });
const ask = (model = 'gpt-4o'): LlmRequest => ({ model, messages: [{ role: 'user', content: 'Hello Azure' }], maxTokens: 50 });

async function parse(body: string): Promise<LlmEvent[]> {
  const events: LlmEvent[] = [];
  for await (const batch of chatCompletionEventBatches('azure', [body])) events.push(...batch);
  return events;
}

describe('azure adapter against the fake', () => {
  it('streams on the deployment URL with api-key, past the prompt-filter chunk', async () => {
    fake.enqueue({ text: 'Hello from a deployment.', usage: { inputTokens: 10, outputTokens: 6 } });
    const events = await collect(adapter().stream(ask()));
    expect(events[0]).toMatchObject({ type: 'start', provider: 'azure', requestId: expect.stringMatching(/^req_fake_/) });
    expect(textOf(events)).toBe('Hello from a deployment.');
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 10, outputTokens: 6, totalTokens: 16 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'stop' });
    const request = fake.requests.at(-1)!;
    expect(request.url.pathname).toBe('/openai/deployments/gpt-4o-prod/chat/completions');
    expect(request.url.searchParams.get('api-version')).toBe(azureDefaultApiVersion);
    expect(request.headers['api-key']).toBe(apiKey);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toMatchObject({ max_completion_tokens: 50, stream: true, stream_options: { include_usage: true } });
  });

  it('completes non-streaming with tool calls', async () => {
    fake.enqueue({ toolCalls: [{ id: 'call_q', name: 'query', arguments: { sql: 'select 1' } }], usage: { inputTokens: 30, outputTokens: 9 } });
    const response = await adapter().completeRequest({ ...ask(), tools: [{ name: 'query', parameters: { type: 'object' } }] });
    expect(response.toolCalls).toEqual([{ id: 'call_q', name: 'query', arguments: { sql: 'select 1' } }]);
    expect(response).toMatchObject({ finishReason: 'tool-calls', usage: { inputTokens: 30, outputTokens: 9 } });
    expect(fake.requests.at(-1)!.body.stream).toBeUndefined();
  });

  it('maps the request model to a deployment', async () => {
    const mapped = adapter({ deployments: { 'gpt-4o-mini': 'mini-east' }, apiVersion: '2025-01-01-preview' });
    for (const [model, deployment] of [
      ['gpt-4o', 'gpt-4o-prod'],
      ['', 'gpt-4o-prod'],
      ['gpt-4o-mini', 'mini-east'],
      ['other-deployment', 'other-deployment'],
    ]) {
      fake.enqueue({ text: 'ok' });
      await mapped.completeRequest(ask(model));
      const request = fake.requests.at(-1)!;
      expect(request.url.pathname).toBe(`/openai/deployments/${deployment}/chat/completions`);
      expect(request.url.searchParams.get('api-version')).toBe('2025-01-01-preview');
    }
  });

  it('authenticates with an Entra token from a provider function, asked per request', async () => {
    let calls = 0;
    const entra = createAzureAdapter({ endpoint: `${fake.url}/`, deployment: 'gpt-4o-prod', azureAdToken: async () => (calls++, adToken) });
    fake.enqueue({ text: 'one' }, { text: 'two' });
    await collect(entra.stream(ask('')));
    expect((await entra.completeRequest(ask(''))).content).toBe('two');
    expect(calls).toBe(2);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${adToken}`);
    expect(fake.requests.at(-1)!.headers['api-key']).toBeUndefined();
  });

  it('429 with Azure headers and string error code is retryable with retryAfterMs', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after': '6', 'retry-after-ms': '5500', 'apim-request-id': 'apim-429' } } });
    const error = await failure(adapter().stream(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.rateLimited, isRetryable: true, retryAfterMs: 5500, providerCode: '429', requestId: 'apim-429' });
  });

  it('prompt filtering (400 content_filter) is a non-retryable bad request', async () => {
    const body = { error: { code: 'content_filter', message: 'The response was filtered', innererror: { code: 'ResponsibleAIPolicyViolation' } } };
    fake.enqueue({ fault: { type: 'status', status: 400, body } });
    const error = await failure(adapter().completeRequest(ask()));
    expect(error).toMatchObject({ code: LlmErrorCode.badRequest, isRetryable: false, providerCode: 'content_filter' });
  });

  it('5xx, drops, stalls and malformed frames are typed', async () => {
    fake.enqueue({ fault: { type: 'status', status: 500 } });
    expect(await failure(adapter().stream(ask()))).toMatchObject({ code: LlmErrorCode.server, isRetryable: true });
    fake.enqueue({ text: 'cut here please', chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: 3 } });
    expect(await failure(adapter().stream(ask()))).toMatchObject({ code: LlmErrorCode.streamInterrupted, isRetryable: true });
    fake.enqueue({ text: 'stall', fault: { type: 'stall', afterChunks: 2 } });
    expect(await failure(adapter().stream(ask()))).toMatchObject({ code: LlmErrorCode.timeout, isRetryable: true });
    fake.enqueue({ text: 'garbage', fault: { type: 'malformed', afterChunks: 1 } });
    expect((await failure(adapter().stream(ask()))).code).toBe(LlmErrorCode.malformedResponse);
  });

  it('an abort cancels the stream', async () => {
    fake.enqueue({ text: 'y'.repeat(300), chunkDelayMs: 20 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    expect((await failure(adapter().stream(ask(), { signal: controller.signal }))).code).toBe(LlmErrorCode.aborted);
  });

  it('never leaks the key or the Entra token into errors', async () => {
    const wrongKey = 'azure-wrong-key-abcdef123456';
    const keyError = await failure(createAzureAdapter({ endpoint: fake.url, apiKey: wrongKey, deployment: 'd' }).stream(ask('')));
    const wrongToken = 'entra-wrong-token-zyx987';
    const tokenError = await failure(createAzureAdapter({ endpoint: fake.url, azureAdToken: () => wrongToken, deployment: 'd' }).completeRequest(ask('')));
    for (const [error, secret] of [
      [keyError, wrongKey],
      [tokenError, wrongToken],
    ] as const) {
      expect(error).toMatchObject({ code: LlmErrorCode.authentication, status: 401 });
      expect(error.message).toContain('[redacted]');
      expect(`${error.message}${error.stack}${JSON.stringify(error)}`).not.toContain(secret);
    }
  });
});

describe('azure configuration', () => {
  it('reads the conventional environment variables', () => {
    expect(azureConfigFromEnv({ AZURE_OPENAI_API_KEY: 'k' })).toBeUndefined();
    expect(azureConfigFromEnv({ AZURE_OPENAI_ENDPOINT: 'https://r.example.test' })).toBeUndefined();
    expect(
      azureConfigFromEnv({
        AZURE_OPENAI_API_KEY: 'k',
        AZURE_OPENAI_ENDPOINT: 'https://r.example.test',
        AZURE_OPENAI_DEPLOYMENT_NAME: 'dep',
        AZURE_OPENAI_API_VERSION: '2024-12-01-preview',
      }),
    ).toEqual({ apiKey: 'k', endpoint: 'https://r.example.test', deployment: 'dep', apiVersion: '2024-12-01-preview' });
  });

  it('refuses incomplete or contradictory settings', () => {
    const notConfigured = expect.objectContaining({ code: LlmErrorCode.notConfigured });
    expect(() => createAzureAdapter({ apiKey: 'k' })).toThrow(notConfigured);
    expect(() => createAzureAdapter({ endpoint: 'https://r.example.test' })).toThrow(notConfigured);
    expect(() => createAzureAdapter({ endpoint: 'https://r.example.test', apiKey: 'k', azureAdToken: 't' })).toThrow(notConfigured);
  });

  it('fails a call that names no deployment', async () => {
    const error = await failure(createAzureAdapter({ endpoint: fake.url, apiKey }).stream(ask('')));
    expect(error.code).toBe(LlmErrorCode.notConfigured);
  });
});

describe('azure fixtures', () => {
  it('azure-model-router.1.chunks.txt: first chunk with choices [] and prompt_filter_results', async () => {
    const events = await parse(reframeChunks(readFixture('azure/azure-model-router.1.chunks.txt')));
    expect(textOf(events)).toBe('Capital of Denmark.');
    expect(ofType(events, 'usage')[0].usage).toMatchObject({ inputTokens: 15, outputTokens: 78, reasoningTokens: 64, totalTokens: 93 });
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'stop' });
  });

  it('a content_filter finish is normalised to content-filter', async () => {
    const original = readFixture('azure/azure-model-router.1.chunks.txt');
    const filtered = original.replace('"finish_reason":"stop"', '"finish_reason":"content_filter"');
    expect(filtered).not.toBe(original);
    const events = await parse(reframeChunks(filtered));
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'content-filter', rawReason: 'content_filter' });
  });

  it('cassette-azure-chat-basic.yaml: the recorded deployment URL and body', async () => {
    const interaction = parseYaml(readFixture('azure/cassette-azure-chat-basic.yaml')).interactions[0];
    const recordedUrl = new URL(interaction.request.url);
    const apiVersion = interaction.request.form['api-version'][0];
    fake.enqueue({ text: 'ok' });
    await createAzureAdapter({ endpoint: fake.url, apiKey, deployment: 'gpt-5-nano', apiVersion }).completeRequest({
      model: '',
      messages: [{ role: 'user', content: 'Hello!' }],
    });
    const sent = fake.requests.at(-1)!;
    expect(sent.url.pathname).toBe(recordedUrl.pathname);
    expect(sent.url.searchParams.get('api-version')).toBe(apiVersion);
    expect(sent.body.messages).toEqual(JSON.parse(interaction.request.body).messages);
    expect(sent.body.model).toBe(JSON.parse(interaction.request.body).model);
    const response = chatCompletionResponse('azure', 'gpt-5-nano', JSON.parse(interaction.response.body));
    expect(response.content.startsWith('Hi there! How can I help today?')).toBe(true);
    expect(response).toMatchObject({ finishReason: 'stop', toolCalls: [] });
    expect(response.usage).toMatchObject({ inputTokens: 8, outputTokens: 271, reasoningTokens: 192, totalTokens: 279 });
  });
});
