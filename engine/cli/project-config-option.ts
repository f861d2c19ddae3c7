/**
 * The `--config` option of the commands that read the project file (`mission.config.yaml`), and
 * loading it with problems turned into exit 2 and `file:line:column` lines.
 */
import { existsSync } from 'node:fs';
import type { ProjectConfig } from '../config/project-config.js';
import { projectConfigFileName } from '../config/project-config-name.js';
import { CliExit, ExitCode } from './cli-exit.js';

/** The option's flags. */
export const configOptionFlags = '--config <file>';
/** Its help text. */
export const configOptionHelp = `project settings (default: ${projectConfigFileName} in the current directory, when there is one)`;

/** Loads the project file (`--config`, else mission.config.yaml here); problems exit 2 as `file:line:column` lines. */
export async function loadProjectConfigOrExit(configPath: string | undefined): Promise<ProjectConfig> {
  // Most runs have no project file: then its loader (yaml, ajv) is not even loaded.
  if (configPath === undefined && !existsSync(projectConfigFileName)) return { llm: {} };
  const { loadProjectConfig } = await import('../config/project-config.js');
  try {
    return await loadProjectConfig({ path: configPath });
  } catch (error) {
    const coded = error as { code?: string; message?: string };
    throw new CliExit(ExitCode.invalid, coded.message ?? String(error), coded.code);
  }
}
