/**
 * The engine's LLM service wires the rate limiter built from llm.limits into every call: parallel
 * steps over a concurrency of 1 run one at a time, and the limits a response announces are learned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { ProviderRegistry } from '../../providers/discovery.js';
import { closePools } from '../../providers/http.js';
import { parseMission } from '../../engine/mission/load.js';
import { createLlmService } from '../../engine/steps/llm/create-llm-service.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { runYaml } from '../run/harness.js';

const apiKey = 'sk-limits-0123456789';
let fake: FakeServer;
beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

const mission = `
version: "1.0"
name: limited
llm:
  limits:
    openai/gpt-4o-mini: { concurrency: 1 }
steps:
  - { id: one, step_type: llm, parameters: { provider: openai, model: gpt-4o-mini, prompt: "one" } }
  - { id: two, step_type: llm, parameters: { provider: openai, model: gpt-4o-mini, prompt: "two" } }
  - { id: three, step_type: llm, parameters: { provider: openai, model: gpt-4o-mini, prompt: "three" } }
`;

describe('limits through the engine', () => {
  it('holds parallel steps to the configured concurrency and learns the announced limits', async () => {
    const headers = { 'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '497', 'x-ratelimit-reset-requests': '360ms' };
    // Slow answers: without the limiter the three steps would overlap at the fake.
    fake.resetPeak();
    fake.enqueue(...[1, 2, 3].map(() => ({ text: 'a fairly long answer to stream slowly', chunkDelayMs: 15, headers })));
    const registry = new ProviderRegistry().register('openai', createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` }));
    const llm = createLlmService({ providers: registry, mission: parseMission(mission, 'limited.yaml').mission });
    const { result } = await runYaml(mission, { services: { llm } });
    expect(result.status).toBe('succeeded');
    const snapshot = llm.health!().rateLimits!['openai/gpt-4o-mini'] as Record<string, any>;
    expect(snapshot).toMatchObject({ limits: { concurrency: 1, rpm: 500 }, inFlight: 0, queued: 0, lastSeen: { remainingRequests: 497, resetRequestsMs: 360 } });
    // One at a time at the provider.
    expect(fake.peakInFlight).toBe(1);
    llm.close!();
  });

  it('lets the same steps overlap without the limit (the check above can fail)', async () => {
    fake.resetPeak();
    fake.enqueue(...[1, 2, 3].map(() => ({ text: 'a fairly long answer to stream slowly', chunkDelayMs: 15 })));
    const registry = new ProviderRegistry().register('openai', createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` }));
    const unlimited = mission.replace(/llm:\n  limits:\n.*\n/, '');
    const llm = createLlmService({ providers: registry, mission: parseMission(unlimited, 'unlimited.yaml').mission });
    const { result } = await runYaml(unlimited, { services: { llm } });
    expect(result.status).toBe('succeeded');
    expect(fake.peakInFlight).toBeGreaterThan(1);
    llm.close!();
  });
});
