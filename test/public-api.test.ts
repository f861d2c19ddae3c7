import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as engine from '../engine/index.js';
import * as providers from '../providers/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('public API', () => {
  it('exports what an embedding application needs from the engine', () => {
    for (const name of [
      'loadMissionFile', 'parseMission', 'validateMission', 'formatIssue', 'planLevels', 'runMission', 'resumeRun',
      'StepKindRegistry', 'builtinStepKinds', 'defineStepKind', 'resolveInWorkspace', 'renderValue', 'evaluateCondition',
      'AuditStore', 'MissionError', 'CodedError', 'LlmError', 'llmServiceFromProviders',
      'SqliteLedger', 'SqliteBudgetStore', 'runCostSummary', 'formatRunCost', 'estimateMissionCost',
    ]) {
      expect(engine, name).toHaveProperty(name);
    }
  });

  it('exports the LLM layer on its own, with all seven adapters', () => {
    for (const name of [
      'complete', 'discoverProviders', 'ProviderRegistry', 'configurePools', 'closePools', 'createOpenAIAdapter',
      'createAzureAdapter', 'createShimmyAdapter', 'createAnthropicAdapter', 'createGeminiAdapter', 'createBedrockAdapter',
      'createOllamaAdapter', 'SseDecoder', 'NdjsonDecoder', 'EventStreamDecoder', 'signRequest',
      'PriceTable', 'TokenEstimator', 'createBudgetStage', 'createLedgerStage', 'createCacheSavingsStage', 'MemoryBudgetStore',
      'MemoryLedger', 'BudgetExhaustedError', 'costReport', 'runCost', 'recommend', 'budgetRulesFrom',
    ]) {
      expect(providers, name).toHaveProperty(name);
    }
  });

  it('points package.json entry points at built files', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const targets = [manifest.bin.mission, manifest.main, manifest.types, ...Object.values(manifest.exports as Record<string, string>)];
    for (const target of targets) expect(existsSync(path.join(repoRoot, target)), target).toBe(true);
    expect(manifest.engines.node).toBe('>=20.18');
  });
});
