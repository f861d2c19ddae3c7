/** `copy_file`: copies a file within the workspace. */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { sourceDestinationSchema, type SourceDestinationParameters } from './path-parameters.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { refuseSpecialFile } from './regular-file.js';
import { resolveInWorkspace } from './workspace-path.js';

/** The `copy_file` step kind. Output: `{source, destination, size}`. */
export const copyFileStep = defineStepKind<SourceDestinationParameters>({
  name: 'copy_file',
  description: 'Copy a file within the workspace (the destination directory is created)',
  parameters: sourceDestinationSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const source = await resolveInWorkspace(context.workspace, parameters.source);
    const destination = await resolveInWorkspace(context.workspace, parameters.destination);
    let size: number;
    try {
      const info = await stat(source);
      if (info.isDirectory()) throw Object.assign(new Error('source is a directory'), { code: 'EISDIR' });
      // A FIFO or device would block the copy in a thread that the step's signal cannot stop.
      if (!info.isFile()) throw new MissionError(MissionErrorCode.io, `cannot copy "${parameters.source}": not a regular file`);
      size = info.size;
    } catch (error) {
      throw fileSystemError(error, 'copy', parameters.source, context.signal);
    }
    await refuseSpecialFile(destination, parameters.destination, 'copy to');
    try {
      await mkdir(path.dirname(destination), { recursive: true });
      await copyFile(source, destination);
    } catch (error) {
      throw fileSystemError(error, 'copy to', parameters.destination, context.signal);
    }
    return { source: parameters.source, destination: parameters.destination, size };
  },
});
