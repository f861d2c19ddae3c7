/**
 * The tamper-evident audit store: runs, hash-chained events and erasable payloads in SQLite.
 *
 * `append()` chains and hashes synchronously, so callers get the final event at once, but rows are
 * written in batches (next `setImmediate`, 512 pending, `flush()`, `close()` or process exit), one
 * `BEGIN IMMEDIATE` transaction per batch that also moves the run head. A crash therefore leaves a
 * consistent prefix of every chain: at most the unwritten batch is lost, and verify still passes.
 */
import Database from 'better-sqlite3';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MissionError, MissionErrorCode } from '../errors.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { eventBody, eventHash, genesisHash, signStoreHead } from './chain.js';
import { assertFileIntact, assertSchemaIntact, classifyStoreError } from './damage.js';
import { eraseRun } from './erasure.js';
import { iterateEvents, type EventFilter } from './event-query.js';
import { registerForExitFlush, unregisterForExitFlush, type ExitFlushable } from './exit-flush.js';
import { appendRunIndex, signUpgradedStoreHead } from './run-index.js';
import { currentOwner, newRunRow, toRunRecord } from './run-record.js';
import { RunSigner } from './run-signer.js';
import { lookUpAnyPayload, lookUpPayload } from './payload-lookup.js';
import { migrate } from './schema.js';
import { openStatements, type RunRow, type Statements } from './statements.js';
import type { AppendInput, PayloadLookup, RunRecord, RunStatus, StoredEvent, VerifyReport } from './types.js';
import { verifyStore } from './verify.js';
import { pendingPayloadKey, writeBatch, type Head, type PendingEvent, type PendingPayload } from './write-batch.js';

/** Pending appends beyond which `append()` writes the batch before adding more. */
const batchLimit = 512;
/**
 * The largest payload (characters of canonical JSON) one event may carry: 256 Mi. Room for the
 * largest file `read_file` reads (50 MB) even when escaping multiplies it, well under SQLite's
 * default 1e9-byte value limit.
 */
const defaultMaxPayloadChars = 256 * 1024 * 1024;
/** How long a writer waits for another process's transaction before giving up. */
const busyTimeoutMs = 5_000;

/** Options of {@link AuditStore.open}. */
export interface AuditStoreOptions {
  /**
   * Secret for HMAC-signing run heads (the CLI passes `MISSION_AUDIT_KEY`). An empty string counts
   * as no key. The key is held as a `KeyObject` and never written anywhere.
   */
  auditKey?: string;
  /** The largest payload one event may carry, in characters of canonical JSON (default 256 Mi). */
  maxPayloadChars?: number;
}

/** What {@link AuditStore.createRun} needs. */
export interface CreateRunInput {
  runId: string;
  missionName: string;
  missionFile: string;
  missionSource: string;
  vars: Record<string, unknown>;
  workspace: string;
  startedAt?: Date;
}

/** A SQLite audit store; see the module comment for its write model. */
export class AuditStore {
  readonly #database: Database.Database;
  readonly #statements: Statements;
  /** Each run's head as this store knows it, pending appends included. */
  readonly #heads = new Map<string, Head>();
  /**
   * Each run's head as the database had it when the pending batch began. Compared inside the
   * write transaction, so a second writer on the same run is caught instead of forking the chain.
   */
  readonly #batchBase = new Map<string, Head>();
  #pendingEvents: PendingEvent[] = [];
  readonly #pendingPayloads = new Map<string, PendingPayload>();
  readonly #key: KeyObject | undefined;
  readonly #signer: RunSigner;
  /** Where the database lives, for messages. */
  readonly #path: string;
  readonly #maxPayloadChars: number;
  #scheduled: NodeJS.Immediate | undefined;
  /** An error from a background write that no caller has seen yet. */
  #backgroundError: unknown;
  readonly #exitHook: ExitFlushable = { flushAtExit: () => this.#writePending() };
  #closed = false;

  private constructor(database: Database.Database, key: KeyObject | undefined, statements: Statements, path: string, maxPayloadChars: number) {
    this.#maxPayloadChars = maxPayloadChars;
    this.#database = database;
    this.#key = key;
    this.#signer = new RunSigner(key, statements);
    this.#statements = statements;
    this.#path = path;
    registerForExitFlush(this.#exitHook);
  }

  /**
   * Opens (creating folders and tables as needed) the store at `path`; `':memory:'` works too.
   * WAL journal and `synchronous=NORMAL`: durable at each checkpoint, fast per batch.
   */
  static open(path: string, options: AuditStoreOptions = {}): AuditStore {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    const key = options.auditKey ? createSecretKey(Buffer.from(options.auditKey, 'utf8')) : undefined;
    let database: Database.Database;
    try {
      database = new Database(path, { timeout: busyTimeoutMs });
    } catch (error) {
      throw classifyStoreError(error, path, 'Could not open the audit store');
    }
    try {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      // Zero freed space as rows change: otherwise old copies of payloads and run variables stay
      // in the file's free space, and an erasure would only hide them.
      database.pragma('secure_delete = ON');
      const signHead = (count: number, headHash: string): string | null => (key === undefined ? null : signStoreHead(key, count, headHash));
      migrate(database, { signStoreHead: signHead });
      assertSchemaIntact(database, path);
      if (key !== undefined) signUpgradedStoreHead(database, signHead);
      return new AuditStore(database, key, openStatements(database), path, options.maxPayloadChars ?? defaultMaxPayloadChars);
    } catch (error) {
      database.close();
      throw classifyStoreError(error, path, 'Could not open the audit store');
    }
  }

  /** Records a new run with an empty chain. Throws `MISSION_ERR_AUDIT_STORE` if the id is taken. */
  createRun(input: CreateRunInput): RunRecord {
    this.#assertOpen();
    const row = newRunRow({ ...input, startedAt: (input.startedAt ?? new Date()).toISOString() });
    // The row and its run-index entry go in together: a run is never in one without the other.
    const insert = this.#database.transaction(() => {
      this.#statements.insertRun.run(
        row.run_id, row.mission_name, row.mission_file, row.mission_hash, row.mission_source, row.vars, row.workspace, row.status,
        row.started_at, 0, row.head_hash, this.#signer.signRow(row), row.owner, row.vars_hash,
      );
      appendRunIndex(this.#database, { runId: row.run_id, missionHash: row.mission_hash, startedAt: row.started_at }, (count, indexHash) =>
        this.#signer.signStoreHead(count, indexHash),
      );
    });
    try {
      insert.immediate();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new MissionError(MissionErrorCode.auditStore, `A run with id "${input.runId}" already exists in the audit store; run ids must be unique.`, { cause: error });
      }
      throw classifyStoreError(error, this.#path, 'Could not record the run');
    }
    this.#signer.noteNewRun(row.run_id);
    this.#heads.set(row.run_id, { count: 0, hash: row.head_hash });
    return { ...toRunRecord(row), vars: input.vars };
  }

  /** The run, or `undefined` when the store does not know it. Pending appends are written first. */
  getRun(runId: string): RunRecord | undefined {
    this.flush();
    const row = this.#statements.selectRun.get(runId) as RunRow | undefined;
    return row === undefined ? undefined : toRunRecord(row);
  }

  /** Runs, newest first; with `startedBefore`, only runs that started before that time. */
  listRuns(options: { limit?: number; startedBefore?: Date } = {}): RunRecord[] {
    this.flush();
    const rows = options.startedBefore === undefined
      ? this.#statements.listRuns.all(options.limit ?? -1)
      : this.#statements.listRunsStartedBefore.all(options.startedBefore.toISOString(), options.limit ?? -1);
    return (rows as RunRow[]).map(toRunRecord);
  }

  /**
   * Sets a run's status. `endedAt` defaults to now for final statuses and is cleared when a run
   * goes back to `running` (resume). Status is not part of the chain: record it as an event too.
   */
  setRunStatus(runId: string, status: RunStatus, endedAt?: Date): void {
    this.flush();
    const running = status === 'running';
    const ended = running ? null : (endedAt ?? new Date()).toISOString();
    // Read, change and re-sign in one write transaction, so the signature matches the row.
    const update = this.#database.transaction(() => {
      const row = this.#requireRow(runId);
      // A running run belongs to this process until it ends.
      const updated: RunRow = { ...row, status, ended_at: ended, owner: running ? currentOwner() : null };
      this.#statements.updateStatus.run(status, ended, updated.owner, this.#signer.signRow(updated), runId);
    });
    update.immediate();
  }

  /** Chains an event to the run and returns it; the row is written with the next batch. */
  append(runId: string, input: AppendInput): StoredEvent {
    this.#assertOpen();
    this.#throwBackgroundError();
    if (this.#pendingEvents.length >= batchLimit) this.flush();
    const head = this.#headOf(runId);
    const data = input.data ?? {};
    let payloadText: string | undefined;
    let payloadHash: string | undefined;
    if (input.payload !== undefined) {
      payloadText = canonicalJson(input.payload);
      // Checked before anything is chained, so a refused payload leaves no half-written event.
      if (payloadText.length > this.#maxPayloadChars) {
        throw new MissionError(
          MissionErrorCode.auditStore,
          `The payload of a "${input.type}" event is ${payloadText.length} characters of JSON; the audit store keeps at most ${this.#maxPayloadChars} per event.`,
        );
      }
      payloadHash = sha256Hex(payloadText);
    }
    const at = new Date().toISOString();
    const body = eventBody({ runId, index: head.count, type: input.type, stepId: input.stepId, at, data, payloadHash });
    const hash = eventHash(head.hash, body);
    // Everything that can throw is above: from here on the append is accepted.
    if (!this.#batchBase.has(runId)) this.#batchBase.set(runId, { ...head });
    if (payloadText !== undefined && payloadHash !== undefined) {
      this.#pendingPayloads.set(pendingPayloadKey(runId, payloadHash), [runId, payloadHash, payloadText]);
    }
    this.#pendingEvents.push([runId, head.count, body, hash]);
    const event: StoredEvent = {
      runId,
      index: head.count,
      type: input.type,
      ...(input.stepId === undefined ? {} : { stepId: input.stepId }),
      at,
      data,
      ...(payloadHash === undefined ? {} : { payloadHash }),
      prevHash: head.hash,
      hash,
    };
    head.count += 1;
    head.hash = hash;
    this.#schedule();
    return event;
  }

  /** Writes all pending appends now, in one transaction. */
  flush(): void {
    this.#assertOpen();
    this.#throwBackgroundError();
    this.#writePending();
  }

  /** The run's events in chain order, read from the stored (hashed) text. */
  events(runId: string): StoredEvent[] {
    this.flush();
    let prevHash = genesisHash(runId);
    return (this.#statements.selectEvents.all(runId) as Array<[string, string]>).map(([body, hash]) => {
      const fields = JSON.parse(body) as Omit<StoredEvent, 'prevHash' | 'hash'>;
      const event: StoredEvent = { ...fields, prevHash, hash };
      prevHash = hash;
      return event;
    });
  }

  /**
   * The events matching `filter` (type, run, time), run by run in start order, each run's in chain
   * order; read lazily, page by page. Pending appends are written first.
   */
  queryEvents(filter: EventFilter = {}): IterableIterator<StoredEvent> {
    this.flush();
    return iterateEvents(this.#database, filter);
  }

  /**
   * The payload with this hash as run `runId` recorded it, or `undefined` when it was erased or
   * never stored. Payloads are kept per run, so pass the run (`event.runId`): without it, any
   * run's copy that is not erased is returned.
   */
  payload(hash: string, runId?: string): unknown {
    this.#assertOpen();
    const found = runId === undefined ? lookUpAnyPayload(this.#statements, this.#pendingPayloads, hash) : this.readPayload(runId, hash);
    return found.status === 'present' ? found.value : undefined;
  }

  /** What the store holds for run `runId`'s payload `hash`: its value, an erasure, or nothing. */
  readPayload(runId: string, hash: string): PayloadLookup {
    this.#assertOpen();
    return lookUpPayload(this.#statements, this.#pendingPayloads, runId, hash);
  }

  /**
   * Erases run `runId` for a privacy request: the content of its payloads (step outputs, prompts,
   * completions, error messages), its variables and its mission source. Tombstones keep the chain
   * and verify valid; other runs, even with identical content, keep theirs; and nothing erased
   * comes back when the same content is recorded again. Returns how many payloads were erased.
   *
   * @throws MissionError `MISSION_ERR_AUDIT_STORE` when the run's row is signed but this store was
   *   opened without the audit key: the erasure changes the row, and only the key can re-sign it.
   */
  erasePayloads(runId: string): number {
    this.flush();
    return eraseRun(this.#database, this.#statements, this.#signer, runId);
  }

  /** Verifies every run's chain (or one run's) and reports the first problem. */
  verify(options: { runId?: string } = {}): VerifyReport {
    this.flush();
    try {
      // SQLite's structural check first: hashes read from a broken b-tree prove nothing. It reads
      // the whole file, so one run's check (resume does one) relies on reads failing instead.
      if (options.runId === undefined) assertFileIntact(this.#database, this.#path);
      return verifyStore(this.#database, { runId: options.runId, key: this.#key });
    } catch (error) {
      throw classifyStoreError(error, this.#path, 'Could not verify the audit store');
    }
  }

  /** Writes pending appends, then closes the database. Closing twice is harmless. */
  close(): void {
    if (this.#closed) return;
    try {
      this.#throwBackgroundError();
      this.#writePending();
    } finally {
      this.#closed = true;
      if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
      unregisterForExitFlush(this.#exitHook);
      this.#database.close();
    }
  }

  #headOf(runId: string): Head {
    let head = this.#heads.get(runId);
    if (head === undefined) {
      const row = this.#statements.selectHead.get(runId) as [number, string] | undefined;
      if (row === undefined) {
        throw new MissionError(MissionErrorCode.runNotFound, `Run "${runId}" is not in the audit store; create it before appending events.`);
      }
      head = { count: row[0], hash: row[1] };
      this.#heads.set(runId, head);
    }
    return head;
  }

  /** The run's row; throws `MISSION_ERR_RUN_NOT_FOUND` when there is none. */
  #requireRow(runId: string): RunRow {
    const row = this.#statements.selectRun.get(runId) as RunRow | undefined;
    if (row === undefined) throw new MissionError(MissionErrorCode.runNotFound, `Run "${runId}" is not in the audit store.`);
    return row;
  }

  /** Signs a run's row with its head moved; runs inside the batch's write transaction. */
  #signMovedHead(runId: string, count: number, headHash: string): string | null {
    if (!this.#signer.keyed) return null;
    return this.#signer.signRow({ ...this.#requireRow(runId), event_count: count, head_hash: headHash });
  }

  #schedule(): void {
    if (this.#scheduled !== undefined) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      try {
        this.#writePending();
      } catch (error) {
        // Nobody is on the stack to catch this; the next append, flush or close reports it.
        this.#backgroundError = error;
      }
    });
  }

  #throwBackgroundError(): void {
    const error = this.#backgroundError;
    if (error === undefined) return;
    this.#backgroundError = undefined;
    throw error;
  }

  /**
   * Writes the pending batch (see {@link writeBatch}). Events of runs another writer moved are
   * dropped, and the error says so after the other runs' rows are committed. When SQLite fails
   * the batch stays pending for the next attempt.
   */
  #writePending(): void {
    if (this.#closed || this.#pendingEvents.length === 0) return;
    const { conflicts, dropped } = writeBatch(
      this.#database,
      this.#statements,
      { events: this.#pendingEvents, payloads: this.#pendingPayloads, bases: this.#batchBase, heads: this.#heads },
      (runId, count, headHash) => this.#signMovedHead(runId, count, headHash),
    );
    this.#pendingEvents = [];
    this.#pendingPayloads.clear();
    this.#batchBase.clear();
    // Forget conflicting heads: the next append re-reads the head the other writer left.
    for (const runId of conflicts) this.#heads.delete(runId);
    if (conflicts.length > 0) {
      throw new MissionError(
        MissionErrorCode.auditStore,
        `Another writer appended to run(s) ${conflicts.map((runId) => `"${runId}"`).join(', ')} while this store was appending; ${dropped} event(s) were not written so the chain does not fork. Only one process may append to a run at a time.`,
      );
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new MissionError(MissionErrorCode.auditStore, 'The audit store is closed.');
  }
}
