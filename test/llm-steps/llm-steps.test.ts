import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRegistry } from '../../providers/discovery.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { closePools } from '../../providers/http.js';
import { llmServiceFromProviders } from '../../engine/steps/llm/create-llm-service.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { startGeminiFake } from '../fakes/gemini-fake.js';
import { createGeminiAdapter } from '../../providers/adapters/gemini.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { runYaml } from '../run/harness.js';

const apiKey = 'sk-test-secret-key-123456';
let fake: FakeServer;
let services: { llm: ReturnType<typeof llmServiceFromProviders> };

beforeAll(async () => {
  fake = await startOpenAiFake();
  const registry = new ProviderRegistry().register('openai', createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` }));
  services = { llm: llmServiceFromProviders(registry) };
});
afterAll(async () => {
  await fake.close();
  await closePools();
});

describe('llm step', () => {
  it('calls the model, returns content and usage, sets {id}_response, and audits prompt and completion as payloads', async () => {
    fake.enqueue({ text: 'Paris is the capital.', usage: { inputTokens: 12, outputTokens: 5 } });
    const { result, store } = await runYaml(
      `
version: "1.0"
name: ask
steps:
  - id: ask
    step_type: llm
    parameters: { prompt: "Capital of France?", provider: openai, model: gpt-4o-mini, temperature: 0.2, max_tokens: 50 }
  - id: save
    step_type: echo
    depends_on: [ask]
    parameters: { legacy: "{ask_response}", modern: "{{ steps.ask.output.content }}" }
`,
      { services },
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps.ask.output).toMatchObject({
      content: 'Paris is the capital.',
      provider: 'openai',
      finish_reason: 'stop',
      usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
    });
    expect(result.steps.save.output).toEqual({ legacy: 'Paris is the capital.', modern: 'Paris is the capital.' });
    const sent = fake.requests.at(-1)!.body;
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, messages: [{ role: 'user', content: 'Capital of France?' }] });

    const events = store.events(result.runId);
    const request = events.find((event) => event.type === 'llm-request')!;
    const response = events.find((event) => event.type === 'llm-response')!;
    expect(request.data).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(JSON.stringify(request.data)).not.toContain('Capital of France');
    expect(store.payload(request.payloadHash!)).toMatchObject({ messages: [{ role: 'user', content: 'Capital of France?' }] });
    expect(store.payload(response.payloadHash!)).toMatchObject({ content: 'Paris is the capital.' });
    const everything = JSON.stringify(events);
    expect(everything).not.toContain(apiKey);
  });

  it('parses and validates a json_schema answer, failing a non-conforming one', async () => {
    fake.enqueue({ text: '{"city":"Paris","population":2100000}' }, { text: '{"city":42}' });
    const yaml = `
version: "1.0"
name: structured
steps:
  - id: facts
    step_type: llm
    parameters:
      prompt: "Facts as JSON"
      provider: openai
      json_schema: { type: object, required: [city], properties: { city: { type: string } } }
`;
    const good = await runYaml(yaml, { services });
    expect((good.result.steps.facts.output as { parsed: unknown }).parsed).toEqual({ city: 'Paris', population: 2100000 });
    expect(fake.requests.at(-1)!.body.response_format).toMatchObject({ type: 'json_schema' });
    const bad = await runYaml(yaml, { services });
    expect(bad.result.steps.facts.error?.code).toBe('LLM_ERR_INVALID_OUTPUT');
  });

  it('retries a 429 within the call, honouring Retry-After, and records the retry as an event of the step', async () => {
    fake.enqueue({ fault: { type: 'status', status: 429, headers: { 'retry-after-ms': '120' } } }, { text: 'second time lucky' });
    const startedAt = Date.now();
    const { result, store } = await runYaml(
      `
version: "1.0"
name: limited
steps:
  - id: ask
    step_type: llm
    parameters: { prompt: hi, provider: openai }
`,
      { services },
    );
    // The layer retried the call; the step itself ran once.
    expect(result.steps.ask).toMatchObject({ status: 'succeeded', attempts: 1, output: { content: 'second time lucky' } });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(110);
    const events = store.events(result.runId);
    const retry = events.find((event) => event.type === 'llm-retry')!;
    expect(retry.stepId).toBe('ask');
    expect(retry.data).toMatchObject({ delayMs: 120, errorCode: 'LLM_ERR_RATE_LIMITED', target: 'openai/gpt-4o-mini' });
    expect(events.some((event) => event.type === 'step-retry')).toBe(false);
  });

  it('fails before the run starts when the provider is not configured, naming the variable', async () => {
    const empty = { llm: llmServiceFromProviders(new ProviderRegistry()) };
    await expect(
      runYaml(
        `
version: "1.0"
name: needs-anthropic
steps:
  - { id: ask, step_type: llm, parameters: { prompt: hi, provider: anthropic } }
`,
        { services: empty },
      ),
    ).rejects.toMatchObject({ code: 'MISSION_ERR_PREFLIGHT', message: expect.stringContaining('ANTHROPIC_API_KEY') });
  });
});

describe('agent step', () => {
  it('loops: the model calls a tool, sees its result, then answers; each turn and call is audited', async () => {
    fake.enqueue(
      { toolCalls: [{ id: 'call_1', name: 'read_file', arguments: { path: 'notes.txt' } }] },
      { text: 'The notes say: buy milk.' },
    );
    const { result, store, workspace } = await runYaml(
      `
version: "1.0"
name: agent
steps:
  - id: helper
    step_type: agent
    parameters: { objective: "What do my notes say?", provider: openai, tools: [read_file], max_iterations: 3 }
`,
      { services, workspace: await workspaceWith({ 'notes.txt': 'buy milk' }) },
    );
    expect(workspace).toBeTruthy();
    expect(result.status).toBe('succeeded');
    expect(result.steps.helper.output).toMatchObject({ response: 'The notes say: buy milk.', iterations: 2, tool_calls: [{ tool: 'read_file', ok: true }] });
    const secondRequest = fake.requests.at(-1)!.body;
    expect(secondRequest.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(['read_file']);
    const toolMessage = secondRequest.messages.find((message: { role: string }) => message.role === 'tool');
    expect(toolMessage).toMatchObject({ tool_call_id: 'call_1' });
    expect(toolMessage.content).toContain('buy milk');
    const types = store.events(result.runId).map((event) => event.type);
    expect(types.filter((type) => type === 'agent-turn')).toHaveLength(2);
    expect(types).toContain('tool-call');
    expect(types).toContain('tool-result');
  });

  it('on Gemini 3, sends each tool call back with its thoughtSignature (the fake rejects it otherwise)', async () => {
    const gemini = await startGeminiFake();
    try {
      const registry = new ProviderRegistry().register('gemini', createGeminiAdapter({ apiKey: 'gemini-test-key', baseUrl: gemini.url }));
      gemini.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }] }, { text: 'Buy milk.' });
      const { result } = await runYaml(
        `
version: "1.0"
name: agent-gemini
steps:
  - id: helper
    step_type: agent
    parameters: { objective: "What do my notes say?", provider: gemini, model: gemini-3-pro-preview, tools: [read_file], max_iterations: 3 }
`,
        { services: { llm: llmServiceFromProviders(registry) }, workspace: await workspaceWith({ 'notes.txt': 'buy milk' }) },
      );
      expect(result.steps.helper.error).toBeUndefined();
      expect(result.steps.helper.output).toMatchObject({ response: 'Buy milk.', iterations: 2 });
      const history = gemini.requests.at(-1)!.body.contents;
      expect(history[1].parts[0]).toMatchObject({ functionCall: { name: 'read_file' }, thoughtSignature: expect.any(String) });
    } finally {
      await gemini.close();
    }
  });

  it('fails when the model keeps calling tools past max_iterations', async () => {
    const loop = { toolCalls: [{ id: 'call_x', name: 'list_directory', arguments: { path: '.' } }] };
    fake.enqueue(loop, loop);
    const { result } = await runYaml(
      `
version: "1.0"
name: agent-loop
steps:
  - id: helper
    step_type: agent
    parameters: { objective: "loop", provider: openai, tools: [list_directory], max_iterations: 2 }
`,
      { services },
    );
    expect(result.steps.helper.status).toBe('failed');
    expect(result.steps.helper.error?.message).toContain('did not finish within 2 iterations');
  });
});

describe('chain step', () => {
  it('answers a prompt (RustChain form) and sets {id}_result', async () => {
    fake.enqueue({ text: 'AI matters.' });
    const { result } = await runYaml(
      `
version: "1.0"
name: chain
steps:
  - { id: summary, step_type: chain, parameters: { type: sequential, prompt: "Why does AI matter?", provider: openai } }
  - { id: use, step_type: echo, depends_on: [summary], parameters: { text: "{summary_result}" } }
`,
      { services },
    );
    expect(result.steps.use.output).toEqual({ text: 'AI matters.' });
  });

  it('runs sub-steps in sequence', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: chain-steps
steps:
  - id: pair
    step_type: chain
    parameters:
      steps:
        - { step_type: create_file, parameters: { path: a.txt, content: one } }
        - { step_type: read_file, parameters: { path: a.txt } }
`);
    expect(result.status).toBe('succeeded');
    expect((result.steps.pair.output as { result: { content: string } }).result.content).toBe('one');
  });
});

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const directory = mkdtempSync(path.join(os.tmpdir(), 'mission-agent-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(directory, name), content);
  return directory;
}
