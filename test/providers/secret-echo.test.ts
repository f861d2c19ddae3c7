import { afterAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../providers/adapters/anthropic.js';
import { createAzureAdapter } from '../../providers/adapters/azure.js';
import { createGeminiAdapter } from '../../providers/adapters/gemini.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { closePools } from '../../providers/http.js';
import { complete } from '../../providers/observable.js';
import { startAnthropicFake } from '../fakes/anthropic-fake.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startGeminiFake } from '../fakes/gemini-fake.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';

afterAll(() => closePools());

/** A server that echoes the key it was sent must not get it into our error messages. */
describe('keys echoed back by a provider are scrubbed from errors', () => {
  const key = 'sk-echoed-secret-0123456789';
  const echo = { type: 'status' as const, status: 401, body: { error: { type: 'authentication_error', message: `invalid key ${key}` } } };

  it('anthropic', async () => {
    const fake = await startAnthropicFake();
    try {
      fake.enqueue({ fault: echo }, { fault: echo });
      const adapter = createAnthropicAdapter({ apiKey: key, baseUrl: fake.url });
      const request = { model: 'claude-sonnet-4-5', messages: [{ role: 'user' as const, content: 'hi' }] };
      const streamed = await complete(adapter.stream(request)).catch((error: Error) => error);
      const whole = await adapter.completeRequest(request).catch((error: Error) => error);
      for (const error of [streamed, whole]) {
        expect(error).toMatchObject({ code: 'LLM_ERR_AUTHENTICATION' });
        expect((error as Error).message).toContain('[redacted]');
        expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(key);
      }
    } finally {
      await fake.close();
    }
  });

  it('gemini', async () => {
    const fake = await startGeminiFake();
    try {
      fake.enqueue({ fault: { type: 'status', status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: `API key not valid: ${key}` } } } });
      const adapter = createGeminiAdapter({ apiKey: key, baseUrl: fake.url });
      const error = await complete(adapter.stream({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] })).catch((caught: Error) => caught);
      // Google says "API key not valid" with a 400: an authentication error, whatever the status.
      expect(error).toMatchObject({ code: 'LLM_ERR_AUTHENTICATION' });
      expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(key);
    } finally {
      await fake.close();
    }
  });
});

/** Extra headers (an AI gateway's own key, say) are credentials too, and a gateway may echo them. */
describe('credential values in configured extra headers are scrubbed from errors', () => {
  const gatewayKey = 'gw-echoed-secret-13579';
  const headers = { 'cf-aig-authorization': `Bearer ${gatewayKey}`, 'x-trace': 'visible' };
  const request = { model: 'some-model', messages: [{ role: 'user' as const, content: 'hi' }] };
  const cases: [string, () => Promise<FakeServer>, (url: string) => { stream: (r: typeof request) => any }][] = [
    ['openai', () => startOpenAiFake(), (url) => createOpenAIAdapter({ apiKey: 'sk-real', baseUrl: `${url}/v1`, headers })],
    ['azure', () => startOpenAiFake({ flavor: 'azure' }), (url) => createAzureAdapter({ endpoint: url, apiKey: 'azure-real', deployment: 'd', headers })],
    ['anthropic', () => startAnthropicFake(), (url) => createAnthropicAdapter({ apiKey: 'sk-ant-real', baseUrl: url, headers })],
    ['gemini', () => startGeminiFake(), (url) => createGeminiAdapter({ apiKey: 'gemini-real', baseUrl: url, headers })],
  ];

  it.each(cases)('%s', async (_name, start, create) => {
    const fake = await start();
    try {
      fake.enqueue({ fault: { type: 'status', status: 401, body: { error: { type: 'authentication_error', message: `gateway refused Bearer ${gatewayKey}` } } } });
      const error = await complete(create(fake.url).stream(request)).catch((caught: Error) => caught);
      expect(error).toMatchObject({ code: 'LLM_ERR_AUTHENTICATION' });
      expect((error as Error).message).toContain('[redacted]');
      expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(gatewayKey);
    } finally {
      await fake.close();
    }
  });
});
