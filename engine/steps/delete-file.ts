/** `delete_file`: removes a file inside the workspace if it exists. */
import { lstat, unlink } from 'node:fs/promises';
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { pathSchema, type PathParameters } from './path-parameters.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { assertNotWorkspaceRoot, resolveInWorkspace } from './workspace-path.js';

/** The `delete_file` step kind. Output: `{path, existed, deleted}`; a missing file is not an error. */
export const deleteFileStep = defineStepKind<PathParameters>({
  name: 'delete_file',
  description: 'Delete a file in the workspace (a missing file is fine)',
  parameters: pathSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const target = await resolveInWorkspace(context.workspace, parameters.path);
    assertNotWorkspaceRoot(context.workspace, target, parameters.path);
    try {
      const info = await lstat(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!info) return { path: parameters.path, existed: false, deleted: false };
      if (info.isDirectory()) {
        // Recursive deletion is deliberately not offered: one mistyped path would empty a tree.
        throw new MissionError(MissionErrorCode.io, `cannot delete "${parameters.path}": it is a directory (delete_file removes files only)`);
      }
      await unlink(target);
      return { path: parameters.path, existed: true, deleted: true };
    } catch (error) {
      throw fileSystemError(error, 'delete', parameters.path, context.signal);
    }
  },
});
