/** `delete_file`: removes a file inside the workspace if it exists. */
import { defineStepKind } from './define-step.js';
import { pathSchema, type PathParameters } from './path-parameters.js';
import { deleteFileInWorkspace } from './safe-fs/workspace-files.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';

/** The `delete_file` step kind. Output: `{path, existed, deleted}`; a missing file is not an error. */
export const deleteFileStep = defineStepKind<PathParameters>({
  name: 'delete_file',
  description: 'Delete a file in the workspace (a missing file is fine)',
  parameters: pathSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    try {
      const existed = await deleteFileInWorkspace(context.workspace, parameters.path);
      return { path: parameters.path, existed, deleted: existed };
    } catch (error) {
      throw fileSystemError(error, 'delete', parameters.path, context.signal);
    }
  },
});
