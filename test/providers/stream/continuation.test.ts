/**
 * The pieces of recovery on their own: how a continuation request is built per target, and how
 * much of a continuation's head repeats the delivered tail.
 */
import { describe, expect, it } from 'vitest';
import { continuationInstruction, continuationRequest, supportsAssistantPrefill } from '../../../providers/layer/stream/continuation.js';
import { mayStillOverlap, overlapLength } from '../../../providers/layer/stream/overlap.js';
import type { LlmRequest } from '../../../providers/types.js';

describe('overlapLength', () => {
  it('trims a restarted word', () => {
    expect(overlapLength('The quick bro', 'brown fox')).toBe(3);
  });
  it('trims a repeated stretch of eight characters or more wherever it starts', () => {
    expect(overlapLength('It was a sunny day in the pa', 'y day in the park')).toBe('y day in the pa'.length);
  });
  it('keeps a short chance match inside a word', () => {
    expect(overlapLength('a ripe banana', 'and more')).toBe(0);
    expect(overlapLength('cats', 'sand')).toBe(0);
  });
  it('drops whitespace written twice', () => {
    expect(overlapLength('Hello ', ' world')).toBe(1);
    expect(overlapLength('Hello', ' world')).toBe(0);
  });
  it('trims a whole repeated answer', () => {
    expect(overlapLength('One two three four', 'One two three four five')).toBe('One two three four'.length);
  });
  it('waits while the head may still be a longer repetition', () => {
    expect(mayStillOverlap('The quick brown fox', 'quick')).toBe(true);
    expect(mayStillOverlap('The quick brown fox', 'quick red')).toBe(false);
  });
});

describe('continuationRequest', () => {
  const request: LlmRequest = { model: 'm', messages: [{ role: 'user', content: 'Write.' }], maxTokens: 100, toolChoice: 'required', tools: [{ name: 't', parameters: {} }] };

  it('prefills where the target continues an assistant turn (Ollama, Claude 3), without trailing whitespace', () => {
    expect(supportsAssistantPrefill('ollama', 'llama3.2')).toBe(true);
    expect(supportsAssistantPrefill('bedrock', 'anthropic.claude-3-haiku-20240307-v1:0')).toBe(true);
    expect(supportsAssistantPrefill('anthropic', 'claude-sonnet-4-5')).toBe(false);
    expect(supportsAssistantPrefill('openai', 'gpt-4o')).toBe(false);
    const continued = continuationRequest(request, 'Once upon a time ', 'ollama');
    expect(continued.messages.at(-1)).toEqual({ role: 'assistant', content: 'Once upon a time' });
    expect(continued.messages).toHaveLength(2);
  });

  it('asks explicitly elsewhere, with the delivered text as history', () => {
    const continued = continuationRequest(request, 'Once upon a time ', 'openai');
    expect(continued.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Once upon a time ' },
      { role: 'user', content: continuationInstruction },
    ]);
    expect(continued.toolChoice).toBe('auto');
  });

  it('shrinks maxTokens by what the delivered text used, and never below 1', () => {
    expect(continuationRequest(request, 'x'.repeat(40), 'openai').maxTokens).toBe(90);
    expect(continuationRequest(request, 'x'.repeat(4000), 'openai').maxTokens).toBe(1);
    expect(continuationRequest({ ...request, maxTokens: undefined }, 'abc', 'openai').maxTokens).toBeUndefined();
  });

  it("continues the caller's own prefill as one answer", () => {
    const prefilled: LlmRequest = { model: 'm', messages: [{ role: 'user', content: 'JSON please' }, { role: 'assistant', content: '{"a":' }] };
    expect(continuationRequest(prefilled, ' 1, "b"', 'ollama').messages).toEqual([
      { role: 'user', content: 'JSON please' },
      { role: 'assistant', content: '{"a": 1, "b"' },
    ]);
  });
});

describe('DeliveredText', () => {
  it('keeps the text, its length and its tail across flat blocks', async () => {
    const { DeliveredText } = await import('../../../providers/layer/stream/delivered-text.js');
    const text = new DeliveredText();
    let expected = '';
    for (let index = 0; index < 1000; index++) {
      const piece = `${index} `;
      text.append(piece);
      expected += piece;
    }
    expect(text.toString()).toBe(expected);
    expect(text.length).toBe(expected.length);
    expect(text.tail(50)).toBe(expected.slice(-50));
    expect(text.tail(10_000)).toBe(expected);
    text.clear();
    expect(text.toString()).toBe('');
  });
});
