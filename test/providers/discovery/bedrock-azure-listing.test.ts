/**
 * Discovery with probing lists Bedrock's and Azure's models through their own endpoints, found
 * from the environment variables the AWS SDKs and Azure tools read; secrets never show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverProviders, type DiscoveredProvider } from '../../../providers/discovery.js';
import { closePools } from '../../../providers/http.js';
import { startBedrockFake } from '../../fakes/bedrock-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';

const aws = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const region = 'us-west-2';
const azureKey = 'azure-discovery-key-1a2b3c4d';

let bedrock: FakeServer;
let azure: FakeServer;
beforeAll(async () => {
  bedrock = await startBedrockFake({ credentials: aws, region });
  azure = await startOpenAiFake({ flavor: 'azure', apiKey: azureKey, models: ['gpt-4o'] });
});
afterAll(async () => {
  await closePools();
  await bedrock.close();
  await azure.close();
});

const byId = (providers: DiscoveredProvider[], id: string): DiscoveredProvider => providers.find((provider) => provider.id === id)!;
const awsEnv = { AWS_ACCESS_KEY_ID: aws.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.secretAccessKey, AWS_REGION: region };

describe('probing keyed providers: bedrock and azure', () => {
  it('bedrock lists on-demand text models from the control plane named by AWS_ENDPOINT_URL_BEDROCK', async () => {
    const { providers, toJSON } = await discoverProviders(
      { ...awsEnv, AWS_ENDPOINT_URL_BEDROCK: bedrock.url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9' },
      { probe: true, probeTimeoutMs: 300, listModelsTimeoutMs: 2000 },
    );
    expect(byId(providers, 'bedrock')).toMatchObject({
      configured: true,
      reachable: true,
      models: ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.nova-lite-v1:0', 'meta.llama3-8b-instruct-v1:0'],
    });
    expect(bedrock.requests.at(-1)!.url.pathname).toBe('/foundation-models');
    expect(JSON.stringify(toJSON())).not.toContain(aws.secretAccessKey);
  });

  it('bedrock with a wrong secret is reported unreachable with the service error, secret scrubbed', async () => {
    const { providers } = await discoverProviders(
      { ...awsEnv, AWS_SECRET_ACCESS_KEY: 'definitely-wrong-secret', AWS_ENDPOINT_URL: bedrock.url },
      { probe: true, probeTimeoutMs: 300, listModelsTimeoutMs: 2000 },
    );
    const found = byId(providers, 'bedrock');
    expect(found).toMatchObject({ configured: true, reachable: false });
    expect(found.error).toContain('signature');
    expect(JSON.stringify(found)).not.toContain('definitely-wrong-secret');
  });

  it('azure is reachable and lists its configured deployment, not the base models', async () => {
    const { providers, registry } = await discoverProviders(
      { AZURE_OPENAI_API_KEY: azureKey, AZURE_OPENAI_ENDPOINT: azure.url, AZURE_OPENAI_DEPLOYMENT_NAME: 'chat-prod' },
      { probe: true, probeTimeoutMs: 300, listModelsTimeoutMs: 2000 },
    );
    expect(byId(providers, 'azure')).toMatchObject({ configured: true, reachable: true, models: ['chat-prod'], defaultModel: 'chat-prod' });
    expect(registry.resolveModel(undefined, 'chat-prod').provider).toBe('azure');
    expect(azure.requests.at(-1)!.url.pathname).toBe('/openai/models');
    expect(JSON.stringify(providers)).not.toContain(azureKey);
  });
});
