/**
 * Loads a mission file for a command: parse, the step kinds it needs, validation. Problems are
 * printed as `file:line:column: message` lines on stderr; errors end the command with exit 2.
 */
import { loadMissionFile } from '../mission/load.js';
import type { LoadedMission } from '../mission/types.js';
import { errorsOf, formatIssues, validateMission } from '../mission/validate.js';
import { loadBuiltinStepKinds } from '../steps/builtin-loader.js';
import { StepKindRegistry } from '../steps/registry.js';
import type { ProjectConfig } from '../config/project-config.js';
import { CliExit, ExitCode } from './cli-exit.js';

/** What else validation takes into account. */
export interface MissionLoadingOptions {
  /** The project file: the routes it defines count as defined. */
  project?: ProjectConfig;
  /** Mission safety checks the user allows to fail (`--allow-unsafe`): warnings, not errors. */
  allowUnsafe?: string[];
}

/** A mission that passed validation, with the registry it was checked against. */
export interface ValidMission {
  loaded: LoadedMission;
  registry: StepKindRegistry;
}

/** A registry of the built-in kinds `loaded` uses (all of them when it needs more; see the loader). */
export async function registryFor(loaded: LoadedMission | undefined): Promise<StepKindRegistry> {
  const kinds = loaded ? loaded.mission.steps.map((step) => step.kind) : undefined;
  return new StepKindRegistry(await loadBuiltinStepKinds(kinds));
}

/**
 * Loads and validates a mission; prints each problem as `file:line:column: message` and exits 2
 * when any is an error (warnings are printed, and the mission goes on).
 */
export async function loadValidMission(file: string, providedVars: string[] = [], options: MissionLoadingOptions = {}): Promise<ValidMission> {
  let loaded: LoadedMission;
  try {
    loaded = await loadMissionFile(file);
  } catch (error) {
    const coded = error as { code?: string; message?: string };
    throw new CliExit(ExitCode.invalid, coded.message ?? String(error), coded.code ?? 'MISSION_ERR_LOAD');
  }
  const registry = await registryFor(loaded);
  const issues = validateMission(loaded, registry, {
    providedVars,
    allowUnsafe: options.allowUnsafe,
    projectRoutes: Object.keys(options.project?.llm.routes ?? {}),
  });
  const lines = formatIssues(issues);
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  const errors = errorsOf(issues).length;
  if (errors > 0) {
    throw new CliExit(ExitCode.invalid, `${file} is not a valid mission (${errors.toLocaleString('en-US')} ${errors === 1 ? 'error' : 'errors'})`, 'MISSION_ERR_INVALID');
  }
  return { loaded, registry };
}
