/**
 * Stream recovery end to end through `createLlm`: a stream killed mid-answer on every protocol
 * family continues from the delivered text, and the consumer gets one answer with nothing
 * repeated; the continuation request carries the delivered text; tool calls cut mid-arguments are
 * never guessed at; a cut with nothing delivered is re-run silently; `restart` regenerates; usage
 * is summed; the audit trail lists each attempt.
 */
import { describe, expect, it } from 'vitest';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import type { LlmConfig } from '../../../providers/layer/config-types.js';
import { createLlm } from '../../../providers/layer/create-llm.js';
import { continuationInstruction } from '../../../providers/layer/stream/continuation.js';
import { applyEvent, emptyResponse } from '../../../providers/observable.js';
import type { LlmEvent } from '../../../providers/types.js';
import { createOpenAiRenderer } from '../../fakes/openai-fake.js';
import type { FakeScenario, RecordedRequest } from '../../fakes/fake-server.js';
import { RecordingSink } from '../layer/helpers.js';
import { ManualClock, until } from '../layer/manual-clock.js';
import { useStreamTargets, type StreamTarget } from './targets.js';

const target = useStreamTargets();

const messages = [{ role: 'user' as const, content: 'Tell me about the fox.' }];
const full = 'The quick brown fox jumps over the lazy dog. It was a sunny day in the park, and everyone there was happy to see it.';
const textOf = (events: LlmEvent[]): string => events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');

/** A call running on a manual clock, with its events, sink and completion. */
function startCall(providers: Record<string, StreamTarget>, request: Parameters<ReturnType<typeof createLlm>['stream']>[0], config: LlmConfig = {}) {
  const clock = new ManualClock();
  const sink = new RecordingSink();
  const llm = createLlm({
    providers: Object.fromEntries(Object.entries(providers).map(([name, entry]) => [name, entry.adapter])),
    clock,
    sink,
    random: () => 0.5,
    config: { retry: { max_attempts: 2, initial_delay_ms: 100, max_delay_ms: 100 }, ...config },
  });
  const events: LlmEvent[] = [];
  let error: unknown;
  const done = new Promise<void>((resolve) => {
    llm.stream(request).subscribe({
      next: (event) => events.push(event),
      error: (failure: unknown) => {
        error = failure;
        resolve();
      },
      complete: () => resolve(),
    });
  });
  return {
    clock,
    sink,
    events,
    error: () => error,
    /** Waits for the cut to be recorded, then lets the resume delay pass. */
    async afterCut(count = 1, enqueue?: () => void): Promise<void> {
      await until(() => sink.ofType('llm-stream-attempt').length >= count);
      enqueue?.();
      clock.advance(10_000);
    },
    done: done.finally(() => llm.close()),
  };
}

/** Cut after eight body chunks, slowly enough that what was sent before the cut is read. */
const cut = (text: string): FakeScenario => ({ text, chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: 8 } });

describe.each(['openai', 'azure', 'shimmy', 'anthropic', 'gemini', 'ollama', 'bedrock'])('recovery after a mid-stream kill: %s', (provider) => {
  it('continues the answer: one text, nothing repeated, the continuation request carries the delivered text', async () => {
    const { fake, model, family } = target(provider);
    const prefill = provider === 'ollama' || provider === 'bedrock';
    fake.requests.length = 0;
    fake.enqueue(cut(full));
    const call = startCall({ [provider]: target(provider) }, { provider, model, messages });
    let delivered = '';
    await call.afterCut(1, () => {
      delivered = textOf(call.events);
      // A prefilled model goes on from the last character; one asked to continue restarts the
      // last few words, which recovery must trim.
      fake.enqueue({ text: full.slice(prefill ? delivered.length : Math.max(0, delivered.length - 12)) });
    });
    await call.done;
    expect(call.error()).toBeUndefined();
    expect(delivered.length, `${family}: some text was delivered before the cut`).toBeGreaterThan(0);
    expect(delivered.length).toBeLessThan(full.length);
    expect(full.startsWith(delivered)).toBe(true);
    expect(textOf(call.events)).toBe(full);

    const resumes = call.events.filter((event) => event.type === 'stream-resume');
    expect(resumes).toEqual([{ type: 'stream-resume', attempt: 1, from: `${provider}/${model}`, to: `${provider}/${model}`, deliveredChars: delivered.length, errorCode: LlmErrorCode.streamInterrupted }]);
    const response = call.events.reduce(applyEvent, emptyResponse());
    expect(response.content).toBe(full);
    expect(response.finishReason).toBe('stop');
    expect(call.events.filter((event) => event.type === 'usage')).toHaveLength(1);

    const continuation = fake.requests.filter((request: RecordedRequest) => request.method === 'POST').at(-1)!;
    const body = JSON.stringify(continuation.body);
    expect(body).toContain(JSON.stringify(delivered.trimEnd()).slice(1, -1));
    if (prefill) expect(body).not.toContain(continuationInstruction);
    else expect(body).toContain(continuationInstruction);

    const attempts = call.sink.ofType('llm-stream-attempt');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ attempt: 1, target: `${provider}/${model}`, deliveredChars: delivered.length, outcome: 'cut', reason: LlmErrorCode.streamInterrupted, next: 'continue' });
    expect(attempts[1]).toMatchObject({ attempt: 2, target: `${provider}/${model}`, deliveredChars: full.length - delivered.length, outcome: 'finished', reason: 'stop' });
  });
});

describe('recovery rules', () => {
  it('sums usage over the attempts into the one usage event', async () => {
    const { fake, model } = target('openai');
    fake.enqueue({ ...cut(full), usage: { inputTokens: 10, outputTokens: 20 } });
    const call = startCall({ openai: target('openai') }, { provider: 'openai', model, messages });
    await call.afterCut(1, () => fake.enqueue({ text: full.slice(textOf(call.events).length), usage: { inputTokens: 30, outputTokens: 7 } }));
    await call.done;
    const usages = call.events.filter((event) => event.type === 'usage');
    expect(usages).toHaveLength(1);
    // The cut attempt never reported usage (it comes at the end); the audit record says so.
    expect(usages[0]).toMatchObject({ usage: { inputTokens: 30, outputTokens: 7 } });
    expect(call.sink.ofType('llm-stream-attempt')[0]).toMatchObject({ usage: 'missing' });
  });

  it('fails over: the continuation runs on the next target of the route when the first refuses it', async () => {
    const primary = target('openai');
    const backup = target('ollama');
    primary.fake.enqueue(cut(full), { fault: { type: 'status', status: 503 } }, { fault: { type: 'status', status: 503 } });
    const call = startCall(
      { openai: primary, ollama: backup },
      { route: 'chat', messages },
      { routes: { chat: { strategy: 'failover', targets: [{ provider: 'openai', model: primary.model }, { provider: 'ollama', model: backup.model }] } } },
    );
    let delivered = '';
    await call.afterCut(1, () => {
      delivered = textOf(call.events);
      backup.fake.enqueue({ text: full.slice(delivered.length) });
    });
    // The continuation's first attempt on the primary fails (503) and backs off before failing over.
    for (let step = 0; step < 20 && !call.events.some((event) => event.type === 'stream-resume'); step++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      call.clock.advance(10_000);
    }
    await call.done;
    expect(call.error()).toBeUndefined();
    expect(textOf(call.events)).toBe(full);
    expect(call.events.find((event) => event.type === 'stream-resume')).toMatchObject({ from: `openai/${primary.model}`, to: `ollama/${backup.model}`, deliveredChars: delivered.length });
  });

  it('a tool call cut mid-arguments after text fails with LLM_ERR_TOOL_CALL_INTERRUPTED', async () => {
    const { fake, model } = target('openai');
    const scenario: FakeScenario = { text: 'Let me look.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Amsterdam', note: 'a long argument that streams in many pieces' } }] };
    fake.enqueue({ ...scenario, chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: argumentsChunk(scenario, 3) } });
    const call = startCall({ openai: target('openai') }, { provider: 'openai', model, messages });
    await call.done;
    const error = call.error() as LlmError;
    expect(error).toBeInstanceOf(LlmError);
    expect(error.code).toBe(LlmErrorCode.toolCallInterrupted);
    expect(error.incomplete).toBe(true);
    expect(error.deliveredChars).toBe('Let me look.'.length);
    expect(call.events.some((event) => event.type === 'tool-call-delta')).toBe(true);
    expect(call.events.some((event) => event.type === 'finish')).toBe(false);
  });

  it('a tool call cut before any text is re-run whole (deliveredChars 0), and completes once', async () => {
    const { fake, model } = target('openai');
    const scenario: FakeScenario = { toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Amsterdam', note: 'a long argument that streams in many pieces' } }] };
    fake.enqueue({ ...scenario, chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: argumentsChunk(scenario, 3) } }, scenario);
    const call = startCall({ openai: target('openai') }, { provider: 'openai', model, messages });
    await call.afterCut();
    await call.done;
    expect(call.error()).toBeUndefined();
    expect(call.events.find((event) => event.type === 'stream-resume')).toMatchObject({ deliveredChars: 0 });
    const response = call.events.reduce(applyEvent, emptyResponse());
    expect(response.toolCalls).toEqual([{ id: 'call_1', name: 'weather', arguments: scenario.toolCalls![0].arguments }]);
    expect(response.finishReason).toBe('tool-calls');
  });

  it('a cut before any content is retried silently by the routed call: no stream-resume', async () => {
    const { fake, model } = target('openai');
    fake.enqueue({ text: full, chunkDelayMs: 5, fault: { type: 'drop-mid-stream', afterChunks: 1 } }, { text: 'Fine.' });
    const call = startCall({ openai: target('openai') }, { provider: 'openai', model, messages });
    await until(() => call.events.some((event) => event.type === 'retry'));
    call.clock.advance(10_000);
    await call.done;
    expect(call.error()).toBeUndefined();
    expect(textOf(call.events)).toBe('Fine.');
    expect(call.events.some((event) => event.type === 'stream-resume')).toBe(false);
  });

  it('stream_recovery: restart regenerates from scratch; complete() keeps only the new answer', async () => {
    const { fake, model } = target('openai');
    fake.enqueue(cut(full), { text: 'A different, complete answer.' });
    const call = startCall({ openai: target('openai') }, { route: 'r', messages }, { routes: { r: { targets: [{ provider: 'openai', model }], stream_recovery: 'restart' } } });
    await call.afterCut();
    await call.done;
    expect(call.error()).toBeUndefined();
    expect(call.events.find((event) => event.type === 'stream-resume')).toMatchObject({ deliveredChars: 0 });
    expect(call.events.reduce(applyEvent, emptyResponse()).content).toBe('A different, complete answer.');
    expect(JSON.stringify(fake.requests.at(-1)!.body)).not.toContain(continuationInstruction);
  });

  it('an idle deadline after content is resumed; the total deadline is not', async () => {
    const { fake, model } = target('openai');
    fake.enqueue({ text: full, chunkDelayMs: 5, fault: { type: 'stall', afterChunks: 8 } });
    const idle = startCall({ openai: target('openai') }, { provider: 'openai', model, messages }, { timeouts: { idle_ms: 5_000 } });
    await until(() => idle.events.some((event) => event.type === 'text-delta'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    // The layer's deadline timers re-arm as they learn of events: move time on in steps.
    for (let step = 0; step < 10 && idle.sink.ofType('llm-stream-attempt').length === 0; step++) {
      idle.clock.advance(2_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await idle.afterCut(1, () => fake.enqueue({ text: full.slice(textOf(idle.events).length) }));
    await idle.done;
    expect(idle.error()).toBeUndefined();
    expect(textOf(idle.events)).toBe(full);
    expect(idle.events.find((event) => event.type === 'stream-resume')).toMatchObject({ errorCode: LlmErrorCode.timeout });

    fake.enqueue({ text: full, chunkDelayMs: 5, fault: { type: 'stall', afterChunks: 8 } });
    const total = startCall({ openai: target('openai') }, { provider: 'openai', model, messages }, { timeouts: { idle_ms: 500_000, total_ms: 20_000 } });
    await until(() => total.events.some((event) => event.type === 'text-delta'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (let step = 0; step < 15 && total.error() === undefined; step++) {
      total.clock.advance(2_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await total.done;
    expect(total.error()).toMatchObject({ code: LlmErrorCode.timeout, deadline: 'total', incomplete: true });
    expect(total.events.some((event) => event.type === 'stream-resume')).toBe(false);
  });

  it('stream_recovery: off hands the incomplete error to the consumer', async () => {
    const { fake, model } = target('openai');
    fake.enqueue(cut(full));
    const call = startCall({ openai: target('openai') }, { provider: 'openai', model, messages }, { stream_recovery: 'off' });
    await call.done;
    const error = call.error() as LlmError;
    expect(error.code).toBe(LlmErrorCode.streamInterrupted);
    expect(error.incomplete).toBe(true);
    expect(error.deliveredChars).toBe(textOf(call.events).length);
  });

  it('gives up after three resumes with an incomplete error counting all delivered text', async () => {
    const { fake, model } = target('openai');
    const pieces = [full.slice(0, 30), full.slice(30, 60), full.slice(60, 90), full.slice(90)];
    fake.enqueue(cut(pieces[0] + pieces[1] + pieces[2] + pieces[3]));
    const call = startCall({ openai: target('openai') }, { provider: 'openai', model, messages });
    for (let resume = 1; resume <= 3; resume++) {
      await call.afterCut(resume, () => fake.enqueue(cut(full.slice(textOf(call.events).length))));
    }
    await call.done;
    const error = call.error() as LlmError;
    expect(error.code).toBe(LlmErrorCode.streamInterrupted);
    expect(error.incomplete).toBe(true);
    expect(error.deliveredChars).toBe(textOf(call.events).length);
    expect(full.startsWith(textOf(call.events))).toBe(true);
    expect(call.events.filter((event) => event.type === 'stream-resume')).toHaveLength(3);
  });
});

/** The chunk index after the `pieces`-th piece of tool-call arguments, in the OpenAI fake's rendering. */
function argumentsChunk(scenario: FakeScenario, pieces: number): number {
  const request = { method: 'POST', url: new URL('http://fake/v1/chat/completions'), headers: {}, rawBody: Buffer.alloc(0), body: { model: 'gpt-4o-mini', stream: true, messages: [] } };
  const rendered = createOpenAiRenderer().render(scenario, request, true);
  if (rendered.kind !== 'stream') throw new Error('expected a stream');
  let seen = 0;
  for (let index = 0; index < rendered.chunks.length; index++) {
    if (String(rendered.chunks[index]).includes('"arguments":"') && !String(rendered.chunks[index]).includes('"arguments":""') && ++seen === pieces) return index + 1;
  }
  throw new Error('the scenario streams fewer argument pieces');
}
