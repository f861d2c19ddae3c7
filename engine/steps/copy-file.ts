/** `copy_file`: copies a file within the workspace. */
import { defineStepKind } from './define-step.js';
import { sourceDestinationSchema, type SourceDestinationParameters } from './path-parameters.js';
import { copyFileInWorkspace } from './safe-fs/workspace-files.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';

/** The `copy_file` step kind. Output: `{source, destination, size}`. */
export const copyFileStep = defineStepKind<SourceDestinationParameters>({
  name: 'copy_file',
  description: 'Copy a file within the workspace (the destination directory is created)',
  parameters: sourceDestinationSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    let size: number;
    try {
      size = await copyFileInWorkspace(context.workspace, parameters.source, parameters.destination, {
        allowHardlinks: parameters.allow_hardlinks,
        signal: context.signal,
        // Failures opening the source name the source; everything after names the destination.
        onSourceError: (error) => fileSystemError(error, 'copy', parameters.source, context.signal),
      });
    } catch (error) {
      throw fileSystemError(error, 'copy to', parameters.destination, context.signal);
    }
    return { source: parameters.source, destination: parameters.destination, size };
  },
});
