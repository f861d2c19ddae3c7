/** `move_file`: renames a file or directory within the workspace. */
import { sourceDestinationSchema, type SourceDestinationParameters } from './path-parameters.js';
import { defineStepKind } from './define-step.js';
import { moveInWorkspace } from './safe-fs/workspace-files.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';

/** The `move_file` step kind. Output: `{source, destination, moved}`. */
export const moveFileStep = defineStepKind<SourceDestinationParameters>({
  name: 'move_file',
  description: 'Move (rename) a file or directory within the workspace (the destination directory is created)',
  parameters: sourceDestinationSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    try {
      await moveInWorkspace(context.workspace, parameters.source, parameters.destination, { allowHardlinks: parameters.allow_hardlinks });
    } catch (error) {
      throw fileSystemError(error, 'move', parameters.source, context.signal);
    }
    return { source: parameters.source, destination: parameters.destination, moved: true };
  },
});
