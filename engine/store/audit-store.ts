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
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { MissionError, MissionErrorCode } from '../errors.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { eventBody, eventHash, genesisHash, signHead } from './chain.js';
import { registerForExitFlush, unregisterForExitFlush, type ExitFlushable } from './exit-flush.js';
import { migrate } from './schema.js';
import { openStatements, type RunRow, type Statements } from './statements.js';
import type { AppendInput, RunRecord, RunStatus, StoredEvent, VerifyReport } from './types.js';
import { verifyStore } from './verify.js';
import { writeBatch, type Head, type PendingEvent } from './write-batch.js';

/** Pending appends beyond which `append()` writes the batch before adding more. */
const batchLimit = 512;
/** How long a writer waits for another process's transaction before giving up. */
const busyTimeoutMs = 5_000;

/** Options of {@link AuditStore.open}. */
export interface AuditStoreOptions {
  /**
   * Secret for HMAC-signing run heads (the CLI passes `MISSION_AUDIT_KEY`). An empty string counts
   * as no key. The key is held as a `KeyObject` and never written anywhere.
   */
  auditKey?: string;
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
  readonly #key: KeyObject | undefined;
  /** Each run's head as this store knows it, pending appends included. */
  readonly #heads = new Map<string, Head>();
  /**
   * Each run's head as the database had it when the pending batch began. Compared inside the
   * write transaction, so a second writer on the same run is caught instead of forking the chain.
   */
  readonly #batchBase = new Map<string, Head>();
  #pendingEvents: PendingEvent[] = [];
  readonly #pendingPayloads = new Map<string, string>();
  #scheduled: NodeJS.Immediate | undefined;
  /** An error from a background write that no caller has seen yet. */
  #backgroundError: unknown;
  readonly #exitHook: ExitFlushable = { flushAtExit: () => this.#writePending() };
  #closed = false;

  private constructor(database: Database.Database, key: KeyObject | undefined) {
    this.#database = database;
    this.#key = key;
    this.#statements = openStatements(database);
    registerForExitFlush(this.#exitHook);
  }

  /**
   * Opens (creating folders and tables as needed) the store at `path`; `':memory:'` works too.
   * WAL journal and `synchronous=NORMAL`: durable at each checkpoint, fast per batch.
   */
  static open(path: string, options: AuditStoreOptions = {}): AuditStore {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    const database = new Database(path, { timeout: busyTimeoutMs });
    try {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      // Zero freed space as rows change: otherwise old copies of payloads and run variables stay
      // in the file's free space, and an erasure would only hide them.
      database.pragma('secure_delete = ON');
      migrate(database);
    } catch (error) {
      database.close();
      throw new MissionError(MissionErrorCode.io, `Could not open the audit store: ${(error as Error).message}`, { cause: error });
    }
    const key = options.auditKey ? createSecretKey(Buffer.from(options.auditKey, 'utf8')) : undefined;
    return new AuditStore(database, key);
  }

  /** Records a new run with an empty chain. Throws `MISSION_ERR_AUDIT_STORE` if the id is taken. */
  createRun(input: CreateRunInput): RunRecord {
    this.#assertOpen();
    const headHash = genesisHash(input.runId);
    const record: RunRecord = {
      runId: input.runId,
      missionName: input.missionName,
      missionFile: input.missionFile,
      missionHash: sha256Hex(input.missionSource),
      missionSource: input.missionSource,
      vars: input.vars,
      workspace: input.workspace,
      status: 'running',
      startedAt: (input.startedAt ?? new Date()).toISOString(),
      eventCount: 0,
      headHash,
      owner: currentOwner(),
    };
    const vars = canonicalJson(input.vars);
    try {
      this.#statements.insertRun.run(
        record.runId, record.missionName, record.missionFile, record.missionHash, record.missionSource,
        vars, record.workspace, record.status, record.startedAt, 0, headHash, this.#sign(record.runId, 0, headHash), record.owner,
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new MissionError(MissionErrorCode.auditStore, `A run with id "${input.runId}" already exists in the audit store; run ids must be unique.`, { cause: error });
      }
      throw error;
    }
    this.#heads.set(record.runId, { count: 0, hash: headHash });
    return record;
  }

  /** The run, or `undefined` when the store does not know it. Pending appends are written first. */
  getRun(runId: string): RunRecord | undefined {
    this.flush();
    const row = this.#statements.selectRun.get(runId) as RunRow | undefined;
    return row === undefined ? undefined : toRunRecord(row);
  }

  /** Runs, newest first. */
  listRuns(options: { limit?: number } = {}): RunRecord[] {
    this.flush();
    return (this.#statements.listRuns.all(options.limit ?? -1) as RunRow[]).map(toRunRecord);
  }

  /**
   * Sets a run's status. `endedAt` defaults to now for final statuses and is cleared when a run
   * goes back to `running` (resume). Status is not part of the chain: record it as an event too.
   */
  setRunStatus(runId: string, status: RunStatus, endedAt?: Date): void {
    this.flush();
    const running = status === 'running';
    const ended = running ? null : (endedAt ?? new Date()).toISOString();
    // A running run belongs to this process until it ends.
    if (this.#statements.updateStatus.run(status, ended, running ? currentOwner() : null, runId).changes === 0) {
      throw new MissionError(MissionErrorCode.runNotFound, `Run "${runId}" is not in the audit store.`);
    }
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
      payloadHash = sha256Hex(payloadText);
    }
    const at = new Date().toISOString();
    const body = eventBody({ runId, index: head.count, type: input.type, stepId: input.stepId, at, data, payloadHash });
    const hash = eventHash(head.hash, body);
    // Everything that can throw is above: from here on the append is accepted.
    if (!this.#batchBase.has(runId)) this.#batchBase.set(runId, { ...head });
    if (payloadText !== undefined && payloadHash !== undefined) this.#pendingPayloads.set(payloadHash, payloadText);
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

  /** The payload with this hash, or `undefined` when it was erased or never stored. */
  payload(hash: string): unknown {
    this.#assertOpen();
    const content = this.#pendingPayloads.get(hash) ?? (this.#statements.selectPayload.get(hash) as string | null | undefined);
    return content === undefined || content === null ? undefined : JSON.parse(content);
  }

  /**
   * Erases the content of every payload the run references, keeping a tombstone so the chain and
   * verify stay valid. Payloads are content-addressed, so identical content referenced by other
   * runs is erased with it. Returns how many payloads were erased.
   */
  erasePayloads(runId: string): number {
    this.flush();
    if (this.#statements.selectRun.get(runId) === undefined) {
      throw new MissionError(MissionErrorCode.runNotFound, `Run "${runId}" is not in the audit store.`);
    }
    // The run's input variables are personal data too; they live on the run row, outside the chain.
    const erase = this.#database.transaction(() => {
      this.#statements.eraseRunVars.run(runId);
      return this.#statements.erasePayloads.run(new Date().toISOString(), runId).changes;
    });
    const erased = erase();
    // The write-ahead log may still hold page images from before the erasure; fold it into the
    // (now zeroed) database and empty it. Best effort: another process reading keeps its frames.
    this.#database.pragma('wal_checkpoint(TRUNCATE)');
    return erased;
  }

  /** Verifies every run's chain (or one run's) and reports the first problem. */
  verify(options: { runId?: string } = {}): VerifyReport {
    this.flush();
    return verifyStore(this.#database, { runId: options.runId, key: this.#key });
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

  #sign(runId: string, count: number, headHash: string): string | null {
    return this.#key === undefined ? null : signHead(this.#key, runId, count, headHash);
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
      (runId, count, headHash) => this.#sign(runId, count, headHash),
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

function toRunRecord(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    missionName: row.mission_name,
    missionFile: row.mission_file,
    missionHash: row.mission_hash,
    missionSource: row.mission_source,
    vars: JSON.parse(row.vars) as Record<string, unknown>,
    workspace: row.workspace,
    status: row.status as RunStatus,
    startedAt: row.started_at,
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    eventCount: row.event_count,
    headHash: row.head_hash,
    ...(row.owner === null ? {} : { owner: row.owner }),
  };
}

/** This process, as recorded in the `owner` of the runs it runs: `host:pid`. */
function currentOwner(): string {
  return `${hostname()}:${process.pid}`;
}
