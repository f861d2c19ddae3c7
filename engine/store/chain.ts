/**
 * The hash chain's arithmetic: genesis hash, event text, event hash and the HMAC over a run head.
 * Kept apart from SQLite so the writer and the verifier share one definition.
 */
import { createHmac, hash, timingSafeEqual, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** The `prevHash` of a run's first event: SHA-256 hex of `genesis:` + runId. */
export function genesisHash(runId: string): string {
  return hash('sha256', 'genesis:' + runId, 'hex');
}

/** The fields of an event that the chain covers. */
export interface ChainedFields {
  runId: string;
  index: number;
  type: string;
  stepId?: string;
  at: string;
  data: Record<string, unknown>;
  payloadHash?: string;
}

/**
 * Canonical JSON of the chained fields. Written out by hand in sorted key order (at, data, index,
 * payloadHash, runId, stepId, type) because this runs once per append; it equals
 * `canonicalJson(fields)`, which the tests check.
 */
export function eventBody(fields: ChainedFields): string {
  let text = '{"at":' + JSON.stringify(fields.at) + ',"data":' + canonicalJson(fields.data) + ',"index":' + String(fields.index);
  if (fields.payloadHash !== undefined) text += ',"payloadHash":' + JSON.stringify(fields.payloadHash);
  text += ',"runId":' + JSON.stringify(fields.runId);
  if (fields.stepId !== undefined) text += ',"stepId":' + JSON.stringify(fields.stepId);
  return text + ',"type":' + JSON.stringify(fields.type) + '}';
}

/** `sha256hex(prevHash ‖ body)`: the link from one event to the next. */
export function eventHash(prevHash: string, body: string): string {
  // One-shot crypto.hash is about twice as fast as createHash for short inputs.
  return hash('sha256', prevHash + body, 'hex');
}

/**
 * HMAC-SHA256 over a run head. The three parts go in as a JSON array so no run id can be
 * crafted to collide with another (runId, eventCount) split.
 */
export function signHead(key: KeyObject, runId: string, eventCount: number, headHash: string): string {
  return createHmac('sha256', key).update(JSON.stringify([runId, eventCount, headHash])).digest('hex');
}

/** Compares a stored head signature with the expected one in constant time. */
export function headSignatureMatches(key: KeyObject, runId: string, eventCount: number, headHash: string, stored: string): boolean {
  const expected = Buffer.from(signHead(key, runId, eventCount, headHash), 'hex');
  const actual = Buffer.from(stored, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The facts of a runs row that its signature covers (see {@link signRun}). */
export interface RunFacts {
  runId: string;
  eventCount: number;
  headHash: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  owner: string | null;
  missionHash: string;
  missionName: string;
  missionFile: string;
  workspace: string;
  /** SHA-256 of the variables' canonical JSON; kept when the variables themselves are erased. */
  varsHash: string;
  erasedAt: string | null;
}

/**
 * HMAC-SHA256 over a whole runs row: its chain head and every fact `mission runs`, `resume` and
 * `verify` rely on. Editing the status, the variables, a timestamp or the owner without the key
 * therefore breaks the signature, not only edits of the chain. The tag keeps these signatures
 * apart from the older head-only ones ({@link signHead}) and from the store head's.
 */
export function signRun(key: KeyObject, facts: RunFacts): string {
  const parts = [
    'run-v2', facts.runId, facts.eventCount, facts.headHash, facts.status, facts.startedAt, facts.endedAt, facts.owner,
    facts.missionHash, facts.missionName, facts.missionFile, facts.workspace, facts.varsHash, facts.erasedAt,
  ];
  return createHmac('sha256', key).update(JSON.stringify(parts)).digest('hex');
}

/** HMAC-SHA256 over the store head: how many runs the run index holds and its last hash. */
export function signStoreHead(key: KeyObject, runCount: number, headHash: string): string {
  return createHmac('sha256', key).update(JSON.stringify(['store-v1', runCount, headHash])).digest('hex');
}

/** Compares two hex signatures in constant time. */
export function signaturesMatch(expected: string, stored: string): boolean {
  const expectedBytes = Buffer.from(expected, 'hex');
  const storedBytes = Buffer.from(stored, 'hex');
  return storedBytes.length === expectedBytes.length && timingSafeEqual(storedBytes, expectedBytes);
}
