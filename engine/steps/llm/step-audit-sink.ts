/**
 * Routes the LLM layer's audit records (`llm-retry`, `llm-failover`, `llm-circuit-open`, a
 * policy's `budget-reserve`, …) to the step whose call made them, so they land in the audit trail
 * as events of that step, hash-chained with the rest of its run.
 */
import type { LlmAuditRecord, LlmAuditSink } from '../../../providers/layer/sink.js';
import type { StepEmittedEvent } from '../types.js';

/** Calls attached at once, at most: a leak (a call never detached) cannot grow without bound. */
const maxAttached = 10_000;
/**
 * Records kept for calls not attached yet, at most. A policy records before the call's first event
 * reaches the step (the input safety scan, a budget reservation): those wait here until the step
 * attaches, instead of being lost.
 */
const maxPending = 1_000;

/** A sink that hands each record to the emit of the step that made the call. */
export class StepAuditSink implements LlmAuditSink {
  private readonly emits = new Map<string, (event: StepEmittedEvent) => void>();
  /** Records of calls not attached yet, oldest first. */
  private pending: LlmAuditRecord[] = [];
  /** Records no step claimed (background probes, or calls made outside a step), for diagnostics. */
  unclaimed = 0;

  /** Sends the records of generation `generationId` to `emit` until the returned function is called. */
  attach(generationId: string, emit: (event: StepEmittedEvent) => void): () => void {
    if (this.emits.size >= maxAttached) this.emits.delete(this.emits.keys().next().value!);
    this.emits.set(generationId, emit);
    if (this.pending.length > 0) {
      const waiting = this.pending.filter((record) => record.generationId === generationId);
      if (waiting.length > 0) {
        this.pending = this.pending.filter((record) => record.generationId !== generationId);
        for (const record of waiting) this.deliver(emit, record);
      }
    }
    return () => {
      if (this.emits.get(generationId) === emit) this.emits.delete(generationId);
    };
  }

  record(record: LlmAuditRecord): void {
    const emit = record.generationId === undefined ? undefined : this.emits.get(record.generationId);
    if (emit) return this.deliver(emit, record);
    if (record.generationId === undefined) {
      this.unclaimed++;
      return;
    }
    if (this.pending.length >= maxPending) {
      this.pending.shift();
      this.unclaimed++;
    }
    this.pending.push(record);
  }

  private deliver(emit: (event: StepEmittedEvent) => void, record: LlmAuditRecord): void {
    // The step event already carries the run and the step; the layer's clock time stays as `at`.
    const { origin: _origin, ...event } = record;
    emit(event as StepEmittedEvent);
  }
}
