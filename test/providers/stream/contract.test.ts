/**
 * The stream contract suite, run against every adapter through its fake and against the layer:
 * normal answers (text, tool calls) and faults (a cut mid-stream, a body that ends cleanly in
 * the middle of a frame, garbage, a stall, an error status, a connection refused mid-request).
 */
import { describe, expect, it } from 'vitest';
import { createLlm } from '../../../providers/layer/create-llm.js';
import type { StreamRecoveryMode } from '../../../providers/layer/config-types.js';
import type { CallOptions } from '../../../providers/types.js';
import type { FakeScenario } from '../../fakes/fake-server.js';
import { expectStreamContract, outcomeOf, type CallOutcome } from './contract.js';
import { useStreamTargets } from './targets.js';

const providers = ['openai', 'azure', 'shimmy', 'anthropic', 'gemini', 'ollama', 'bedrock'] as const;
const target = useStreamTargets();

const text = 'The quick brown fox jumps over the lazy dog, twice over, and then rests a while.';
const messages = [{ role: 'user' as const, content: 'Tell me about the fox.' }];
/** The stall case: the adapter's idle limit, short so the suite stays quick. */
const limits: CallOptions['limits'] = { idleMs: 300 };

const scenarios: { name: string; scenario: FakeScenario; fails: boolean; incomplete?: boolean }[] = [
  { name: 'a text answer', scenario: { text }, fails: false },
  { name: 'a tool call', scenario: { text: 'Checking.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Amsterdam', days: 5 } }] }, fails: false },
  { name: 'a cut mid-stream', scenario: { text, fault: { type: 'drop-mid-stream', afterChunks: 6 }, chunkDelayMs: 5 }, fails: true, incomplete: true },
  { name: 'a body that ends cleanly inside a frame', scenario: { text, fault: { type: 'truncate', afterChunks: 6 }, chunkDelayMs: 5 }, fails: true, incomplete: true },
  { name: 'garbage mid-stream', scenario: { text, fault: { type: 'malformed', afterChunks: 6 }, chunkDelayMs: 5 }, fails: true, incomplete: true },
  { name: 'a stall mid-stream', scenario: { text, fault: { type: 'stall', afterChunks: 6 }, chunkDelayMs: 5 }, fails: true, incomplete: true },
  { name: 'an error status', scenario: { text, fault: { type: 'status', status: 500 } }, fails: true, incomplete: false },
  { name: 'a connection dropped before the response', scenario: { text, fault: { type: 'drop-before-response' } }, fails: true, incomplete: false },
];

function adapterOutcome(provider: string, scenario: FakeScenario): Promise<CallOutcome> {
  const { adapter, fake, model } = target(provider);
  fake.enqueue(scenario);
  return outcomeOf((observer) => adapter.stream({ model, messages, tools: [{ name: 'weather', parameters: { type: 'object' } }] }, { limits }).subscribe(observer));
}

function layerOutcome(provider: string, queued: FakeScenario[], recovery: StreamRecoveryMode): Promise<CallOutcome> {
  const { adapter, fake, model } = target(provider);
  fake.enqueue(...queued);
  const llm = createLlm({
    providers: { [provider]: adapter },
    config: { retry: { max_attempts: 1, initial_delay_ms: 1 }, stream_recovery: recovery, stream_limits: { idle_ms: 300 } },
  });
  return outcomeOf((observer) => llm.stream({ provider, model, messages, tools: [{ name: 'weather', parameters: { type: 'object' } }] }).subscribe(observer)).finally(() =>
    llm.close(),
  );
}

describe.each(providers)('the stream contract: %s adapter', (provider) => {
  it.each(scenarios)('$name', async ({ scenario, fails }) => {
    const outcome = await adapterOutcome(provider, scenario);
    expectStreamContract(outcome, { layer: false });
    expect(outcome.error !== undefined, String(outcome.error)).toBe(fails);
    if (!fails) expect(outcome.events.find((event) => event.type === 'finish')).not.toMatchObject({ reason: 'error' });
  });
});

describe.each(providers)('the stream contract: the layer over %s', (provider) => {
  it.each(scenarios)('$name (stream_recovery: off)', async ({ scenario, fails, incomplete }) => {
    const outcome = await layerOutcome(provider, [scenario], 'off');
    expectStreamContract(outcome, { layer: true });
    expect(outcome.error !== undefined, String(outcome.error)).toBe(fails);
    if (fails) expect((outcome.error as { incomplete?: boolean }).incomplete === true).toBe(incomplete);
  });

  it('a cut answer completes cleanly once recovered (stream_recovery: continue)', async () => {
    const outcome = await layerOutcome(provider, [{ text, fault: { type: 'drop-mid-stream', afterChunks: 6 }, chunkDelayMs: 5 }, { text: 'and then rests a while.' }], 'continue');
    expectStreamContract(outcome, { layer: true });
    expect(outcome.error).toBeUndefined();
    expect(outcome.events.filter((event) => event.type === 'stream-resume')).toHaveLength(1);
  });
});
