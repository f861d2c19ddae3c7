/** `read_file`: reads a UTF-8 text file inside the workspace. */
import { defineStepKind } from './define-step.js';
import { readPathSchema, type PathParameters } from './path-parameters.js';
import { readFileInWorkspace, type LinkPolicy } from './safe-fs/workspace-files.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';

/** Largest file `read_file` loads: its content becomes step output, which is kept in the run record. */
export const maxReadFileBytes = 50 * 1024 * 1024;

/**
 * Reads a workspace file for a step: confined to the workspace (opened race-free, links never
 * followed out), a regular file (a FIFO would block the open where the signal cannot reach it),
 * with one hard link unless `policy` allows more, at most {@link maxReadFileBytes}. `action`
 * names the read in messages ("read", "read body_file").
 */
export async function readWorkspaceFile(workspace: string, userPath: string, signal: AbortSignal, action = 'read', policy: LinkPolicy = {}): Promise<Buffer> {
  try {
    return await readFileInWorkspace(workspace, userPath, { ...policy, action, maxBytes: maxReadFileBytes, signal });
  } catch (error) {
    throw fileSystemError(error, action, userPath, signal);
  }
}

/** The `read_file` step kind. Output: `{path, content, size}`. */
export const readFileStep = defineStepKind<PathParameters>({
  name: 'read_file',
  description: 'Read a text file in the workspace',
  parameters: readPathSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const data = await readWorkspaceFile(context.workspace, parameters.path, context.signal, 'read', { allowHardlinks: parameters.allow_hardlinks });
    return { path: parameters.path, content: data.toString('utf8'), size: data.byteLength };
  },
});
