/**
 * Helpers of the cost tests: stages composed around a real adapter the way the layer's pipeline
 * composes them (outermost first), temporary database files, and collecting a call's outcome.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import type { AttemptContext, CallOrigin, CallStage, LayerAuditEvent } from '../../providers/layer/stage.js';
import type { LlmEvent, LlmRequest, ProviderAdapter } from '../../providers/types.js';

let generation = 0;

/** One attempt through `stages` (outermost first) to `adapter`. */
export function attemptThrough(
  stages: CallStage[],
  adapter: ProviderAdapter,
  request: LlmRequest,
  options: { origin?: CallOrigin; now?: () => number; records?: LayerAuditEvent[]; attempt?: number; route?: string } = {},
): Observable<LlmEvent> {
  const origin = options.origin ?? {};
  const base: AttemptContext = {
    generationId: `gen-${process.pid}-${++generation}`,
    request: { ...request, origin },
    origin,
    record: (event) => options.records?.push(event),
    now: options.now ?? Date.now,
    attempt: options.attempt ?? 1,
    target: { provider: adapter.id, model: request.model, route: options.route },
    providerRequest: request,
  };
  let next = (sent: LlmRequest): Observable<LlmEvent> => adapter.stream(sent);
  for (const stage of [...stages].reverse()) {
    const inner = next;
    next = (sent) => stage.wrapAttempt!({ ...base, providerRequest: sent }, inner);
  }
  return next(request);
}

/** What a call ended with. */
export type Outcome = { ok: true; events: LlmEvent[] } | { ok: false; error: any };

/** Runs a call to its end. */
export async function outcomeOf(call: Observable<LlmEvent>): Promise<Outcome> {
  try {
    return { ok: true, events: await lastValueFrom(call.pipe(toArray())) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A temporary folder with a database path in it. */
export function temporaryDatabase(): { file: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'mission-cost-'));
  return { file: join(folder, 'state.db'), remove: () => rmSync(folder, { recursive: true, force: true }) };
}
