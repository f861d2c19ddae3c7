/** `read_file`: reads a UTF-8 text file inside the workspace. */
import { readFile, stat } from 'node:fs/promises';
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { pathSchema, type PathParameters } from './path-parameters.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { resolveInWorkspace } from './workspace-path.js';

/** Largest file `read_file` loads: its content becomes step output, which is kept in the run record. */
export const maxReadFileBytes = 50 * 1024 * 1024;

/**
 * Reads a workspace file for a step: confined to the workspace, a regular file (a FIFO would block
 * the open where the signal cannot reach it), at most {@link maxReadFileBytes}. `action` names the
 * read in messages ("read", "read body_file").
 */
export async function readWorkspaceFile(workspace: string, userPath: string, signal: AbortSignal, action = 'read'): Promise<Buffer> {
  const target = await resolveInWorkspace(workspace, userPath);
  try {
    const info = await stat(target);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!info.isFile()) throw new MissionError(MissionErrorCode.io, `cannot ${action} "${userPath}": not a regular file`);
    if (info.size > maxReadFileBytes) {
      throw new MissionError(MissionErrorCode.io, `cannot ${action} "${userPath}": ${info.size} bytes is more than the ${maxReadFileBytes}-byte limit`);
    }
    return await readFile(target, { signal });
  } catch (error) {
    throw fileSystemError(error, action, userPath, signal);
  }
}

/** The `read_file` step kind. Output: `{path, content, size}`. */
export const readFileStep = defineStepKind<PathParameters>({
  name: 'read_file',
  description: 'Read a text file in the workspace',
  parameters: pathSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const data = await readWorkspaceFile(context.workspace, parameters.path, context.signal);
    return { path: parameters.path, content: data.toString('utf8'), size: data.byteLength };
  },
});
