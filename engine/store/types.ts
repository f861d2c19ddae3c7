/** The public shapes of the audit store: runs, chained events and verification reports. */

/** Where a run stands. `interrupted` means the process ended while the run was `running`. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'paused';

/** One mission run as the store records it, including the head of its event chain. */
export interface RunRecord {
  runId: string;
  missionName: string;
  missionFile: string;
  /** SHA-256 (hex) of `missionSource`; resume compares it to tell whether the mission changed. */
  missionHash: string;
  missionSource: string;
  vars: Record<string, unknown>;
  workspace: string;
  status: RunStatus;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; absent while the run has not ended. */
  endedAt?: string;
  /** How many events the chain holds (written ones; pending appends are flushed before reads). */
  eventCount: number;
  /** Hash of the last event, or the genesis hash when the run has none. */
  headHash: string;
  /** The process running it (`host:pid`), while its status is `running`. */
  owner?: string;
  /**
   * ISO 8601: when the run was erased (`mission audit erase`, `prune`). Its payloads, mission
   * source and variables are gone (`missionSource` is `''`, `vars` is `{}`); it cannot be resumed.
   */
  erasedAt?: string;
}

/** What the store holds for one event's payload. */
export type PayloadLookup =
  | { status: 'present'; value: unknown }
  | { status: 'erased'; erasedAt: string }
  /** Never stored, or its row was deleted. */
  | { status: 'missing' };

/** What a caller gives {@link AuditStore.append}. */
export interface AppendInput {
  /** Noun-verb event name: `mission-start`, `step-start`, `llm-request`, … */
  type: string;
  stepId?: string;
  /** Small, chained facts about the event. */
  data?: Record<string, unknown>;
  /**
   * Bulky or private content (step outputs, prompts, completions). Stored apart, keyed by its
   * hash, so it can be erased later without breaking the chain; the event carries only the hash.
   */
  payload?: unknown;
}

/** One event of a run's hash chain. */
export interface StoredEvent {
  runId: string;
  /** 0-based position in the run's chain. */
  index: number;
  type: string;
  stepId?: string;
  /** ISO 8601. */
  at: string;
  data: Record<string, unknown>;
  /** SHA-256 (hex) of the payload's canonical JSON, when the event has a payload. */
  payloadHash?: string;
  prevHash: string;
  hash: string;
}

/** The first thing verification found wrong. */
export interface VerifyProblem {
  /** The run at fault, or `'*'` when the problem is the run index or the store head itself. */
  runId: string;
  /** The first bad event, when the problem is tied to one. */
  index?: number;
  reason: string;
}

/** What {@link AuditStore.verify} found. */
export interface VerifyReport {
  ok: boolean;
  runsChecked: number;
  eventsChecked: number;
  problem?: VerifyProblem;
  /** True when run records and the store head were authenticated with the audit key (HMAC). */
  signed: boolean;
  /** Set when heads could not be authenticated because the store was opened without a key. */
  warning?: string;
}
