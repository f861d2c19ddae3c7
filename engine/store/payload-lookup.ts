/** Reading payloads: one run's copy (stored or still pending), or any run's. */
import type { Statements } from './statements.js';
import type { PayloadLookup } from './types.js';
import { pendingPayloadKey, type PendingPayload } from './write-batch.js';

/** What the store holds for run `runId`'s payload `hash`, pending appends included. */
export function lookUpPayload(statements: Statements, pending: ReadonlyMap<string, PendingPayload>, runId: string, hash: string): PayloadLookup {
  const row = statements.selectPayload.get(runId, hash) as [content: string | null, erasedAt: string | null] | undefined;
  // A stored erasure wins over a pending copy: the insert will not restore it.
  if (row !== undefined && row[0] === null) return { status: 'erased', erasedAt: row[1] ?? '' };
  const content = row?.[0] ?? pending.get(pendingPayloadKey(runId, hash))?.[2];
  return content === undefined ? { status: 'missing' } : { status: 'present', value: JSON.parse(content) };
}

/** Any run's copy of payload `hash` that is not erased, for callers that do not name the run. */
export function lookUpAnyPayload(statements: Statements, pending: ReadonlyMap<string, PendingPayload>, hash: string): PayloadLookup {
  for (const [, payloadHash, content] of pending.values()) {
    if (payloadHash === hash) return { status: 'present', value: JSON.parse(content) };
  }
  const content = statements.selectAnyPayload.get(hash) as string | undefined;
  return content === undefined ? { status: 'missing' } : { status: 'present', value: JSON.parse(content) };
}
