/**
 * An agent whose final answer is empty — no text and no tool call — fails with
 * MISSION_ERR_EMPTY_ANSWER (issue 7), unless the step sets `allow_empty_answer: true`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { ProviderRegistry } from '../../providers/discovery.js';
import { closePools } from '../../providers/http.js';
import { llmServiceFromProviders } from '../../engine/steps/llm/create-llm-service.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { runYaml } from '../run/harness.js';

const apiKey = 'sk-test-empty-answer-key';
let fake: FakeServer;
let services: { llm: ReturnType<typeof llmServiceFromProviders> };

beforeAll(async () => {
  fake = await startOpenAiFake();
  services = { llm: llmServiceFromProviders(new ProviderRegistry().register('openai', createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` }))) };
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

const agentMission = (extra: string) => `
version: "1.0"
name: quiet-agent
steps:
  - id: think
    step_type: agent
    parameters: { objective: "Say something", provider: openai, model: gpt-4o-mini, tools: [], stream: false${extra} }
`;

describe('an empty final answer', () => {
  it('fails the agent step with MISSION_ERR_EMPTY_ANSWER', async () => {
    fake.enqueue({ text: '' });
    const { result } = await runYaml(agentMission(''), { services });
    expect(result.status).toBe('failed');
    expect(result.steps.think).toMatchObject({ status: 'failed', error: { code: 'MISSION_ERR_EMPTY_ANSWER' } });
    expect(result.steps.think.error!.message).toContain('allow_empty_answer: true');
  });

  it('also when the answer is only whitespace', async () => {
    fake.enqueue({ text: ' \n\t ' });
    const { result } = await runYaml(agentMission(''), { services });
    expect(result.steps.think.error?.code).toBe('MISSION_ERR_EMPTY_ANSWER');
  });

  it('is accepted with allow_empty_answer: true', async () => {
    fake.enqueue({ text: '' });
    const { result } = await runYaml(agentMission(', allow_empty_answer: true'), { services });
    expect(result.steps.think).toMatchObject({ status: 'succeeded', output: { response: '' } });
  });

  it('is retried under a retry policy, since a model may answer the second time', async () => {
    fake.enqueue({ text: '' }, { text: 'Something.' });
    const { result } = await runYaml(`${agentMission('')}    retry: { max_attempts: 2, initial_delay_ms: 1, jitter: 0 }\n`, { services });
    expect(result.steps.think).toMatchObject({ status: 'succeeded', attempts: 2, output: { response: 'Something.' } });
  });
});
