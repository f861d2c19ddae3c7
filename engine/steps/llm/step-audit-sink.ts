/**
 * Routes the LLM layer's audit records (`llm-retry`, `llm-failover`, `llm-circuit-open`, a
 * policy's `budget-reserve`, …) to the step whose call made them, so they land in the audit trail
 * as events of that step, hash-chained with the rest of its run.
 */
import type { LlmAuditRecord, LlmAuditSink } from '../../../providers/layer/sink.js';
import type { StepEmittedEvent } from '../types.js';

/** Calls attached at once, at most: a leak (a call never detached) cannot grow without bound. */
const maxAttached = 10_000;

/** A sink that hands each record to the emit of the step that made the call. */
export class StepAuditSink implements LlmAuditSink {
  private readonly emits = new Map<string, (event: StepEmittedEvent) => void>();
  /** Records no step claimed (background probes, or calls made outside a step), for diagnostics. */
  unclaimed = 0;

  /** Sends the records of generation `generationId` to `emit` until the returned function is called. */
  attach(generationId: string, emit: (event: StepEmittedEvent) => void): () => void {
    if (this.emits.size >= maxAttached) this.emits.delete(this.emits.keys().next().value!);
    this.emits.set(generationId, emit);
    return () => {
      if (this.emits.get(generationId) === emit) this.emits.delete(generationId);
    };
  }

  record(record: LlmAuditRecord): void {
    const emit = record.generationId === undefined ? undefined : this.emits.get(record.generationId);
    if (!emit) {
      this.unclaimed++;
      return;
    }
    // The step event already carries the run and the step; the layer's clock time stays as `at`.
    const { origin: _origin, ...event } = record;
    emit(event as StepEmittedEvent);
  }
}
