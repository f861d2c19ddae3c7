/**
 * The `llm-response` audit row keeps what the provider said about the call: its request id, the
 * model that actually served it (an alias resolves to a dated id) and its raw usage object; the
 * step's output names the served model too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../providers/adapters/anthropic.js';
import { ProviderRegistry } from '../../providers/discovery.js';
import { closePools } from '../../providers/http.js';
import { llmServiceFromProviders } from '../../engine/steps/llm/create-llm-service.js';
import { startAnthropicFake } from '../fakes/anthropic-fake.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { runYaml } from '../run/harness.js';

let fake: FakeServer;
beforeAll(async () => {
  fake = await startAnthropicFake();
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

describe('llm-response audit row', () => {
  it('keeps the request id, the served model and the raw usage', async () => {
    fake.enqueue({ text: 'Bonjour.', servedModel: 'claude-3-5-haiku-20241022', usage: { inputTokens: 11, outputTokens: 3 } });
    const registry = new ProviderRegistry().register('anthropic', createAnthropicAdapter({ apiKey: 'sk-ant-audit-0123456789', baseUrl: fake.url }));
    const { result, store } = await runYaml(
      'version: "1.0"\nname: audit\nsteps:\n  - { id: ask, step_type: llm, parameters: { provider: anthropic, model: claude-3-5-haiku-latest, prompt: "Say hello in French" } }\n',
      { services: { llm: llmServiceFromProviders(registry) } },
    );
    expect(result.steps.ask.output).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku-20241022' });
    const response = store.events(result.runId).find((event) => event.type === 'llm-response')!;
    expect(response.data).toMatchObject({
      provider: 'anthropic',
      model: 'claude-3-5-haiku-20241022',
      requestId: expect.stringMatching(/\S/),
      generationId: expect.any(String),
      usage: { inputTokens: 11, outputTokens: 3, raw: { input_tokens: 11, output_tokens: 3 } },
    });
    // The request row says what was asked for.
    expect(store.events(result.runId).find((event) => event.type === 'llm-request')!.data).toMatchObject({ model: 'claude-3-5-haiku-latest' });
  });
});
