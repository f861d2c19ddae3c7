/** `estimateMissionCost`: worst case and typical cost of a mission before it runs. */
import { describe, expect, it } from 'vitest';
import { estimateMissionCost } from '../../engine/cost/estimate-mission-cost.js';
import type { MissionDefinition, StepDefinition } from '../../engine/mission/types.js';
import { entry } from './ledger-fixtures.js';

function step(id: string, kind: string, parameters: Record<string, unknown>, extra: Partial<StepDefinition> = {}): StepDefinition {
  return { id, name: id, kind, dependsOn: [], continueOnError: false, parameters, ...extra };
}

function mission(steps: StepDefinition[]): MissionDefinition {
  return { version: '1.0', name: 'estimate', vars: {}, steps, config: { maxParallelSteps: 4, failFast: true }, outputs: {} };
}

describe('estimateMissionCost', () => {
  it('prices an llm step and an agent whose context grows each turn; skips other kinds', async () => {
    const estimate = await estimateMissionCost(
      mission([
        step('ask', 'llm', { provider: 'openai', model: 'gpt-4o-mini', prompt: 'Say hello.', max_tokens: 100 }),
        step('work', 'agent', { provider: 'anthropic', model: 'claude-sonnet-4-5', objective: 'Tidy up.', max_iterations: 2, max_tokens: 50 }),
        step('write', 'create_file', { path: 'x', content: 'y' }),
      ]),
    );
    const [ask, work] = estimate.steps;
    expect(estimate.steps).toHaveLength(2);
    // gpt-4o-mini: P × $0.15 + 100 × $0.60 per million, rounded up.
    expect(ask.worstCaseMicros).toBe(Math.ceil((ask.promptTokens * 150_000 + 100 * 600_000) / 1e6));
    // Typical: 100 output tokens (max_tokens is below the 400 assumed), rounded half up.
    expect(ask.typicalMicros).toBe(Math.floor((ask.promptTokens * 150_000 + 100 * 600_000 + 500_000) / 1e6));
    // Claude: input at the dearest input rate ($6, 1-hour cache writes); turn 2 carries turn 1's answer and a tool result.
    const turn = (prompt: number) => Math.ceil((prompt * 6_000_000 + 50 * 15_000_000) / 1e6);
    expect(work.worstCaseMicros).toBe(turn(work.promptTokens) + turn(work.promptTokens + 50 + 5_000));
    expect(work.calls).toBe(2);
    expect(estimate.worstCaseMicros).toBe(ask.worstCaseMicros! + work.worstCaseMicros!);
    expect(estimate.typicalMicros).toBeLessThan(estimate.worstCaseMicros);
  });

  it('multiplies by a literal for_each list, notes templates, and lists unpriced steps apart', async () => {
    const estimate = await estimateMissionCost(
      mission([
        step('each', 'llm', { provider: 'openai', model: 'gpt-4o-mini', prompt: 'Summarise {{ item }}', max_tokens: 10 }, { forEach: ['a', 'b', 'c'] }),
        step('local', 'llm', { provider: 'ollama', model: 'llama3.2', prompt: 'hi' }),
        step('mystery', 'llm', { provider: 'openai', model: 'gpt-unknown', prompt: 'hi' }),
      ]),
    );
    const [each, local, mystery] = estimate.steps;
    expect(each.calls).toBe(3);
    expect(each.notes).toContain('prompt has templates: counted as written');
    expect(local.worstCaseMicros).toBe(0);
    expect(mystery.worstCaseMicros).toBeNull();
    expect(estimate.unknownCostSteps).toEqual(['mystery']);
  });

  it('takes typical output from the ledger history of the same mission step', async () => {
    const history = [entry({ mission: 'estimate', stepId: 'ask', outputTokens: 20 }), entry({ mission: 'estimate', stepId: 'ask', outputTokens: 40 })];
    const estimate = await estimateMissionCost(mission([step('ask', 'llm', { provider: 'openai', model: 'gpt-4o-mini', prompt: 'x', max_tokens: 1000 })]), { history });
    const [ask] = estimate.steps;
    expect(ask.notes).toContain('typical from 2 earlier calls');
    expect(ask.typicalMicros).toBe(Math.floor((ask.promptTokens * 150_000 + 30 * 600_000 + 500_000) / 1e6));
  });
});
