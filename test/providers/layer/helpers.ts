/** Shared setup of the layer's tests: two OpenAI fakes (primary and backup), a recording sink, a manual clock. */
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createOpenAIAdapter } from '../../../providers/adapters/openai.js';
import type { LlmError } from '../../../providers/errors.js';
import type { LlmAuditRecord, LlmAuditSink } from '../../../providers/layer/sink.js';
import type { LlmEvent, LlmMessage } from '../../../providers/types.js';
import { closePools } from '../../../providers/http.js';
import type { FakeScenario, FakeServer } from '../../fakes/fake-server.js';
import { startOpenAiFake, type OpenAiFakeOptions } from '../../fakes/openai-fake.js';

export const apiKey = 'sk-layer-test-0123456789';
export const messages: LlmMessage[] = [{ role: 'user', content: 'Hello' }];

/** A route `smart` that fails over from the `primary` fake to the `backup` one. */
export const failoverRoutes = { smart: { targets: [{ provider: 'primary', model: 'gpt-4o-mini' }, { provider: 'backup', model: 'gpt-4o-mini' }] } };

/** The two fakes of a test file; set once its `beforeAll` has run. */
export interface TwoFakes {
  primary: FakeServer;
  backup: FakeServer;
}

/**
 * Two OpenAI fakes for the tests of the calling file (or `describe`): started before them, closed
 * (with the connection pools) after, their request logs cleared — and, when given, each one's
 * default answer set again — before each test.
 */
export function twoFakes(options: { fake?: OpenAiFakeOptions; defaults?: { primary: FakeScenario; backup: FakeScenario } } = {}): TwoFakes {
  const fakes = {} as TwoFakes;
  beforeAll(async () => {
    [fakes.primary, fakes.backup] = await Promise.all([startOpenAiFake({ apiKey, ...options.fake }), startOpenAiFake({ apiKey, ...options.fake })]);
  });
  afterAll(async () => {
    await closePools();
    await Promise.all([fakes.primary.close(), fakes.backup.close()]);
  });
  beforeEach(() => {
    fakes.primary.requests.length = 0;
    fakes.backup.requests.length = 0;
    if (options.defaults) {
      fakes.primary.setDefault(options.defaults.primary);
      fakes.backup.setDefault(options.defaults.backup);
    }
  });
  return fakes;
}

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
