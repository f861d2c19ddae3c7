/**
 * Azure's model list: the data-plane `GET {endpoint}/openai/models?api-version=…` proves the
 * endpoint and credentials, but lists base models, not deployments; the adapter answers with the
 * configured deployment names (and the models they serve), which are what a call can name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureDefaultApiVersion, configuredModelNames, createAzureAdapter } from '../../../providers/adapters/azure.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startFakeServer } from '../../fakes/fake-server.js';
import { createOpenAiRenderer, startOpenAiFake } from '../../fakes/openai-fake.js';

const apiKey = 'azure-list-key-91b2c3d4';
const adToken = 'entra-list-token-5e6f7a8b';
let fake: FakeServer;

beforeAll(async () => {
  fake = await startOpenAiFake({ flavor: 'azure', apiKey, adToken, models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'] });
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

describe('azure listModels against the fake', () => {
  it('asks the data-plane model list with the api-version and api-key, then names the configured deployment', async () => {
    const models = await createAzureAdapter({ endpoint: fake.url, apiKey, deployment: 'gpt-4o-prod' }).listModels!();
    expect(models).toEqual(['gpt-4o-prod']);
    const request = fake.requests.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.url.pathname).toBe('/openai/models');
    expect(request.url.searchParams.get('api-version')).toBe(azureDefaultApiVersion);
    expect(request.headers['api-key']).toBe(apiKey);
  });

  it('lists the default deployment, its model and every mapped deployment, without duplicates', async () => {
    const adapter = createAzureAdapter({
      endpoint: fake.url,
      apiKey,
      apiVersion: '2025-04-01-preview',
      deployment: 'gpt-4o-prod',
      model: 'gpt-4o',
      deployments: { 'gpt-4o': 'gpt-4o-prod', 'gpt-4o-mini': 'mini-eu' },
    });
    expect(await adapter.listModels!()).toEqual(['gpt-4o-prod', 'gpt-4o', 'mini-eu', 'gpt-4o-mini']);
    expect(fake.requests.at(-1)!.url.searchParams.get('api-version')).toBe('2025-04-01-preview');
  });

  it('without a configured deployment: reachable, but no base model is passed off as callable', async () => {
    const before = fake.requests.length;
    expect(await createAzureAdapter({ endpoint: fake.url, apiKey }).listModels!()).toEqual([]);
    expect(fake.requests.length).toBe(before + 1);
  });

  it('authenticates with an Entra token; a refused key is a typed error that never shows the key', async () => {
    await expect(createAzureAdapter({ endpoint: fake.url, azureAdToken: async () => adToken, deployment: 'd' }).listModels!()).resolves.toEqual(['d']);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${adToken}`);

    const wrongKey = 'azure-wrong-key-00112233';
    const error = await createAzureAdapter({ endpoint: fake.url, apiKey: wrongKey, deployment: 'd' })
      .listModels!()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: LlmErrorCode.authentication, status: 401 });
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(wrongKey);
  });

  it('a list without data is a malformed response', async () => {
    const broken = await startFakeServer({
      ...createOpenAiRenderer({ flavor: 'azure' }),
      route: () => ({ kind: 'json', body: { value: [] } }),
    });
    try {
      await expect(createAzureAdapter({ endpoint: broken.url, apiKey, deployment: 'd' }).listModels!()).rejects.toMatchObject({
        code: LlmErrorCode.malformedResponse,
      });
    } finally {
      await broken.close();
    }
  });
});

describe('configuredModelNames', () => {
  it('drops the model alias when no default deployment serves it', () => {
    expect(configuredModelNames({ model: 'gpt-4o' })).toEqual([]);
    expect(configuredModelNames({ deployments: { 'gpt-4o': 'prod' } })).toEqual(['prod', 'gpt-4o']);
  });
});
