/**
 * Verification of the audit store: recomputes every run's hash chain from its genesis, checks the
 * stored hashes, the head the runs table records (and its HMAC when a key is given), that the
 * runs row agrees with what its chain recorded about the run, and that every stored payload still
 * matches the hash it is keyed by.
 *
 * The hot loop hashes the stored event text as it is and never parses it: JSON is parsed only to
 * describe a problem once one is found.
 */
import type Database from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { eventHash, genesisHash, headSignatureMatches } from './chain.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { VerifyProblem, VerifyReport } from './types.js';

/** What verification needs to know beyond the database. */
export interface VerifyOptions {
  /** Only this run (and the payloads it references). */
  runId?: string;
  /** The audit key; without it heads are checked for consistency but not authenticated. */
  key?: KeyObject;
}

type RunRow = [
  runId: string, eventCount: number, headHash: string, headSignature: string | null, missionHash: string, missionSource: string,
  missionName: string, missionFile: string, vars: string, status: string, workspace: string,
];
type EventRow = [index: number, body: string, hash: string];


const unsignedWarning = 'Run heads could not be authenticated: the store was opened without an audit key (set MISSION_AUDIT_KEY). The chains were checked, but a rewritten head or a recomputed chain would go unnoticed.';

/** Verifies the store (or one run) and reports the first problem found. */
export function verifyStore(database: Database.Database, options: VerifyOptions = {}): VerifyReport {
  const signed = options.key !== undefined;
  const report = (runsChecked: number, eventsChecked: number, problem?: VerifyProblem): VerifyReport => ({
    ok: problem === undefined,
    runsChecked,
    eventsChecked,
    ...(problem === undefined ? {} : { problem }),
    signed,
    ...(signed ? {} : { warning: unsignedWarning }),
  });

  const runColumns = 'run_id, event_count, head_hash, head_signature, mission_hash, mission_source, mission_name, mission_file, vars, status, workspace';
  const runs = (options.runId === undefined
    ? database.prepare(`SELECT ${runColumns} FROM runs ORDER BY started_at, rowid`)
    : database.prepare(`SELECT ${runColumns} FROM runs WHERE run_id = ?`)
  ).raw();
  const runRows = (options.runId === undefined ? runs.all() : runs.all(options.runId)) as RunRow[];
  if (options.runId !== undefined && runRows.length === 0) {
    return report(0, 0, { runId: options.runId, reason: 'The run is not in the store.' });
  }

  const editedPayloads = options.runId === undefined ? scanAllPayloads(database) : lookUpReferencedPayloads(database);
  const eventsOfRun = database.prepare(`SELECT idx, body, hash FROM events WHERE run_id = ? AND idx > ? ORDER BY idx LIMIT ${pageSize}`).raw();
  let eventsChecked = 0;
  let runsChecked = 0;
  for (const run of runRows) {
    runsChecked += 1;
    const result = verifyRun(run, eventsOfRun, editedPayloads, options.key);
    eventsChecked += result.eventsChecked;
    if (result.problem !== undefined) return report(runsChecked, eventsChecked, result.problem);
  }

  if (options.runId === undefined) {
    const orphan = database
      .prepare('SELECT run_id, MIN(idx) FROM events WHERE run_id NOT IN (SELECT run_id FROM runs) GROUP BY run_id ORDER BY run_id LIMIT 1')
      .raw()
      .get() as [string, number] | undefined;
    if (orphan !== undefined) {
      return report(runsChecked, eventsChecked, {
        runId: orphan[0],
        index: orphan[1],
        reason: 'Events exist for a run the store does not record: rows were inserted, or the run was deleted.',
      });
    }
  }
  return report(runsChecked, eventsChecked);
}

/**
 * Rows per page. Fetching pages with `.all()` and walking arrays is about 40 % faster than
 * better-sqlite3's row-by-row `.iterate()`, and keeps memory bounded for long runs.
 */
const pageSize = 4096;

function verifyRun(run: RunRow, eventsOfRun: Database.Statement, editedPayloads: EditedPayloads, key: KeyObject | undefined): { eventsChecked: number; problem?: VerifyProblem } {
  const [runId, eventCount, headHash, headSignature, missionHash, missionSource] = run;
  if (sha256Hex(missionSource) !== missionHash) {
    return { eventsChecked: 0, problem: { runId, reason: 'The mission source no longer matches its recorded hash: the runs row was edited.' } };
  }
  let expectedIndex = 0;
  let previousHash = genesisHash(runId);
  let problem: VerifyProblem | undefined;
  // Payloads are checked once each, after the walk: many events share one (content-addressed).
  const firstReference = new Map<string, number>();
  // Keyset pagination on idx, starting below every integer: a tampered row with a negative or
  // non-numeric idx still comes back. Inlined rather than a generator, which costs ~25 % here.
  let after: number | string = -Number.MAX_VALUE;
  let page: EventRow[] = [];
  let position = 0;
  let firstBody: string | undefined;
  let lastBody: string | undefined;
  for (;;) {
    if (position === page.length) {
      if (page.length > 0 && page.length < pageSize) break;
      if (page.length > 0) after = page[page.length - 1][0];
      page = eventsOfRun.all(runId, after) as EventRow[];
      position = 0;
      if (page.length === 0) break;
    }
    const [index, body, hash] = page[position++];
    if (index !== expectedIndex) {
      problem = { runId, index: expectedIndex, reason: `Event ${expectedIndex} is missing (the next stored event is ${index}): rows were deleted.` };
      break;
    }
    if (index >= eventCount) {
      problem = { runId, index, reason: `Event ${index} lies beyond the head, which records ${eventCount} events: rows were inserted.` };
      break;
    }
    if (eventHash(previousHash, body) !== hash) {
      problem = describeBrokenLink(runId, index, body);
      break;
    }
    if (editedPayloads.needsReferences) {
      const payloadHash = topLevelPayloadHash(body);
      if (payloadHash !== undefined && !firstReference.has(payloadHash)) firstReference.set(payloadHash, index);
    }
    if (index === 0) firstBody = body;
    lastBody = body;
    previousHash = hash;
    expectedIndex += 1;
  }
  const eventsChecked = expectedIndex;
  // An edited payload referenced before the first broken link is the first problem.
  const editedAt = editedPayloads.firstEdited(firstReference);
  if (editedAt !== undefined) {
    return { eventsChecked, problem: { runId, index: editedAt, reason: `The payload of event ${editedAt} no longer matches its hash: the payload was edited.` } };
  }
  if (problem !== undefined) return { eventsChecked, problem };

  if (expectedIndex < eventCount) {
    return { eventsChecked, problem: { runId, index: expectedIndex, reason: `The chain is truncated: the head records ${eventCount} events but only ${expectedIndex} are stored.` } };
  }
  if (previousHash !== headHash) {
    return {
      eventsChecked,
      problem: { runId, ...(expectedIndex > 0 ? { index: expectedIndex - 1 } : {}), reason: 'The last event\'s hash does not match the head hash: the head or the tail was rewritten.' },
    };
  }
  if (key !== undefined) {
    if (headSignature === null) {
      return { eventsChecked, problem: { runId, reason: 'The run head carries no signature although an audit key was given: the signature was removed, or the run was written without the key.' } };
    }
    if (!headSignatureMatches(key, runId, eventCount, headHash, headSignature)) {
      return {
        eventsChecked,
        problem: { runId, reason: 'The run head signature does not verify: the head was rewritten (truncation or a recomputed chain), or it was signed with a different audit key.' },
      };
    }
  }
  const editedRow = describeEditedRunRow(run, firstBody, lastBody);
  if (editedRow !== undefined) return { eventsChecked, problem: { runId, reason: editedRow } };
  return { eventsChecked };
}

/**
 * The runs row lives outside the chain, yet `mission resume` runs its mission source with its
 * variables in its workspace, and `mission runs` reports its status. So it must agree with what
 * the (verified) chain recorded: the engine's `mission-start` event holds the mission's hash,
 * name, file and workspace and carries the variables as its payload; `mission-end` holds the
 * final status. Chains that do not
 * follow that convention (other embedders) are not checked here.
 */
function describeEditedRunRow(run: RunRow, firstBody: string | undefined, lastBody: string | undefined): string | undefined {
  const [, , , , missionHash, , missionName, missionFile, varsText, status, workspace] = run;
  const first = parseChained(firstBody);
  const last = parseChained(lastBody);
  if (first === null || last === null) return 'An event is not valid JSON although its hash links: the chain was recomputed.';
  if (first?.type === 'mission-start') {
    const data = first.data ?? {};
    const recorded: Array<[field: string, chained: unknown, stored: string]> = [
      ['mission source (its hash)', data.missionHash, missionHash],
      ['mission name', data.missionName, missionName],
      ['mission file', data.missionFile, missionFile],
      ['workspace', data.workspace, workspace],
    ];
    for (const [field, chained, stored] of recorded) {
      if (typeof chained === 'string' && chained !== stored) return `The run's ${field} differs from what its mission-start event recorded: the runs row was edited.`;
    }
    // Erasure empties the variables along with the payload that holds them.
    if (first.payloadHash !== undefined && varsText !== '{}' && varsPayloadHash(varsText) !== first.payloadHash) {
      return "The run's variables differ from those its mission-start event recorded: the runs row was edited.";
    }
  }
  // `running` is legitimate after mission-end: a crash between the last batch and the status update.
  if (last?.type === 'mission-end' && typeof last.data?.status === 'string' && status !== last.data.status && status !== 'running') {
    return `The run's status "${status}" differs from the "${last.data.status}" its mission-end event recorded: the runs row was edited.`;
  }
  return undefined;
}

/** The fields of a verified event body that {@link describeEditedRunRow} reads. */
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

/**
 * Names what is wrong with a row whose link failed. Parsing is fine here: it happens once. When
 * the row holds an earlier event than its position, rows were inserted before it, and the first
 * bad position is where that event should be.
 */
function describeBrokenLink(runId: string, index: number, body: string): VerifyProblem {
  let stored: { index?: unknown; runId?: unknown } = {};
  try {
    stored = JSON.parse(body) as typeof stored;
  } catch {
    return { runId, index, reason: `Event ${index} is not valid JSON: the row was edited.` };
  }
  if (stored.runId !== runId) {
    return { runId, index, reason: `The row at event ${index} holds an event of another run: rows were moved or inserted.` };
  }
  if (typeof stored.index === 'number' && stored.index !== index) {
    if (stored.index < index && stored.index >= 0) {
      return { runId, index: stored.index, reason: `Rows were inserted at event ${stored.index}: the original event ${stored.index} now sits at position ${index}.` };
    }
    return { runId, index, reason: `The row at event ${index} holds event ${String(stored.index)}: rows were reordered or deleted.` };
  }
  return { runId, index, reason: `Event ${index} does not match its hash: the row (its content or its hash) was edited.` };
}

/**
 * The event's own payload hash, found without parsing. Keys are sorted, so the top-level
 * `"index":` is the last one in the text (only runId, stepId and type follow it, all strings, in
 * which quotes are escaped); a top-level payloadHash follows it directly.
 */
function topLevelPayloadHash(body: string): string | undefined {
  const indexKey = body.lastIndexOf('"index":');
  if (indexKey < 0) return undefined;
  let cursor = indexKey + 8;
  while (cursor < body.length && body.charCodeAt(cursor) >= 48 && body.charCodeAt(cursor) <= 57) cursor += 1;
  const marker = ',"payloadHash":"';
  if (!body.startsWith(marker, cursor)) return undefined;
  const start = cursor + marker.length;
  const end = body.indexOf('"', start);
  return end < 0 ? undefined : body.slice(start, end);
}

/**
 * Given the payloads a run's events reference (hash → first referencing index), the first event
 * whose payload no longer matches the hash it is stored under. Erased payloads (content NULL) are
 * tombstones with nothing to check; a payload row deleted outright is not reported either: in
 * effect it is indistinguishable from an erasure, which is legitimate.
 */
interface EditedPayloads {
  /** Whether {@link firstEdited} needs the references at all (not when nothing was edited). */
  needsReferences: boolean;
  firstEdited(firstReference: ReadonlyMap<string, number>): number | undefined;
}

/**
 * For the whole store: every payload is read once, in table order, up front; a run then only
 * looks up the (usually empty) set of edited ones. Faster than looking up each reference.
 */
function scanAllPayloads(database: Database.Database): EditedPayloads {
  const edited = new Set<string>();
  const rows = database.prepare('SELECT hash, content FROM payloads WHERE content IS NOT NULL').raw().iterate() as IterableIterator<[string, string]>;
  for (const [payloadHash, content] of rows) {
    if (sha256Hex(content) !== payloadHash) edited.add(payloadHash);
  }
  const firstEdited = (firstReference: ReadonlyMap<string, number>): number | undefined => {
    let first: number | undefined;
    for (const payloadHash of edited) {
      const index = firstReference.get(payloadHash);
      if (index !== undefined && (first === undefined || index < first)) first = index;
    }
    return first;
  };
  return { needsReferences: edited.size > 0, firstEdited };
}

/**
 * For one run: only the payloads its events reference are read, in batches (one SQLite call per
 * batch is far cheaper than one per payload, and than scanning every event's JSON in SQL).
 */
function lookUpReferencedPayloads(database: Database.Database): EditedPayloads {
  const batchSize = 4096;
  const contents = database.prepare('SELECT hash, content FROM payloads WHERE hash IN (SELECT value FROM json_each(?)) AND content IS NOT NULL').raw();
  const firstEdited = (firstReference: ReadonlyMap<string, number>): number | undefined => {
    let first: number | undefined;
    const hashes = [...firstReference.keys()];
    for (let start = 0; start < hashes.length; start += batchSize) {
      for (const [payloadHash, content] of contents.all(JSON.stringify(hashes.slice(start, start + batchSize))) as [string, string][]) {
        const index = firstReference.get(payloadHash) as number;
        if ((first === undefined || index < first) && sha256Hex(content) !== payloadHash) first = index;
      }
    }
    return first;
  };
  return { needsReferences: true, firstEdited };
}
