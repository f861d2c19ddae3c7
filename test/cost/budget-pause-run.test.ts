/**
 * `on_exhausted: pause` in a real run: the model call that meets the exhausted budget is refused
 * before anything is sent, the run pauses (status `paused`, later steps skipped, the chain still
 * verifies), and `resume` continues it — once the budget is raised — without re-running what
 * already succeeded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeRun } from '../../engine/run/run-mission.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { createLlmService } from '../../engine/steps/llm/create-llm-service.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { ProviderRegistry } from '../../providers/discovery.js';
import { closePools } from '../../providers/http.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { runYaml } from '../run/harness.js';

const apiKey = 'sk-test-budget-pause-0123456789';
let fake: FakeServer;

beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

const mission = `
version: "1.0"
name: paused
steps:
  - id: first
    step_type: create_file
    parameters: { path: first.txt, content: "done" }
  - id: ask
    step_type: llm
    depends_on: [first]
    parameters: { provider: openai, model: gpt-4o-mini, prompt: "Say hi", max_tokens: 400 }
  - id: after
    step_type: noop
    depends_on: [ask]
`;

/** The service with a run budget of `limitUsd` that pauses when it runs out. */
function servicesWithBudget(limitUsd: number) {
  const providers = new ProviderRegistry().register('openai', createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` }));
  return { llm: createLlmService({ providers, config: { budgets: [{ scope: 'run', limit_usd: limitUsd, on_exhausted: 'pause' }] } }) };
}

describe('a budget that pauses the run', () => {
  it('pauses instead of failing, then resumes once the budget is raised', async () => {
    const registry = new StepKindRegistry(builtinStepKinds());
    const tight = servicesWithBudget(0.000_01);
    const { result, store } = await runYaml(mission, { registry, services: tight });
    tight.llm.close?.();
    expect(result.status).toBe('paused');
    expect(result.steps.first.status).toBe('succeeded');
    expect(result.steps.ask).toMatchObject({ status: 'failed', error: { code: 'LLM_ERR_BUDGET_EXHAUSTED' } });
    expect(result.steps.after).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^paused: budget .* is exhausted/) });
    expect(fake.requests).toHaveLength(0);
    expect(store.getRun(result.runId)?.status).toBe('paused');
    expect(store.verify({ runId: result.runId }).ok).toBe(true);

    const raised = servicesWithBudget(1);
    const resumed = await resumeRun(result.runId, { store, registry, services: raised });
    raised.llm.close?.();
    expect(resumed.status).toBe('succeeded');
    expect(resumed.steps.ask.status).toBe('succeeded');
    expect(fake.requests).toHaveLength(1);
    expect(store.verify({ runId: result.runId }).ok).toBe(true);
  });
});
