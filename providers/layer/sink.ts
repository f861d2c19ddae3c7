/**
 * Where the layer's decisions go: an audit sink receives one record per decision (`llm-retry`,
 * `llm-failover`, `llm-circuit-open`, …) with the generation id and the origin (run, step) of the
 * call that made it. The engine's audit store implements it; the default drops records.
 */
import type { LlmEvent } from '../types.js';
import type { CallOrigin, LayerAuditEvent } from './stage.js';

/** One audit record of the layer. */
export interface LlmAuditRecord extends LayerAuditEvent {
  /** The call's generation id; absent for decisions no call made (a background probe). */
  generationId?: string;
  origin?: CallOrigin;
  /** Epoch milliseconds on the layer's clock. */
  at: number;
}

/** Receives the layer's audit records. Must not throw (a throwing sink is ignored, never fails a call). */
export interface LlmAuditSink {
  record(record: LlmAuditRecord): void;
}

/** The audit event for a layer event, or undefined for events that are answer content. */
export function auditEventFor(event: LlmEvent): LayerAuditEvent | undefined {
  switch (event.type) {
    case 'retry':
      return { type: 'llm-retry', target: event.target, attempt: event.attempt, errorCode: event.errorCode, delayMs: event.delayMs, reason: event.reason };
    case 'failover':
      return { type: 'llm-failover', from: event.from, to: event.to, errorCode: event.errorCode };
    case 'circuit-open':
    case 'circuit-half-open':
    case 'circuit-closed':
      return { type: `llm-${event.type}`, target: event.target, reason: event.reason };
    default:
      return undefined;
  }
}

/** Hands a record to a sink, swallowing the sink's failures: auditing must not break calls. */
export function safeRecord(sink: LlmAuditSink | undefined, record: LlmAuditRecord): void {
  if (!sink) return;
  try {
    sink.record(record);
  } catch {
    // The sink owns its failures (the engine's store logs them); a call goes on.
  }
}
