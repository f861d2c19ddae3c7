/**
 * The project file `mission.config.yaml`: settings shared by every mission of a project (today
 * its `llm:` block). Found in the working directory, or named with `--config`. Problems are
 * reported like a mission's, as `file:line:column: message` with a hint.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { LlmConfig } from '../../providers/layer/config-types.js';
import { MissionError, MissionErrorCode } from '../errors.js';
import { ajvIssues } from '../mission/ajv-issues.js';
import { normalizeMission } from '../mission/normalize.js';
import { SourcePositions } from '../mission/source-positions.js';
import type { LoadedMission, ValidationIssue } from '../mission/types.js';
import { formatIssue } from '../mission/validate.js';
import { missionConfigSchema, schemaAjv } from './schema-registry.js';

/** The name the project file is looked for under in the working directory. */
export { projectConfigFileName } from './project-config-name.js';
import { projectConfigFileName } from './project-config-name.js';
/** A project file larger than this is refused (it is configuration, not data). */
export const maxProjectConfigBytes = 1024 * 1024;

/** A project's settings. */
export interface ProjectConfig {
  /** The file they came from; undefined when there is none (all defaults). */
  file?: string;
  llm: LlmConfig;
}

/** Options of {@link loadProjectConfig}. */
export interface ProjectConfigOptions {
  /** `--config`: this file must exist. */
  path?: string;
  /** Where `mission.config.yaml` is looked for when no path is given (default: the working directory). */
  directory?: string;
}

/**
 * Parses and validates project-file text. Returns every problem (empty means valid); throws
 * `MISSION_ERR_CONFIG` only on a YAML syntax error.
 */
export function parseProjectConfig(text: string, file: string): { config: ProjectConfig; issues: ValidationIssue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const positions = new SourcePositions(document, lineCounter, text);
  const [syntaxError] = document.errors;
  if (syntaxError) {
    const { line, column } = positions.positionAt(syntaxError.pos[0]);
    throw new MissionError(MissionErrorCode.config, `${file}:${line}:${column}: ${syntaxError.message.split('\n')[0]}`, { cause: syntaxError });
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new MissionError(MissionErrorCode.config, `${file}:1:1: ${(cause as Error).message}`, { cause });
  }
  // An empty file is a project with no settings.
  if (raw === null || raw === undefined) return { config: { file, llm: {} }, issues: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { config: { file, llm: {} }, issues: [{ file, line: 1, column: 1, pointer: '', message: `${projectConfigFileName} must be a map`, hint: 'start with llm: and its settings' }] };
  }
  const validate = schemaAjv().getSchema(missionConfigSchema.$id as string)!;
  const issues: ValidationIssue[] = [];
  if (!validate(raw)) {
    // The mission's issue wording, positions and hints, read against this file.
    const located = {
      mission: normalizeMission({}),
      file,
      source: text,
      raw,
      positionOf: (pointer: string) => positions.positionOf(pointer),
      keyPositionOf: (pointer: string) => positions.keyPositionOf(pointer),
    } satisfies LoadedMission;
    for (const issue of ajvIssues(validate.errors ?? [], located)) {
      // Unknown top-level keys are only warned about in a mission (RustChain ignores them); here they are mistakes.
      issues.push({ ...issue, severity: undefined, message: issue.message.replace(/ in the mission( is ignored)?$/, ` in ${projectConfigFileName}`) });
    }
  }
  issues.sort((left, right) => left.line - right.line || left.column - right.column);
  const llm = (raw as { llm?: unknown }).llm;
  return { config: { file, llm: typeof llm === 'object' && llm !== null && !Array.isArray(llm) ? (llm as LlmConfig) : {} }, issues };
}

/**
 * Loads the project file: `options.path` (which must exist), else `mission.config.yaml` in the
 * directory when there is one, else no settings. Throws `MISSION_ERR_CONFIG` listing every problem.
 */
export async function loadProjectConfig(options: ProjectConfigOptions = {}): Promise<ProjectConfig> {
  const file = options.path ?? path.join(options.directory ?? process.cwd(), projectConfigFileName);
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new MissionError(MissionErrorCode.config, `${file}: not a regular file`);
    size = info.size;
  } catch (cause) {
    if (cause instanceof MissionError) throw cause;
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT' && options.path === undefined) return { llm: {} };
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot read file';
    throw new MissionError(MissionErrorCode.config, `${file}: ${reason}`, { cause });
  }
  if (size > maxProjectConfigBytes) throw new MissionError(MissionErrorCode.config, `${file}: larger than ${maxProjectConfigBytes} bytes`);
  const text = await readFile(file, 'utf8');
  const { config, issues } = parseProjectConfig(text, file);
  if (issues.length > 0) throw new MissionError(MissionErrorCode.config, issues.map(formatIssue).join('\n'));
  return config;
}
