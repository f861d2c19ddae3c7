/**
 * Rebuilds what a run had achieved from its audit events, so `mission resume` continues where a
 * killed run stopped: steps that succeeded keep their outputs and do not run again; everything
 * else (failed, cancelled, or cut off mid-flight) runs anew.
 */
import { MissionError, MissionErrorCode } from '../errors.js';
import type { AuditStore } from '../store/index.js';
import type { StepKindRegistry } from '../steps/registry.js';
import type { MissionDefinition } from '../mission/types.js';
import type { RestoredState } from './run-session.js';

/** Reads a run's events and returns the succeeded steps' outputs and the legacy context. */
export function restoreState(store: AuditStore, runId: string, mission: MissionDefinition, registry: StepKindRegistry): RestoredState {
  const succeeded: RestoredState['succeeded'] = new Map();
  const legacy: Record<string, string> = {};
  const kinds = new Map(mission.steps.map((step) => [step.id, step.kind]));
  for (const event of store.events(runId)) {
    if (!event.stepId) continue;
    if (event.type === 'step-start' && succeeded.has(event.stepId)) {
      succeeded.delete(event.stepId); // Ran again after succeeding (an earlier resume): the latest outcome counts.
    }
    if (event.type !== 'step-succeeded') continue;
    const output = event.payloadHash ? store.payload(event.payloadHash, runId) : null;
    if (output === undefined) {
      throw new MissionError(
        MissionErrorCode.notResumable,
        `run ${runId} cannot be resumed: the output of step '${event.stepId}' was erased from the audit store`,
      );
    }
    succeeded.set(event.stepId, {
      output,
      attempts: Number(event.data.attempts ?? 1),
      durationMs: Number(event.data.durationMs ?? 0),
    });
    const kind = registry.get(kinds.get(event.stepId) ?? '');
    if (kind?.legacyContext) Object.assign(legacy, kind.legacyContext(event.stepId, output));
    legacy.previous_result = typeof output === 'string' ? output : JSON.stringify(output ?? null);
  }
  return { succeeded, legacy };
}
