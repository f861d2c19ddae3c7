/** `create_file`: writes a file inside the workspace, creating parent directories as needed. */
import { defineStepKind } from './define-step.js';
import { allowHardlinksProperty } from './path-parameters.js';
import { writeFileInWorkspace } from './safe-fs/workspace-files.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';

/** Parameters of `create_file`. */
export interface CreateFileParameters {
  path: string;
  content: string;
  /** Overwrite a file that has other hard links (which may be outside the workspace). */
  allow_hardlinks?: boolean;
}

/** The `create_file` step kind. Output: `{path, size, created, variables_substituted}`. */
export const createFileStep = defineStepKind<CreateFileParameters>({
  name: 'create_file',
  description: 'Write a file in the workspace (parent directories are created)',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1 },
      content: { type: 'string', default: '' },
      allow_hardlinks: allowHardlinksProperty,
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const data = Buffer.from(parameters.content, 'utf8');
    try {
      await writeFileInWorkspace(context.workspace, parameters.path, data, {
        mode: 'replace',
        createDirectories: true,
        action: 'write',
        allowHardlinks: parameters.allow_hardlinks,
        signal: context.signal,
      });
    } catch (error) {
      throw fileSystemError(error, 'write', parameters.path, context.signal);
    }
    return {
      path: parameters.path,
      size: data.byteLength,
      created: true,
      // The engine renders templates in every parameter before the step runs, so this is always so.
      variables_substituted: true,
    };
  },
});
