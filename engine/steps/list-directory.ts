/** `list_directory` and the directory reading `file_search` shares with it. */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { defineStepKind } from './define-step.js';
import { pathSchema, type PathParameters } from './path-parameters.js';
import { fileSystemError, throwIfAborted } from './step-errors.js';
import { resolveInWorkspace } from './workspace-path.js';

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
  const directory = await resolveInWorkspace(workspace, userPath);
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
  } catch (error) {
    throw fileSystemError(error, 'list', userPath, signal);
  }
  const entries: DirectoryEntry[] = [];
  for (const name of names) {
    throwIfAborted(signal);
    // lstat, not stat: a link pointing out of the workspace must not reveal what it points at.
    const info = await lstat(path.join(directory, name)).catch(() => undefined);
    if (!info) continue;
    entries.push({ name, path: path.join(userPath, name), is_dir: info.isDirectory(), size: info.isDirectory() ? 0 : info.size });
  }
  return entries;
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
