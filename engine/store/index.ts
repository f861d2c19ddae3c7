/** The audit store's public API: an explicit export list. */
export { AuditStore, type AuditStoreOptions, type CreateRunInput } from './audit-store.js';
export type { AppendInput, PayloadLookup, RunRecord, RunStatus, StoredEvent, VerifyProblem, VerifyReport } from './types.js';
export type { EventFilter } from './event-query.js';
export { canonicalJson, sha256Hex } from './canonical-json.js';
export { genesisHash } from './chain.js';
