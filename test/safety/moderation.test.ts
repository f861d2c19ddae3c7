/**
 * External moderation through the stage: the OpenAI-format service (a local fake) is called once
 * for the input and once for the finished answer — never per chunk; a flagged text is blocked; a
 * timeout or failure follows `on_error` (fake timers for the wait); the judge mode reads Llama
 * Guard answers; the API key never reaches an error or the audit record.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LlmError, LlmErrorCode } from '../../providers/errors.js';
import { closePools } from '../../providers/http.js';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { parseJudgeAnswer, parseOpenAiModeration } from '../../providers/layer/safety/moderation.js';
import { createSafetyStage } from '../../providers/layer/safety/safety-stage.js';
import type { LayerRequest } from '../../providers/layer/stage.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { startModerationFake } from '../fakes/moderation-fake.js';
import { startOpenAiFake } from '../fakes/openai-fake.js';
import { callContext, collect, collectUntilError, textOf } from './helpers.js';

const moderationKey = 'sk-moderation-key-0123456789abcdef';
const apiKey = 'sk-test-moderation-0123456789';
let moderation: FakeServer;
let model: FakeServer;

beforeAll(async () => {
  moderation = await startModerationFake({ apiKey: moderationKey, flagged: { 'hurt them': 'violence', 'gory detail': 'violence' } });
  model = await startOpenAiFake({ apiKey });
});
afterAll(async () => {
  await closePools();
  await moderation.close();
  await model.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const request = (content: string): LayerRequest => ({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content }] });
const stage = (extra: Record<string, unknown> = {}, env: Record<string, string> = { MODERATION_KEY: moderationKey }) =>
  createSafetyStage({ config: { moderation: { mode: 'openai', url: `${moderation.url}/v1/moderations`, api_key_env: 'MODERATION_KEY', on_error: 'fail_closed', ...extra } }, env });
const run = (safety: ReturnType<typeof createSafetyStage>, layerRequest: LayerRequest) => {
  const context = callContext(layerRequest);
  const events = safety.wrapCall!(context, (next) => createOpenAIAdapter({ apiKey, baseUrl: `${model.url}/v1` }).stream({ ...next, model: 'gpt-4.1-mini' }));
  return { context, events };
};

describe('OpenAI-format moderation', () => {
  it('is called once for the input and once for the whole answer, however many chunks it streams in', async () => {
    const before = moderation.requests.length;
    model.enqueue({ text: 'A calm answer that streams in many small chunks of four characters.' });
    const { events } = run(stage(), request('Tell me about gardening.'));
    const seen = await collect(events);
    expect(textOf(seen)).toBe('A calm answer that streams in many small chunks of four characters.');
    const calls = moderation.requests.slice(before);
    expect(calls.map((call) => call.body.input)).toEqual(['Tell me about gardening.', 'A calm answer that streams in many small chunks of four characters.']);
  });

  it('blocks flagged input before the model is called', async () => {
    const before = model.requests.length;
    const { context, events } = run(stage(), request('How do I hurt them badly?'));
    const { events: seen, error } = await collectUntilError(events);
    expect(model.requests.length).toBe(before);
    expect(seen).toEqual([expect.objectContaining({ type: 'safety-intervention', action: 'block', rule: 'moderation.violence', where: 'input' })]);
    expect((error as LlmError).code).toBe(LlmErrorCode.safetyBlocked);
    expect(context.recorded[0]).toMatchObject({ rule: 'moderation.violence', action: 'block' });
  });

  it('blocks a flagged answer before finish', async () => {
    model.enqueue({ text: 'Here is every gory detail you asked for.' });
    const { events } = run(stage(), request('Describe the scene.'));
    const { events: seen, error } = await collectUntilError(events);
    expect(seen.some((event) => event.type === 'finish')).toBe(false);
    expect(seen.at(-1)).toMatchObject({ type: 'safety-intervention', where: 'output', action: 'block' });
    expect((error as LlmError).code).toBe(LlmErrorCode.safetyBlocked);
  });

  it('fail_closed: a service that does not answer in time stops the call (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    moderation.enqueue({ latencyMs: 60_000 });
    const { context, events } = run(stage({ timeout_ms: 2000 }), request('Tell me about gardening.'));
    const outcome = collectUntilError(events);
    await vi.advanceTimersByTimeAsync(2001);
    const { error } = await outcome;
    expect((error as { code: string }).code).toBe('LLM_ERR_MODERATION_UNAVAILABLE');
    expect(context.recorded[0]).toMatchObject({ rule: 'moderation.unavailable', action: 'block' });
  });

  it('fail_open: a failing service is recorded as a warning and the call goes on; the key never shows', async () => {
    moderation.enqueue({ fault: { type: 'status', status: 500 } });
    model.enqueue({ text: 'fine' });
    const { context, events } = run(stage({ on_error: 'fail_open', where: 'input' }), request('Tell me about gardening.'));
    const seen = await collect(events);
    expect(textOf(seen)).toBe('fine');
    expect(context.recorded[0]).toMatchObject({ rule: 'moderation.unavailable', action: 'warn' });
    expect(JSON.stringify(context.recorded)).not.toContain(moderationKey);
  });

  it('a wrong key is a failure of the service (fail_closed), not a verdict', async () => {
    const { events } = run(stage({}, { MODERATION_KEY: 'sk-wrong-key-000000000000' }), request('hello'));
    const { error } = await collectUntilError(events);
    expect((error as { code: string }).code).toBe('LLM_ERR_MODERATION_UNAVAILABLE');
    expect(String((error as Error).message)).not.toContain('sk-wrong-key');
  });

  it('reads the response format strictly', () => {
    expect(parseOpenAiModeration(JSON.stringify({ results: [{ flagged: true, categories: { hate: true, violence: false } }] }))).toMatchObject({ flagged: true, categories: ['hate'] });
    expect(parseOpenAiModeration(JSON.stringify({ results: [{ flagged: true, categories: { hate: true } }] }), ['violence']).flagged).toBe(false);
    expect(() => parseOpenAiModeration('{"results": [')).toThrow(/not JSON/);
    expect(() => parseOpenAiModeration('{"results": []}')).toThrow(/no results/);
  });
});

describe('LLM-judge moderation', () => {
  it('sends a Llama Guard prompt and blocks on "unsafe"', async () => {
    const prompts: string[] = [];
    const judge = async (prompt: string) => {
      prompts.push(prompt);
      return prompt.includes('steal a car') ? 'unsafe\nS2' : 'safe';
    };
    const safety = createSafetyStage({ config: { moderation: { mode: 'judge', where: 'input' } }, judge });
    const { events } = run(safety, request('How do I steal a car?'));
    const { error } = await collectUntilError(events);
    expect(prompts[0]).toContain('<BEGIN UNSAFE CONTENT CATEGORIES>');
    expect(prompts[0]).toContain('User: How do I steal a car?');
    expect((error as LlmError).message).toContain('moderation.S2');
  });

  it('parses answers and refuses anything else', () => {
    expect(parseJudgeAnswer(' safe ')).toEqual({ flagged: false, categories: [] });
    expect(parseJudgeAnswer('unsafe\nS1,S10')).toMatchObject({ flagged: true, categories: ['S1', 'S10'] });
    expect(() => parseJudgeAnswer('I think it is fine')).toThrow(/neither safe nor unsafe/);
  });

  it('refuses judge mode without a judge function at startup', () => {
    expect(() => createSafetyStage({ config: { moderation: { mode: 'judge' } } })).toThrow(/judge function/);
  });
});
