/** `list_directory` and the directory reading `file_search` shares with it. */
import path from 'node:path';
import { defineStepKind } from './define-step.js';
import { pathSchema, type PathParameters } from './path-parameters.js';
import { listDirectoryInWorkspace } from './safe-fs/workspace-files.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';

/** One entry of a listing; `path` joins the directory as the user wrote it with the name. */
export interface DirectoryEntry {
  name: string;
  path: string;
  is_dir: boolean;
  size: number;
}

/**
 * Lists one directory (not recursively), sorted by name so outputs are reproducible. Entries that
 * vanish while listing are left out rather than failing the step.
 */
export async function readDirectoryEntries(workspace: string, userPath: string, signal: AbortSignal): Promise<DirectoryEntry[]> {
  try {
    // Entries are lstat'ed through the open directory: a link out must not reveal what it points at.
    const listed = await listDirectoryInWorkspace(workspace, userPath, signal);
    return listed.map((entry) => ({ name: entry.name, path: path.join(userPath, entry.name), is_dir: entry.isDirectory, size: entry.size }));
  } catch (error) {
    throw fileSystemError(error, 'list', userPath, signal);
  }
}

/** The `list_directory` step kind. Output: `{path, entries: [{name, path, is_dir, size}], count}`. */
export const listDirectoryStep = defineStepKind<PathParameters>({
  name: 'list_directory',
  description: 'List the entries of a directory in the workspace (not recursive)',
  parameters: pathSchema,
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const entries = await readDirectoryEntries(context.workspace, parameters.path, context.signal);
    return { path: parameters.path, entries, count: entries.length };
  },
});
