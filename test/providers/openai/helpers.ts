/**
 * Small helpers shared by the Chat Completions family's tests (OpenAI, Azure, Shimmy).
 */
import { readFileSync } from 'node:fs';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { LlmError } from '../../../providers/errors.js';
import type { LlmEvent } from '../../../providers/types.js';

/** The provider fixtures folder. */
export const fixturesRoot = new URL('../../fixtures/providers/', import.meta.url);

/** Reads a fixture file as text. */
export function readFixture(relativePath: string): string {
  return readFileSync(new URL(relativePath, fixturesRoot), 'utf8');
}

/** Collects every event of a stream that must succeed. */
export function collect(events: Observable<LlmEvent>): Promise<LlmEvent[]> {
  return lastValueFrom(events.pipe(toArray()));
}

/** The typed error a stream or promise fails with; fails the test if it succeeds. */
export async function failure(work: Observable<LlmEvent> | Promise<unknown>): Promise<LlmError> {
  try {
    if ('subscribe' in work) await collect(work);
    else await work;
  } catch (error) {
    if (!(error instanceof LlmError)) throw new Error(`expected an LlmError, got ${String(error)}`);
    return error;
  }
  throw new Error('expected a failure, but the call succeeded');
}

/** Concatenated text of the text deltas. */
export function textOf(events: LlmEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

/** Events of one type. */
export function ofType<T extends LlmEvent['type']>(events: LlmEvent[], type: T): Extract<LlmEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LlmEvent, { type: T }> => event.type === type);
}

/** Re-frames de-framed `.chunks.txt` lines as the SSE body the server sent (`data: …` + `[DONE]`). */
export function reframeChunks(text: string, withDone = true): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line) => `data: ${line}\n\n`).join('') + (withDone ? 'data: [DONE]\n\n' : '');
}
