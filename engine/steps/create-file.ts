/** `create_file`: writes a file inside the workspace, creating parent directories as needed. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineStepKind } from './define-step.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { refuseSpecialFile } from './regular-file.js';
import { resolveInWorkspace } from './workspace-path.js';

/** Parameters of `create_file`. */
export interface CreateFileParameters {
  path: string;
  content: string;
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
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const target = await resolveInWorkspace(context.workspace, parameters.path);
    const data = Buffer.from(parameters.content, 'utf8');
    await refuseSpecialFile(target, parameters.path, 'write');
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, data, { signal: context.signal });
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
