/**
 * The "done when", end to end through a mission run with no safety configuration: a prompt
 * carrying a customer's card number leaves the machine redacted, and the intervention is in the
 * run's audit trail (rule and action, never the number).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmService } from '../../engine/steps/llm/create-llm-service.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { ProviderRegistry } from '../../providers/discovery.js';
import { closePools } from '../../providers/http.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { runYaml } from '../run/harness.js';

const apiKey = 'sk-test-mission-redaction-0123456789';
const card = '4111 1111 1111 1111';
let fake: FakeServer;

beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

describe('a mission with no safety block', () => {
  it("sends a customer's card number redacted and audits the intervention", async () => {
    const providers = new ProviderRegistry().register('openai', createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` }));
    const services = { llm: createLlmService({ providers }) };
    const { result, store } = await runYaml(
      `
version: "1.0"
name: refund
steps:
  - id: ask
    step_type: llm
    parameters: { provider: openai, model: gpt-4o-mini, prompt: "Refund the customer whose card is ${card}." }
`,
      { services },
    );
    services.llm.close?.();
    expect(result.status).toBe('succeeded');
    expect(fake.requests).toHaveLength(1);
    const sent = JSON.stringify(fake.requests[0].body.messages);
    expect(sent).not.toContain(card);
    expect(sent).toContain('[REDACTED:pii.card]');
    const interventions = store.events(result.runId).filter((event) => event.type === 'safety-intervention');
    expect(interventions).toEqual([expect.objectContaining({ stepId: 'ask', data: expect.objectContaining({ rule: 'pii.card', action: 'redact', where: 'input' }) })]);
    expect(JSON.stringify(store.events(result.runId))).not.toContain(card.replace(/ /g, ''));
  });
});
