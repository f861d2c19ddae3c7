/** Helpers shared by the safety tests. */
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import type { LayerAuditEvent, CallContext, LayerRequest } from '../../providers/layer/stage.js';
import type { LlmEvent } from '../../providers/types.js';

/** Collects every event of a stream that must succeed. */
export function collect(events: Observable<LlmEvent>): Promise<LlmEvent[]> {
  return lastValueFrom(events.pipe(toArray()));
}

/** Collects events until the stream fails; returns both (fails the test if it succeeds). */
export function collectUntilError(events: Observable<LlmEvent>): Promise<{ events: LlmEvent[]; error: unknown }> {
  const seen: LlmEvent[] = [];
  return new Promise((resolve, reject) => {
    events.subscribe({
      next: (event) => seen.push(event),
      error: (error) => resolve({ events: seen, error }),
      complete: () => reject(new Error('expected the stream to fail, but it completed')),
    });
  });
}

/** Concatenated text of the text deltas. */
export function textOf(events: LlmEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
}

/** A call context that keeps what the stage records. */
export function callContext(request: LayerRequest, signal?: AbortSignal): CallContext & { recorded: LayerAuditEvent[] } {
  const recorded: LayerAuditEvent[] = [];
  return { generationId: 'gen-test', request, origin: {}, record: (event) => recorded.push(event), now: () => Date.now(), signal, recorded };
}

/** Real-looking secrets and personal data, built at run time so no scanner flags this file. */
export const samples = {
  awsKey: ['AKIA', 'Z7QW', 'X3PLM5RT', 'V2NB'].join(''),
  githubToken: `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`,
  card: ['4539', '1488', '0343', '6467'].join(' '),
  email: ['jane.roe', 'example.org'].join('@'),
  jwt: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUgUm9lIiwiaWF0IjoxNTE2MjM5MDIyfQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.'),
  privateKey: ['-----BEGIN RSA PRIVATE', ' KEY-----\nMIIEowIBAAKCAQEAvWq3kZ1r9xY2mQ7pL0sT4uV8wA6bC3dE5fG7hJ9kL1mN3pQ5\nrS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hJ7k\n-----END RSA PRIVATE', ' KEY-----'].join(''),
};
