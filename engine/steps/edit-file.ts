/** `edit_file`: appends to or overwrites a file inside the workspace. */
import { defineStepKind } from './define-step.js';
import { allowHardlinksProperty } from './path-parameters.js';
import { fileSizeInWorkspace, writeFileInWorkspace } from './safe-fs/workspace-files.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';

/** Parameters of `edit_file`. */
export interface EditFileParameters {
  path: string;
  /** Absent: the file is left as it is (RustChain's behaviour). */
  content?: string;
  append: boolean;
  /** Edit a file that has other hard links (which may be outside the workspace). */
  allow_hardlinks?: boolean;
}

/** The `edit_file` step kind. Output: `{path, size, modified}` (`size` is the file's size afterwards). */
export const editFileStep = defineStepKind<EditFileParameters>({
  name: 'edit_file',
  description: 'Append to or overwrite a file in the workspace',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1 },
      content: { type: 'string' },
      append: { type: 'boolean', default: false },
      allow_hardlinks: allowHardlinksProperty,
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const policy = { allowHardlinks: parameters.allow_hardlinks };
    try {
      if (parameters.content === undefined) {
        const size = await fileSizeInWorkspace(context.workspace, parameters.path, 'edit', policy);
        return { path: parameters.path, size, modified: false };
      }
      // Append creates a missing file, as RustChain's read-or-empty-then-write did; parents must exist.
      const size = await writeFileInWorkspace(context.workspace, parameters.path, Buffer.from(parameters.content, 'utf8'), {
        ...policy,
        mode: parameters.append ? 'append' : 'replace',
        createDirectories: false,
        action: 'edit',
        signal: context.signal,
      });
      return { path: parameters.path, size, modified: true };
    } catch (error) {
      throw fileSystemError(error, 'edit', parameters.path, context.signal);
    }
  },
});
