/**
 * Checks of a runs row against what protects it. The row lives outside the event chain, yet
 * `mission resume` runs its mission source with its variables in its workspace, refuses it by its
 * status and owner, and `mission runs` reports it. So:
 *
 * - with the audit key, the row's signature must cover the row as it is (status, variables,
 *   timestamps, owner, mission, head; see `signRun`): any edit without the key is caught;
 * - always, the row must agree with its own hashes (mission source, variables) and with what the
 *   (verified) chain recorded: the engine's `mission-start` event holds the mission's hash, name,
 *   file and workspace and carries the variables as its payload, and `mission-end` the final
 *   status. Chains that do not follow that convention (other embedders) get only the first checks.
 */
import type { KeyObject } from 'node:crypto';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { headSignatureMatches, signaturesMatch, signRun } from './chain.js';
import { runFactsOf } from './run-record.js';
import type { RunRow } from './statements.js';

/** The first and last events of a run's verified chain, as stored text. */
export interface ChainEnds {
  firstBody?: string;
  lastBody?: string;
}

/** What is wrong with the row signature, if anything; `legacy` rows are signed over the head only. */
export function describeBadSignature(row: RunRow, key: KeyObject, legacy: boolean): string | undefined {
  const stored = row.head_signature;
  if (stored === null) {
    return 'The run carries no signature although an audit key was given: the signature was removed, or the run was written without the key.';
  }
  const valid = legacy
    ? headSignatureMatches(key, row.run_id, row.event_count, row.head_hash, stored)
    : signaturesMatch(signRun(key, runFactsOf(row)), stored);
  if (valid) return undefined;
  return legacy
    ? 'The run head signature does not verify: the head was rewritten (truncation or a recomputed chain), or it was signed with a different audit key.'
    : "The run's signature does not verify: its row (status, variables, timestamps, owner, mission or head) was edited, the chain was truncated or recomputed, or it was signed with a different audit key.";
}

/** What is wrong with the row's own hashes: its mission source and variables. */
export function describeBadRowHashes(row: RunRow): string | undefined {
  if (row.erased_at !== null) {
    // Erased: the source and variables are gone; what remains must be the erasure's blanks.
    if (row.mission_source !== '' || row.vars !== '{}') return 'The run is marked erased but still holds a mission source or variables: the runs row was edited.';
    return undefined;
  }
  if (sha256Hex(row.mission_source) !== row.mission_hash) return 'The mission source no longer matches its recorded hash: the runs row was edited.';
  if (row.vars_hash !== null && sha256Hex(row.vars) !== row.vars_hash) return "The run's variables no longer match their recorded hash: the runs row was edited.";
  return undefined;
}

/** What the row says that its chain contradicts, if anything. */
export function describeRowAgainstChain(row: RunRow, ends: ChainEnds): string | undefined {
  const first = parseChained(ends.firstBody);
  const last = parseChained(ends.lastBody);
  if (first === null || last === null) return 'An event is not valid JSON although its hash links: the chain was recomputed.';
  if (first?.type !== 'mission-start') return undefined;
  const data = first.data ?? {};
  const recorded: Array<[field: string, chained: unknown, stored: string]> = [
    ['mission source (its hash)', data.missionHash, row.mission_hash],
    ['mission name', data.missionName, row.mission_name],
    ['mission file', data.missionFile, row.mission_file],
    ['workspace', data.workspace, row.workspace],
  ];
  for (const [field, chained, stored] of recorded) {
    if (typeof chained === 'string' && chained !== stored) return `The run's ${field} differs from what its mission-start event recorded: the runs row was edited.`;
  }
  // Erasure empties the variables along with the payload that holds them.
  if (first.payloadHash !== undefined && row.erased_at === null && varsPayloadHash(row.vars) !== first.payloadHash) {
    return "The run's variables differ from those its mission-start event recorded: the runs row was edited.";
  }
  const endStatus = last?.type === 'mission-end' && typeof last.data?.status === 'string' ? last.data.status : undefined;
  // `running` is legitimate after mission-end: a crash between the last batch and the status
  // update, or a resume that has set the status but not yet recorded mission-resume.
  if (row.status === 'running') return undefined;
  if (endStatus === undefined) {
    return `The run's status "${row.status}" was never recorded: its chain does not end with mission-end, so the run is still running or was killed. The runs row was edited.`;
  }
  if (row.status !== endStatus) return `The run's status "${row.status}" differs from the "${endStatus}" its mission-end event recorded: the runs row was edited.`;
  return undefined;
}

/** The fields of a verified event body that {@link describeRowAgainstChain} reads. */
interface ChainedEvent {
  type?: unknown;
  data?: Record<string, unknown>;
  payloadHash?: string;
}

/** The event in `body`; `undefined` for no body, `null` when it is not JSON. */
function parseChained(body: string | undefined): ChainedEvent | undefined | null {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body) as ChainedEvent;
  } catch {
    return null;
  }
}

/** The hash of the `{vars}` payload the engine records with mission-start; `''` when unreadable. */
function varsPayloadHash(varsText: string): string {
  try {
    return sha256Hex(canonicalJson({ vars: JSON.parse(varsText) as unknown }));
  } catch {
    return '';
  }
}
