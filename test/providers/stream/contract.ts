/**
 * The stream contract, as a checker every suite shares. A call's events end in exactly one
 * terminal: a `finish` (the last event, but for layer notices such as `circuit-closed`), or a
 * typed `LlmError` that says whether the answer is `incomplete`. A failure is never a clean
 * completion. `start` precedes content; one `usage` precedes `finish`; a layer call opens with one
 * `generation`; `start` and `stream-resume` may repeat (retries, failover, recovery).
 */
import { expect } from 'vitest';
import { LlmError } from '../../../providers/errors.js';
import type { LlmEvent } from '../../../providers/types.js';

/** How a call ended: its events, and its error if it failed. */
export interface CallOutcome {
  events: LlmEvent[];
  error?: unknown;
}

const contentTypes = new Set(['text-delta', 'reasoning-delta', 'tool-call-delta', 'tool-call', 'signature']);
const layerNoticeTypes = new Set(['circuit-open', 'circuit-half-open', 'circuit-closed', 'retry', 'failover', 'budget-warning', 'safety-intervention']);

/** Collects a call's events and its terminal, whatever it is. */
export function outcomeOf(subscribe: (observer: { next(event: LlmEvent): void; error(error: unknown): void; complete(): void }) => void): Promise<CallOutcome> {
  return new Promise((resolve) => {
    const events: LlmEvent[] = [];
    let terminals = 0;
    subscribe({
      next: (event) => {
        expect(terminals, 'an event after the terminal').toBe(0);
        events.push(event);
      },
      error: (error) => {
        terminals++;
        resolve({ events, error });
      },
      complete: () => {
        terminals++;
        resolve({ events });
      },
    });
  });
}

/** Asserts the contract; `layer` adds the layer's rules (generation first, `incomplete` set). */
export function expectStreamContract(outcome: CallOutcome, options: { layer: boolean }): void {
  const { events, error } = outcome;
  const types = events.map((event) => event.type);
  const finishes = types.filter((type) => type === 'finish').length;
  if (options.layer) {
    expect(types[0], 'a layer call opens with its generation id').toBe('generation');
    expect(types.filter((type) => type === 'generation')).toHaveLength(1);
  }
  const firstContent = types.findIndex((type) => contentTypes.has(type));
  if (firstContent !== -1) expect(types.slice(0, firstContent), 'start precedes content').toContain('start');
  if (error !== undefined) {
    expect(error, 'a failure is a typed LlmError').toBeInstanceOf(LlmError);
    const typed = error as LlmError;
    expect(typed.code).toMatch(/^LLM_ERR_[A-Z_]+$/);
    expect(typeof typed.isRetryable).toBe('boolean');
    expect(finishes, 'a failed call never reports a finish').toBe(0);
    if (options.layer && firstContent !== -1) {
      expect(typed.incomplete, 'a failure after content says the answer is incomplete').toBe(true);
      const text = events.filter((event) => event.type === 'text-delta').reduce((sum, event) => sum + (event as { text: string }).text.length, 0);
      expect(typed.deliveredChars).toBe(text);
    }
    return;
  }
  expect(finishes, 'a completed call has exactly one finish').toBe(1);
  const finishAt = types.indexOf('finish');
  const after = types.slice(finishAt + 1);
  expect(after.every((type) => layerNoticeTypes.has(type)), `only layer notices follow finish, got ${after.join(',')}`).toBe(true);
  expect(types.filter((type) => type === 'usage'), 'one usage').toHaveLength(1);
  expect(types.indexOf('usage')).toBeLessThan(finishAt);
}
