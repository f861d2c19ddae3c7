/** Ledger rows for report and recommendation tests. */
import type { LedgerEntry } from '../../providers/layer/ledger/ledger-types.js';

let counter = 0;

/** A ledger row with sensible defaults. */
export function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  counter++;
  return {
    id: `gen-${counter}:1`,
    at: Date.UTC(2026, 10, 30, 12),
    generationId: `gen-${counter}`,
    attempt: 1,
    runId: 'run-a',
    stepId: 'ask',
    mission: 'demo',
    tags: [],
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens: 1_000,
    outputTokens: 100,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    costMicros: 210,
    estimated: false,
    priceVersion: 'sha256:test',
    cacheHit: false,
    savedMicros: 0,
    promptHash: `prompt-${counter}`,
    outcome: 'ok',
    ...overrides,
  };
}
