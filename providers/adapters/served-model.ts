/** The model that actually serves a call, announced in the stream vocabulary. */
import type { LlmEvent } from '../types.js';

/**
 * A second `start` naming the model that serves the call, when the body names one other than the
 * request's (the first `start` went out with the headers, so deadlines and flow see the response
 * begin at once); nothing when they agree.
 */
export function servedStart(start: Extract<LlmEvent, { type: 'start' }> | undefined, served: unknown): LlmEvent[] {
  if (!start || typeof served !== 'string' || served === '' || served === start.model) return [];
  return [{ type: 'start', provider: start.provider, model: served, ...(start.requestId ? { requestId: start.requestId } : {}) }];
}
