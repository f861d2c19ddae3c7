/** `move_file`: renames a file or directory within the workspace. */
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { sourceDestinationSchema, type SourceDestinationParameters } from './path-parameters.js';
import { defineStepKind } from './define-step.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { assertNotWorkspaceRoot, resolveInWorkspace } from './workspace-path.js';

/** The `move_file` step kind. Output: `{source, destination, moved}`. */
export const moveFileStep = defineStepKind<SourceDestinationParameters>({
  name: 'move_file',
  description: 'Move (rename) a file within the workspace (the destination directory is created)',
  parameters: sourceDestinationSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const source = await resolveInWorkspace(context.workspace, parameters.source);
    const destination = await resolveInWorkspace(context.workspace, parameters.destination);
    assertNotWorkspaceRoot(context.workspace, source, parameters.source);
    assertNotWorkspaceRoot(context.workspace, destination, parameters.destination);
    try {
      await mkdir(path.dirname(destination), { recursive: true });
      try {
        await rename(source, destination);
      } catch (error) {
        // A workspace may span mounts; rename cannot cross them, copy-then-delete can.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await cp(source, destination, { recursive: true, errorOnExist: true, force: false });
        await rm(source, { recursive: true });
      }
    } catch (error) {
      throw fileSystemError(error, 'move', parameters.source, context.signal);
    }
    return { source: parameters.source, destination: parameters.destination, moved: true };
  },
});
