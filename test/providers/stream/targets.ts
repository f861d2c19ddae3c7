/**
 * All seven adapters, each against its own fake server, for suites that must hold for every
 * provider (the stream contract, recovery on every protocol family).
 */
import { createAnthropicAdapter } from '../../../providers/adapters/anthropic.js';
import { createAzureAdapter } from '../../../providers/adapters/azure.js';
import { createBedrockAdapter } from '../../../providers/adapters/bedrock.js';
import { createGeminiAdapter } from '../../../providers/adapters/gemini.js';
import { createOllamaAdapter } from '../../../providers/adapters/ollama.js';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import { createShimmyAdapter } from '../../../providers/adapters/shimmy.js';
import { afterAll, beforeAll } from 'vitest';
import { closePools } from '../../../providers/http.js';
import type { ProviderAdapter } from '../../../providers/types.js';
import { startAnthropicFake } from '../../fakes/anthropic-fake.js';
import { startBedrockFake } from '../../fakes/bedrock-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';
import { startGeminiFake } from '../../fakes/gemini-fake.js';
import { startOllamaFake } from '../../fakes/ollama-fake.js';
import { startOpenAiFake } from '../../fakes/openai-fake.js';

/** The wire protocol a target speaks. */
export type ProtocolFamily = 'openai-sse' | 'anthropic-sse' | 'gemini-sse' | 'ollama-ndjson' | 'bedrock-event-stream';

/** One adapter with its fake. */
export interface StreamTarget {
  provider: string;
  family: ProtocolFamily;
  model: string;
  fake: FakeServer;
  adapter: ProviderAdapter;
}

const apiKey = 'sk-stream-contract-0123456789';
const awsCredentials = { accessKeyId: 'AKIDSTREAMTEST', secretAccessKey: 'stream/Secret+Key/0123456789', sessionToken: 'Stream/Session+Token==' };
const region = 'us-east-1';

/** Starts every fake and builds its adapter. */
export async function startStreamTargets(): Promise<StreamTarget[]> {
  const [openai, azure, shimmy, anthropic, gemini, ollama, bedrock] = await Promise.all([
    startOpenAiFake({ apiKey }),
    startOpenAiFake({ flavor: 'azure', apiKey }),
    startOpenAiFake({ flavor: 'shimmy' }),
    startAnthropicFake(),
    startGeminiFake(),
    startOllamaFake(),
    startBedrockFake({ credentials: awsCredentials, region }),
  ]);
  return [
    { provider: 'openai', family: 'openai-sse', model: 'gpt-4o-mini', fake: openai, adapter: createOpenAIAdapter({ apiKey, baseUrl: `${openai.url}/v1` }) },
    {
      provider: 'azure',
      family: 'openai-sse',
      model: 'gpt-4o',
      fake: azure,
      adapter: createAzureAdapter({ endpoint: azure.url, apiKey, deployment: 'gpt-4o-prod', model: 'gpt-4o' }),
    },
    { provider: 'shimmy', family: 'openai-sse', model: 'phi-3-mini', fake: shimmy, adapter: createShimmyAdapter({ baseUrl: shimmy.url }) },
    { provider: 'anthropic', family: 'anthropic-sse', model: 'claude-sonnet-4-5', fake: anthropic, adapter: createAnthropicAdapter({ apiKey, baseUrl: anthropic.url }) },
    { provider: 'gemini', family: 'gemini-sse', model: 'gemini-2.5-flash', fake: gemini, adapter: createGeminiAdapter({ apiKey, baseUrl: gemini.url }) },
    { provider: 'ollama', family: 'ollama-ndjson', model: 'llama3.2:latest', fake: ollama, adapter: createOllamaAdapter({ baseUrl: ollama.url }) },
    {
      provider: 'bedrock',
      family: 'bedrock-event-stream',
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      fake: bedrock,
      adapter: createBedrockAdapter({ ...awsCredentials, region, endpoint: bedrock.url }),
    },
  ];
}

/** Closes every fake. */
export async function stopStreamTargets(targets: StreamTarget[]): Promise<void> {
  await Promise.all(targets.map((target) => target.fake.close()));
}

/**
 * Starts every target before the suite and stops them (and the connection pools) after it;
 * returns the lookup of a started target by provider.
 */
export function useStreamTargets(): (provider: string) => StreamTarget {
  let targets: StreamTarget[] = [];
  beforeAll(async () => {
    targets = await startStreamTargets();
  });
  afterAll(async () => {
    await closePools();
    await stopStreamTargets(targets);
  });
  return (provider) => targets.find((candidate) => candidate.provider === provider)!;
}
