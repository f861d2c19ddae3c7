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
