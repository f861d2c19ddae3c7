/**
 * The entry points of a run: {@link runMission} starts one, {@link resumeRun} continues one that
 * was interrupted. Both write `mission-*` events around the session and set the run's status.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { renderValue } from '../expressions/index.js';
import { MissionError, MissionErrorCode } from '../errors.js';
import { parseMission } from '../mission/load.js';
import type { LoadedMission } from '../mission/types.js';
import { missionSafetyFindings } from '../mission/safety-check.js';
import { errorsOf, formatIssues, validateMission } from '../mission/validate.js';
import type { RunStatus } from '../store/index.js';
import { restoreState } from './resume.js';
import { stopOrphanedProcesses } from './orphan-processes.js';
import { liveOwnerPid } from './run-owner.js';
import { RunSession, type RestoredState } from './run-session.js';
import type { ResumeOptions, RunOptions, RunResult } from './run-types.js';

/** A fresh run id: sortable by start time, unique enough for one store. */
export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Validates and runs a mission. Rejects only when the mission is invalid
 * (`MISSION_ERR_INVALID`) or the audit store fails mid-run; a failing step is a result, not an
 * exception.
 */
export async function runMission(loaded: LoadedMission, options: RunOptions): Promise<RunResult> {
  const found = validateMission(loaded, options.registry, {
    providedVars: Object.keys(options.vars ?? {}),
    allowUnsafe: options.allowUnsafe,
    projectRoutes: options.projectRoutes,
  });
  const issues = errorsOf(found);
  // Info, not warn: a caller that validated first (the CLI) has already shown them to the user.
  if (options.logger?.isLevelEnabled('info')) {
    for (const line of formatIssues(found.filter((issue) => issue.severity === 'warning'))) options.logger.info(line);
  }
  if (issues.length > 0) {
    throw Object.assign(
      new MissionError(MissionErrorCode.invalid, `${loaded.file} is not a valid mission:\n${formatIssues(issues).join('\n')}`),
      { issues },
    );
  }
  preflight(loaded, options);
  const runId = options.runId ?? newRunId();
  const workspace = path.resolve(options.workspace ?? process.cwd());
  const vars = { ...loaded.mission.vars, ...(options.vars ?? {}) };
  options.store.createRun({
    runId,
    missionName: loaded.mission.name,
    missionFile: loaded.file,
    missionSource: loaded.source,
    vars,
    workspace,
  });
  options.store.append(runId, {
    type: 'mission-start',
    data: {
      missionName: loaded.mission.name,
      missionFile: loaded.file,
      missionHash: createHash('sha256').update(loaded.source).digest('hex'),
      stepCount: loaded.mission.steps.length,
      // Resume writes where the runs row says: the chain must vouch for it.
      workspace,
    },
    payload: { vars },
  });
  for (const override of safetyOverrides(loaded, options.allowUnsafe)) options.store.append(runId, { type: 'safety-override', data: override });
  return execute(loaded, { ...options, runId, workspace, vars });
}

/**
 * Continues an interrupted, failed or cancelled run from its audit trail: succeeded steps keep
 * their outputs; the rest run again; the hash chain continues.
 */
export async function resumeRun(runId: string, options: ResumeOptions): Promise<RunResult> {
  const run = options.store.getRun(runId);
  if (!run) throw new MissionError(MissionErrorCode.runNotFound, `no run with id ${runId} in this store`);
  if (run.status === 'succeeded') {
    throw new MissionError(MissionErrorCode.notResumable, `run ${runId} already succeeded; there is nothing to resume`);
  }
  if (run.erasedAt !== undefined) {
    throw new MissionError(MissionErrorCode.notResumable, `run ${runId} cannot be resumed: it was erased from the audit store (its mission, variables and outputs are gone)`);
  }
  // Resume runs the row's mission source with its variables: never trust an edited row.
  const check = options.store.verify({ runId });
  if (!check.ok) {
    throw new MissionError(
      MissionErrorCode.notResumable,
      `run ${runId} cannot be resumed: its audit record does not verify (${check.problem?.reason}); see mission audit verify --run ${runId}`,
    );
  }
  // Two processes running one run would both run its unfinished steps.
  const ownerPid = run.status === 'running' && !options.takeOver ? liveOwnerPid(run.owner) : undefined;
  if (ownerPid !== undefined) {
    throw new MissionError(
      MissionErrorCode.notResumable,
      `run ${runId} is still running in process ${ownerPid}; stop that process first, or take the run over (mission resume --take-over) if that pid now belongs to something else`,
    );
  }
  const loaded = parseMission(run.missionSource, run.missionFile);
  const restored: RestoredState = restoreState(options.store, runId, loaded.mission, options.registry);
  options.store.setRunStatus(runId, 'running');
  options.store.append(runId, {
    type: 'mission-resume',
    data: { previousStatus: run.status, stepsKept: [...restored.succeeded.keys()] },
  });
  // The dead owner's commands may still run; stop them before their steps run again.
  await stopOrphanedProcesses(options.store, runId, new Set(restored.succeeded.keys()));
  return execute(loaded, { ...options, runId, workspace: run.workspace, vars: run.vars }, restored);
}

/** Asks each step kind whether what it needs is there, before anything runs. */
function preflight(loaded: LoadedMission, options: RunOptions): void {
  // Steps with the same problem (three llm steps, no provider) are named together, once.
  const stepsByProblem = new Map<string, string[]>();
  const services = { ...options.services, stepKinds: options.registry };
  for (const step of loaded.mission.steps) {
    try {
      options.registry.get(step.kind)?.preflight?.(step.parameters, services);
    } catch (error) {
      const message = (error as Error).message;
      stepsByProblem.set(message, [...(stepsByProblem.get(message) ?? []), `'${step.id}'`]);
    }
  }
  if (stepsByProblem.size > 0) {
    const lines = [...stepsByProblem].map(([message, steps]) => `${steps.length > 1 ? 'steps' : 'step'} ${steps.join(', ')}: ${message}`);
    throw new MissionError(MissionErrorCode.preflight, `${loaded.file} cannot start:\n${lines.join('\n')}`);
  }
}

async function execute(
  loaded: LoadedMission,
  settings: RunOptions & { runId: string; workspace: string; vars: Record<string, unknown> },
  restored?: RestoredState,
): Promise<RunResult> {
  const { store, runId } = settings;
  settings.services = { ...settings.services, stepKinds: settings.registry };
  const session = new RunSession(loaded, settings, restored);
  const result = await session.run();
  if (result.status === 'succeeded') {
    try {
      result.outputs = renderValue(loaded.mission.outputs, session.finalScope) as Record<string, unknown>;
    } catch (error) {
      result.status = 'failed';
      result.error = { code: (error as MissionError).code ?? MissionErrorCode.template, message: (error as Error).message };
    }
  }
  // The outputs may quote an echoed credential; what is recorded and returned must not.
  const scrubber = session.credentialScrubber;
  result.outputs = scrubber.value(result.outputs);
  if (result.error) result.error = { ...result.error, message: scrubber.message(result.error.message) };
  store.append(runId, {
    type: 'mission-end',
    // The error's message can quote inputs: it goes with the outputs into the erasable payload.
    data: { status: result.status, durationMs: result.durationMs, ...(result.error ? { error: { code: result.error.code } } : {}) },
    payload: { outputs: result.outputs, ...(result.error ? { error: result.error } : {}) },
  });
  store.setRunStatus(runId, result.status as RunStatus, new Date());
  store.flush();
  return result;
}

/** The failing safety checks the user allowed, one audit record per finding. */
function safetyOverrides(loaded: LoadedMission, allowUnsafe: string[] | undefined): Array<Record<string, unknown>> {
  if (!allowUnsafe || allowUnsafe.length === 0) return [];
  return missionSafetyFindings(loaded)
    .filter((finding) => finding.fails && allowUnsafe.includes(finding.check))
    .map((finding) => ({ check: finding.check, risk: finding.risk, stepId: finding.stepId, line: finding.line, column: finding.column, message: finding.message }));
}
