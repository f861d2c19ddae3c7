/**
 * The mission engine's public library API. Everything an embedding application needs is
 * exported here, by name; modules not listed are internal.
 *
 * @example
 * ```ts
 * import { AuditStore, StepKindRegistry, builtinStepKinds, loadMissionFile, runMission } from 'mission-engine';
 * const registry = new StepKindRegistry(builtinStepKinds()).register(myCustomKind);
 * const store = AuditStore.open('.mission/state.db');
 * const result = await runMission(await loadMissionFile('mission.yaml'), { store, registry });
 * ```
 */

// Missions: load, validate, plan.
export { loadMissionFile, parseMission } from './mission/load.js';
export { validateMission, formatIssue, formatIssues, errorsOf } from './mission/validate.js';
export { planLevels } from './mission/plan.js';
export type { LoadedMission, MissionDefinition, StepDefinition, MissionConfig, RetryPolicy, ValidationIssue, SourcePosition } from './mission/types.js';

// Running.
export { runMission, resumeRun, newRunId } from './run/run-mission.js';
export type { ResumeOptions, RunOptions, RunResult, StepResult, RunProgressEvent, StepResultStatus, RunResultStatus } from './run/run-types.js';
export { stepMachine } from './run/step-machine.js';

// Step kinds: the contract, the registry, the built-ins.
export type { StepKind, StepContext, StepEmittedEvent, StepServices, JsonSchema, ParameterRenderer } from './steps/types.js';
export { StepKindRegistry, unsupportedRustchainKinds } from './steps/registry.js';
export { builtinStepKinds } from './steps/builtin.js';
export { defineStepKind } from './steps/define-step.js';
export { resolveInWorkspace } from './steps/workspace-path.js';
export { openInWorkspace } from './steps/safe-fs/workspace-walk.js';
export type { OpenedInWorkspace, WalkOptions } from './steps/safe-fs/workspace-walk.js';
export type { LlmService } from './steps/llm/llm-service.js';

// Templates and conditions.
export { renderValue, evaluateCondition } from './expressions/index.js';
export type { TemplateScope } from './expressions/index.js';

// The audit store.
export { AuditStore } from './store/index.js';
export type { RunRecord, RunStatus, StoredEvent, VerifyReport, VerifyProblem, AppendInput, PayloadLookup, EventFilter } from './store/index.js';

// Errors.
export { MissionError, MissionErrorCode, retryableByDefault } from './errors.js';
export type { MissionErrorCodeValue } from './errors.js';
export { CodedError, LlmError, LlmErrorCode } from '../providers/errors.js';

// Wiring the LLM layer into steps (`services.llm`).
export { llmServiceFromLlm } from './steps/llm/llm-service.js';
export type { LlmServiceParts } from './steps/llm/llm-service.js';
export { createLlmService, llmServiceFromProviders } from './steps/llm/create-llm-service.js';
export type { CreateLlmServiceOptions } from './steps/llm/create-llm-service.js';
export { StepAuditSink } from './steps/llm/step-audit-sink.js';

// Configuration: the llm: block and the project file (mission.config.yaml).
export { loadProjectConfig, parseProjectConfig, projectConfigFileName } from './config/project-config.js';
export type { ProjectConfig, ProjectConfigOptions } from './config/project-config.js';
export { llmConfigSchema, missionConfigSchema } from './config/schema-registry.js';
export { mergeLlmConfig } from '../providers/layer/config/merge-config.js';
export type { LlmConfig } from '../providers/layer/config-types.js';

// Cost: the SQLite ledger and budget store, a run's cost, a mission's estimate.
export { SqliteLedger } from './store/ledger-store.js';
export { SqliteBudgetStore } from './store/budget-store.js';
export { openCostDatabase } from './store/cost-database.js';
export { runCostSummary, formatRunCost } from './cost/run-cost-summary.js';
export { estimateMissionCost, typicalOutputTokens } from './cost/estimate-mission-cost.js';
export type { MissionCostEstimate, StepCostEstimate, EstimateConfig } from './cost/estimate-mission-cost.js';
export { costStages } from './cost/cost-stages.js';
export type { CostStageDependencies } from './cost/cost-stages.js';
