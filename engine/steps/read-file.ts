/** `read_file`: reads a UTF-8 text file inside the workspace. */
import { readFile, stat } from 'node:fs/promises';
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { resolveInWorkspace } from './workspace-path.js';

/** Largest file `read_file` loads: its content becomes step output, which is kept in the run record. */
export const maxReadFileBytes = 50 * 1024 * 1024;

/** Parameters of `read_file`. */
export interface ReadFileParameters {
  path: string;
}

/** The `read_file` step kind. Output: `{path, content, size}`. */
export const readFileStep = defineStepKind<ReadFileParameters>({
  name: 'read_file',
  description: 'Read a text file in the workspace',
  parameters: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1 } },
    required: ['path'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const target = await resolveInWorkspace(context.workspace, parameters.path);
    try {
      const info = await stat(target);
      if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      if (info.size > maxReadFileBytes) {
        throw new MissionError(MissionErrorCode.io, `cannot read "${parameters.path}": ${info.size} bytes is more than the ${maxReadFileBytes}-byte limit`);
      }
      const data = await readFile(target, { signal: context.signal });
      return { path: parameters.path, content: data.toString('utf8'), size: data.byteLength };
    } catch (error) {
      throw fileSystemError(error, 'read', parameters.path, context.signal);
    }
  },
});
