/** Shared setup of the layer's tests: two OpenAI fakes (primary and backup), a recording sink, a manual clock. */
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import type { LlmError } from '../../../providers/errors.js';
import type { LlmAuditRecord, LlmAuditSink } from '../../../providers/layer/sink.js';
import type { LlmEvent, LlmMessage } from '../../../providers/types.js';
import type { FakeServer } from '../../fakes/fake-server.js';

export const apiKey = 'sk-layer-test-0123456789';
export const messages: LlmMessage[] = [{ role: 'user', content: 'Hello' }];

/** An OpenAI adapter pointed at a fake. */
export function adapterFor(fake: FakeServer) {
  return createOpenAIAdapter({ apiKey, baseUrl: `${fake.url}/v1` });
}

/** A sink that keeps every record. */
export class RecordingSink implements LlmAuditSink {
  readonly records: LlmAuditRecord[] = [];
  record(record: LlmAuditRecord): void {
    this.records.push(record);
  }
  ofType(type: string): LlmAuditRecord[] {
    return this.records.filter((record) => record.type === type);
  }
}

/** Every event of a call. */
export function collect(events: Observable<LlmEvent>): Promise<LlmEvent[]> {
  return lastValueFrom(events.pipe(toArray()));
}

/** The error a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (error) {
    return error as LlmError;
  }
  throw new Error('expected the call to fail');
}

/** Events of a type. */
export function ofType<T extends LlmEvent['type']>(events: LlmEvent[], type: T): Extract<LlmEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LlmEvent, { type: T }> => event.type === type);
}
