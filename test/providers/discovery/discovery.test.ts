/**
 * Provider discovery: registration from (fake) environments, probes of local servers against
 * fakes, deadlines on dead ports, not-configured messages, default provider/model choice, and the
 * guarantee that no key value leaves discovery in any output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complete } from '../../../providers/observable.js';
import { closePools } from '../../../providers/http.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { ProviderRegistry, defaultModels, discoverProviders, requiredEnvFor, type DiscoveredProvider } from '../../../providers/discovery.js';
import type { ProviderAdapter } from '../../../providers/types.js';
import { startOllamaFake, type OllamaFake } from '../../fakes/ollama-fake.js';
import { closedPort, startBlackHole, startModelListServer, type HelperServer } from './helpers.js';

const openAiKey = 'sk-test-openai-0123456789abcdef';
const anthropicKey = 'sk-ant-test-fedcba9876543210';
const azureKey = 'azure-test-key-5555aaaa';

function byId(providers: DiscoveredProvider[], id: string): DiscoveredProvider {
  const found = providers.find((provider) => provider.id === id);
  if (!found) throw new Error(`no entry for ${id}`);
  return found;
}

function caught(run: () => unknown): LlmError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return error as LlmError;
  }
  throw new Error('expected a throw');
}

afterAll(() => closePools());

describe('registration from the environment (no probing, no network)', () => {
  it('registers keyed providers whose variables are set and reports what the others miss', async () => {
    const { providers, registry } = await discoverProviders({ OPENAI_API_KEY: openAiKey, ANTHROPIC_API_KEY: anthropicKey, AZURE_OPENAI_API_KEY: azureKey });
    expect(byId(providers, 'openai')).toMatchObject({ configured: true, source: 'env', defaultModel: defaultModels.openai });
    expect(byId(providers, 'anthropic')).toMatchObject({ configured: true, source: 'env' });
    expect(byId(providers, 'openai').adapter?.id).toBe('openai');
    expect(byId(providers, 'openai').reachable).toBeUndefined();
    expect(byId(providers, 'azure')).toMatchObject({ configured: false, missing: ['AZURE_OPENAI_ENDPOINT'] });
    expect(byId(providers, 'ollama')).toMatchObject({ configured: false, missing: ['OLLAMA_HOST'] });
    expect(registry.ids()).toEqual(['openai', 'anthropic']);
    expect(registry.get('anthropic').id).toBe('anthropic');
  });

  it('blank variables do not count as set', async () => {
    const { registry, providers } = await discoverProviders({ OPENAI_API_KEY: '   ', ANTHROPIC_API_KEY: '' });
    expect(registry.ids()).toEqual([]);
    expect(byId(providers, 'openai').missing).toEqual(['OPENAI_API_KEY']);
  });

  it('azure registers with key and endpoint; its deployment becomes the default model', async () => {
    const { registry } = await discoverProviders({
      AZURE_OPENAI_API_KEY: azureKey,
      AZURE_OPENAI_ENDPOINT: 'https://example-resource.example',
      AZURE_OPENAI_DEPLOYMENT_NAME: 'my-gpt4o',
      AZURE_OPENAI_API_VERSION: '2024-10-21',
    });
    expect(registry.resolveModel('azure')).toMatchObject({ provider: 'azure', model: 'my-gpt4o' });
  });

  it('an explicit OLLAMA_HOST / SHIMMY_BASE_URL registers local providers without probing', async () => {
    const { providers, registry } = await discoverProviders({ OLLAMA_HOST: '127.0.0.1:1', SHIMMY_BASE_URL: 'http://127.0.0.1:2' });
    expect(byId(providers, 'ollama')).toMatchObject({ configured: true, source: 'env' });
    expect(byId(providers, 'shimmy')).toMatchObject({ configured: true, source: 'env' });
    expect(registry.ids()).toEqual(['ollama', 'shimmy']);
  });

  it('gemini takes GEMINI_API_KEY or GOOGLE_API_KEY; bedrock needs keys and a region', async () => {
    const viaGoogle = await discoverProviders({ GOOGLE_API_KEY: 'google-test-key-77778888' });
    expect(viaGoogle.registry.ids()).toEqual(['gemini']);
    expect(viaGoogle.registry.resolveModel()).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash' });
    const partial = await discoverProviders({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
    expect(byId(partial.providers, 'bedrock')).toMatchObject({ configured: false, missing: ['AWS_REGION'] });
    expect(caught(() => partial.registry.get('bedrock')).message).toBe("provider 'bedrock' is not configured: set AWS_REGION (or AWS_DEFAULT_REGION)");
    const none = await discoverProviders({});
    expect(caught(() => none.registry.get('gemini')).message).toBe("provider 'gemini' is not configured: set GEMINI_API_KEY (or GOOGLE_API_KEY)");
    const full = await discoverProviders({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_DEFAULT_REGION: 'us-east-1' });
    expect(full.registry.resolveModel(undefined, 'anthropic.claude-3-haiku-20240307-v1:0').provider).toBe('bedrock');
    expect(JSON.stringify(full)).not.toContain('wJalrXUtnFEMI');
  });

  it('requiredEnvFor names the variables of each provider', () => {
    expect(requiredEnvFor('openai')).toEqual(['OPENAI_API_KEY']);
    expect(requiredEnvFor('anthropic')).toEqual(['ANTHROPIC_API_KEY']);
    expect(requiredEnvFor('azure')).toEqual(['AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT']);
    expect(requiredEnvFor('gemini')).toEqual(['GEMINI_API_KEY']);
    expect(requiredEnvFor('bedrock')).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']);
    expect(requiredEnvFor('ollama')).toEqual(['OLLAMA_HOST']);
    expect(caught(() => requiredEnvFor('nope')).code).toBe(LlmErrorCode.notConfigured);
  });
});

describe('the registry', () => {
  it('get() of an unconfigured provider says exactly which variable to set', async () => {
    const { registry } = await discoverProviders({});
    const error = caught(() => registry.get('anthropic'));
    expect(error.code).toBe(LlmErrorCode.notConfigured);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toBe("provider 'anthropic' is not configured: set ANTHROPIC_API_KEY");
    expect(caught(() => registry.get('openai')).message).toBe("provider 'openai' is not configured: set OPENAI_API_KEY");
    expect(caught(() => registry.get('azure')).message).toBe("provider 'azure' is not configured: set AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT");
    expect(caught(() => registry.get('ollama')).message).toContain('set OLLAMA_HOST');
    expect(caught(() => registry.get('mystery')).message).toContain("unknown provider 'mystery'");
  });

  it('names only the missing variable when part of a provider is configured', async () => {
    const { registry } = await discoverProviders({ AZURE_OPENAI_ENDPOINT: 'https://example-resource.example' });
    expect(caught(() => registry.get('azure')).message).toBe("provider 'azure' is not configured: set AZURE_OPENAI_API_KEY");
  });

  it('register() adds custom adapters after the catalog ones in ids()', async () => {
    const { registry } = await discoverProviders({ ANTHROPIC_API_KEY: anthropicKey });
    const custom: ProviderAdapter = { id: 'echo', stream: () => registry.get('anthropic').stream({ model: 'x', messages: [] }) };
    registry.register('echo', custom);
    expect(registry.ids()).toEqual(['anthropic', 'echo']);
    expect(registry.get('echo')).toBe(custom);
    expect(caught(() => registry.resolveModel('echo')).message).toBe("provider 'echo' has no default model: name one in the step's model field");
    expect(registry.resolveModel('echo', 'm1')).toMatchObject({ provider: 'echo', model: 'm1' });
  });

  it('resolveModel picks the first configured provider in order, or the one the model belongs to', async () => {
    const { registry } = await discoverProviders({ ANTHROPIC_API_KEY: anthropicKey, OPENAI_API_KEY: openAiKey });
    expect(registry.resolveModel()).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(registry.resolveModel(undefined, 'claude-3-5-haiku-latest')).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku-latest' });
    expect(registry.resolveModel('anthropic')).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(registry.resolveModel(undefined, 'some-local-model').provider).toBe('openai');
    expect(caught(() => registry.resolveModel('ollama')).code).toBe(LlmErrorCode.notConfigured);
  });

  it('resolveModel with nothing configured explains how to configure a provider', () => {
    const error = caught(() => new ProviderRegistry().resolveModel());
    expect(error.code).toBe(LlmErrorCode.notConfigured);
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
  });
});

describe('probing', () => {
  let ollama: OllamaFake;
  let shimmy: HelperServer;

  beforeAll(async () => {
    ollama = await startOllamaFake({ models: ['qwen3:8b', 'mistral:7b'] });
    shimmy = await startModelListServer(['phi3-mini', 'tinyllama']);
  });
  afterAll(async () => {
    await ollama.close();
    await shimmy.close();
  });

  it('finds Ollama (GET /api/tags) and Shimmy (GET /v1/models) and lists their models', async () => {
    const { providers, registry } = await discoverProviders({ OLLAMA_HOST: ollama.url, SHIMMY_BASE_URL: shimmy.url }, { probe: true });
    expect(byId(providers, 'ollama')).toMatchObject({ configured: true, source: 'probe', reachable: true, models: ['qwen3:8b', 'mistral:7b'] });
    expect(byId(providers, 'shimmy')).toMatchObject({ configured: true, source: 'probe', reachable: true, models: ['phi3-mini', 'tinyllama'] });
    expect(ollama.requests.at(-1)?.url.pathname).toBe('/api/tags');
    expect(shimmy.paths.at(-1)).toBe('/v1/models');
    // llama3.2 is not installed on this fake, so the first installed model is the default.
    expect(registry.resolveModel('ollama')).toMatchObject({ model: 'qwen3:8b' });
    expect(registry.resolveModel('shimmy')).toMatchObject({ model: 'phi3-mini' });
    expect(registry.resolveModel(undefined, 'tinyllama').provider).toBe('shimmy');
  });

  it('the discovered Ollama adapter really talks to the server', async () => {
    const { registry } = await discoverProviders({ OLLAMA_HOST: ollama.url }, { probe: true });
    ollama.enqueue({ text: 'hi from discovery' });
    const { adapter, model } = registry.resolveModel('ollama');
    const response = await complete(adapter.stream({ model, messages: [{ role: 'user', content: 'hello' }] }));
    expect(response.content).toBe('hi from discovery');
    expect(ollama.requests.at(-1)?.body.model).toBe('qwen3:8b');
  });

  it('probes to closed ports finish within the timeout and report unreachable', async () => {
    const env = { OLLAMA_HOST: `127.0.0.1:${await closedPort()}`, SHIMMY_BASE_URL: `http://127.0.0.1:${await closedPort()}` };
    const started = Date.now();
    const { providers } = await discoverProviders(env, { probe: true, probeTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(1000);
    for (const id of ['ollama', 'shimmy']) {
      expect(byId(providers, id)).toMatchObject({ reachable: false, source: 'env' });
      expect(byId(providers, id).error).toBeTruthy();
    }
  });

  it('a server that never answers is cut off at the probe deadline', async () => {
    const hole = await startBlackHole();
    try {
      const started = Date.now();
      const { providers } = await discoverProviders({ OLLAMA_HOST: hole.url, SHIMMY_BASE_URL: hole.url }, { probe: true, probeTimeoutMs: 150 });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(1000);
      expect(byId(providers, 'ollama')).toMatchObject({ reachable: false, error: 'no answer within 150 ms' });
      expect(hole.paths).toEqual(expect.arrayContaining(['/api/tags', '/v1/models']));
    } finally {
      await hole.close();
    }
  });

  it('an aborted signal ends every probe at once', async () => {
    const hole = await startBlackHole();
    try {
      const started = Date.now();
      const { providers } = await discoverProviders({ OLLAMA_HOST: hole.url }, { probe: true, probeTimeoutMs: 5000, signal: AbortSignal.abort() });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(byId(providers, 'ollama').reachable).toBe(false);
    } finally {
      await hole.close();
    }
  });

  it('lists keyed providers\' models concurrently and marks failures unreachable without throwing', async () => {
    const openAi = await startModelListServer(['gpt-4o-mini', 'gpt-4.1']);
    // Some servers echo the key they were sent; discovery must still never show it.
    const anthropic = await startModelListServer([], {
      status: 401,
      body: (auth) => ({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${auth}` } }),
    });
    try {
      const env = {
        OPENAI_API_KEY: openAiKey,
        OPENAI_BASE_URL: `${openAi.url}/v1`,
        ANTHROPIC_API_KEY: anthropicKey,
        ANTHROPIC_BASE_URL: anthropic.url,
        OLLAMA_HOST: `127.0.0.1:${await closedPort()}`,
      };
      const result = await discoverProviders(env, { probe: true, probeTimeoutMs: 300, listModelsTimeoutMs: 2000 });
      expect(byId(result.providers, 'openai')).toMatchObject({ configured: true, reachable: true, models: ['gpt-4o-mini', 'gpt-4.1'] });
      expect(openAi.headers.at(-1)?.authorization).toBe(`Bearer ${openAiKey}`);
      const failed = byId(result.providers, 'anthropic');
      expect(failed).toMatchObject({ configured: true, reachable: false });
      expect(failed.error).toContain('authentication_error');
      expect(anthropic.headers.at(-1)?.['x-api-key']).toBe(anthropicKey);

      // No key value anywhere in what discovery outputs.
      const outputs = [
        JSON.stringify(result),
        JSON.stringify(result.providers),
        JSON.stringify(result.registry),
        JSON.stringify(result.toJSON()),
        ...result.providers.map((provider) => `${provider.error ?? ''} ${JSON.stringify({ ...provider })}`),
      ];
      for (const output of outputs) {
        expect(output).not.toContain(openAiKey);
        expect(output).not.toContain(anthropicKey);
      }
      expect(JSON.stringify(result)).toContain('"reachable":true');
    } finally {
      await openAi.close();
      await anthropic.close();
    }
  });

  it('probeKeyed:false probes local servers but makes no call to keyed providers', async () => {
    const openAi = await startModelListServer(['gpt-4o-mini']);
    try {
      const { providers } = await discoverProviders(
        { OPENAI_API_KEY: openAiKey, OPENAI_BASE_URL: `${openAi.url}/v1`, OLLAMA_HOST: ollama.url },
        { probe: true, probeKeyed: false },
      );
      expect(openAi.paths).toEqual([]);
      expect(byId(providers, 'openai')).toMatchObject({ configured: true });
      expect(byId(providers, 'openai').reachable).toBeUndefined();
      expect(byId(providers, 'ollama')).toMatchObject({ reachable: true });
    } finally {
      await openAi.close();
    }
  });

  it('no key value appears in not-configured errors either', async () => {
    const { registry } = await discoverProviders({ AZURE_OPENAI_API_KEY: azureKey });
    const error = caught(() => registry.get('azure'));
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(azureKey);
  });
});
