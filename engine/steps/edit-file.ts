/** `edit_file`: appends to or overwrites a file inside the workspace. */
import { appendFile, stat, writeFile } from 'node:fs/promises';
import { defineStepKind } from './define-step.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { refuseSpecialFile } from './regular-file.js';
import { resolveInWorkspace } from './workspace-path.js';

/** Parameters of `edit_file`. */
export interface EditFileParameters {
  path: string;
  /** Absent: the file is left as it is (RustChain's behaviour). */
  content?: string;
  append: boolean;
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
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const target = await resolveInWorkspace(context.workspace, parameters.path);
    await refuseSpecialFile(target, parameters.path, 'edit');
    try {
      if (parameters.content !== undefined) {
        // appendFile creates a missing file, as RustChain's read-or-empty-then-write did.
        if (parameters.append) await appendFile(target, parameters.content, 'utf8');
        else await writeFile(target, parameters.content, { encoding: 'utf8', signal: context.signal });
      }
      const { size } = await stat(target);
      return { path: parameters.path, size, modified: parameters.content !== undefined };
    } catch (error) {
      throw fileSystemError(error, 'edit', parameters.path, context.signal);
    }
  },
});
