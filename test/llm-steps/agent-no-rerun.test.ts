/**
 * Retries are per model call now: when an agent's later model call fails for good, a step-level
 * `retry:` must not run the agent again from the start, which would repeat tool calls that already
 * had their effects. The mission's own llm: block configures the layer (through createLlmService).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { ProviderRegistry } from '../../providers/discovery.js';
import { closePools } from '../../providers/http.js';
import { parseMission } from '../../engine/mission/load.js';
import { createLlmService } from '../../engine/steps/llm/create-llm-service.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { runYaml } from '../run/harness.js';

const apiKey = 'sk-no-rerun-0123456789';
let fake: FakeServer;
let registry: ProviderRegistry;
beforeAll(async () => {
  fake = await startOpenAiFake({ apiKey });
  registry = new ProviderRegistry().register('openai', createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` }));
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

const mission = `
version: "1.0"
name: no-rerun
llm:
  retry: { max_attempts: 2, initial_delay_ms: 1, max_delay_ms: 5 }
steps:
  - id: writer
    step_type: agent
    retry: { max_attempts: 3, initial_delay_ms: 1, jitter: 0 }
    parameters:
      provider: openai
      model: gpt-4o-mini
      objective: "Append a line to log.txt, then report."
      tools: [create_file]
`;

describe('agent and step retries', () => {
  it('does not re-run the agent (and its tool calls) when a model call after a tool call fails', async () => {
    fake.requests.length = 0;
    fake.enqueue(
      { toolCalls: [{ id: 'call_1', name: 'create_file', arguments: { path: 'log.txt', content: 'written once\n' } }] },
      // The next model call fails on both of its attempts (llm.retry.max_attempts: 2).
      { fault: { type: 'status', status: 500 } },
      { fault: { type: 'status', status: 500 } },
    );
    const loaded = parseMission(mission, 'no-rerun.yaml');
    const services = { llm: createLlmService({ providers: registry, mission: loaded.mission }) };
    const { result, store, workspace } = await runYaml(mission, { services });
    expect(result.steps.writer.status).toBe('failed');
    expect(result.steps.writer.attempts).toBe(1);
    expect(result.steps.writer.error).toMatchObject({ code: 'LLM_ERR_SERVER' });
    expect(result.steps.writer.error!.message).toContain('not retried as a whole step: 1 tool call(s) already ran');
    expect(fake.requests).toHaveLength(3);
    expect(readFileSync(path.join(workspace, 'log.txt'), 'utf8')).toBe('written once\n');
    const events = store.events(result.runId);
    expect(events.filter((event) => event.type === 'tool-call')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'llm-retry')).toHaveLength(1);
  });

  it('still retries the whole step when the first model call fails, before any tool ran', async () => {
    fake.requests.length = 0;
    fake.enqueue({ fault: { type: 'status', status: 500 } }, { fault: { type: 'status', status: 500 } }, { text: 'Nothing to do.' });
    const loaded = parseMission(mission, 'no-rerun.yaml');
    const services = { llm: createLlmService({ providers: registry, mission: loaded.mission }) };
    const { result } = await runYaml(mission, { services });
    expect(result.steps.writer).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});
