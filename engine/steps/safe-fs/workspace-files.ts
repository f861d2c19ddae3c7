/**
 * The file operations of the built-in steps, each done through descriptors obtained by the
 * race-free walk of `workspace-walk.ts`: read, write (replace or append), stat, list, delete,
 * move and copy. A regular file with more than one hard link is refused unless the step opts in
 * (`allow_hardlinks: true`): its other name may be outside the workspace, and writing or reading
 * through it would touch that outside file.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { MissionError, MissionErrorCode } from '../../errors.js';
import { childPath, escapeError, locateInWorkspace, openInWorkspace, releaseLocation, type WorkspaceLocation } from './workspace-walk.js';

/** Largest file a copy moves; it is read and written in chunks, so this bounds time, not memory. */
export const maxCopyBytes = 1024 * 1024 * 1024;
/** Most entries `list_directory`/`file_search` read from one directory. */
export const maxDirectoryEntries = 100_000;
const copyChunkBytes = 1024 * 1024;

/** What every operation on an existing file may be told. */
export interface LinkPolicy {
  /** Read or write a regular file even when it has other hard links (which may be outside). */
  allowHardlinks?: boolean;
}

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * Refuses what a step must not read or write through: directories (EISDIR), special files (a
 * FIFO or device would block where no signal reaches), and hard-linked files unless allowed.
 */
export function checkRegularFile(info: Stats, userPath: string, action: string, policy: LinkPolicy): void {
  if (info.isDirectory()) throw errnoError('EISDIR', 'is a directory');
  if (!info.isFile()) throw new MissionError(MissionErrorCode.io, `cannot ${action} "${userPath}": not a regular file`);
  if (info.nlink > 1 && !policy.allowHardlinks) {
    throw escapeError(
      userPath,
      `has ${info.nlink} hard links (another may be outside the workspace), so ${action} is refused; set the step parameter allow_hardlinks: true if that is intended`,
    );
  }
}

/** Opens an existing regular file for reading, with the checks of {@link checkRegularFile}. */
async function openForReading(workspace: string, userPath: string, action: string, policy: LinkPolicy): Promise<{ handle: FileHandle; info: Stats }> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, beyond any signal.
  const { handle } = await openInWorkspace(workspace, userPath, constants.O_RDONLY | constants.O_NONBLOCK);
  return checkedHandle(handle, userPath, action, policy);
}

/** The opened file with its stat, once {@link checkRegularFile} passes; closed when it does not. */
async function checkedHandle(handle: FileHandle, userPath: string, action: string, policy: LinkPolicy): Promise<{ handle: FileHandle; info: Stats }> {
  try {
    const info = await handle.stat();
    checkRegularFile(info, userPath, action, policy);
    return { handle, info };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads a whole regular file of at most `maxBytes`. */
export async function readFileInWorkspace(
  workspace: string,
  userPath: string,
  options: LinkPolicy & { action: string; maxBytes: number; signal: AbortSignal },
): Promise<Buffer> {
  const { handle, info } = await openForReading(workspace, userPath, options.action, options);
  try {
    if (info.size > options.maxBytes) {
      throw new MissionError(MissionErrorCode.io, `cannot ${options.action} "${userPath}": ${info.size} bytes is more than the ${options.maxBytes}-byte limit`);
    }
    const data = await handle.readFile({ signal: options.signal });
    // The file may have grown since fstat; the limit holds for what was read.
    if (data.byteLength > options.maxBytes) {
      throw new MissionError(MissionErrorCode.io, `cannot ${options.action} "${userPath}": more than the ${options.maxBytes}-byte limit`);
    }
    return data;
  } finally {
    await handle.close();
  }
}

/** The size of an existing regular file (for `edit_file` without content). */
export async function fileSizeInWorkspace(workspace: string, userPath: string, action: string, policy: LinkPolicy): Promise<number> {
  const { handle, info } = await openForReading(workspace, userPath, action, policy);
  await handle.close();
  return info.size;
}

/** Opens (creating) a regular file for writing, refusing links out and hard-linked files. */
async function openForWriting(workspace: string, userPath: string, action: string, policy: LinkPolicy & { createDirectories: boolean }): Promise<{ handle: FileHandle; info: Stats }> {
  // No O_TRUNC: the checks below must pass before the file's content is touched.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK;
  const { handle } = await openInWorkspace(workspace, userPath, flags, { createDirectories: policy.createDirectories }).catch((error: unknown) => {
    // ENXIO: a FIFO with no reader (O_NONBLOCK kept the open from waiting for one).
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw new MissionError(MissionErrorCode.io, `cannot ${action} "${userPath}": not a regular file`);
    throw error;
  });
  return checkedHandle(handle, userPath, action, policy);
}

/** Writes `data` to a file in the workspace, replacing or appending; resolves to the final size. */
export async function writeFileInWorkspace(
  workspace: string,
  userPath: string,
  data: Buffer,
  options: LinkPolicy & { mode: 'replace' | 'append'; createDirectories: boolean; action: string; signal?: AbortSignal },
): Promise<number> {
  const { handle, info } = await openForWriting(workspace, userPath, options.action, options);
  try {
    const start = options.mode === 'append' ? info.size : 0;
    if (options.mode === 'replace') await handle.truncate(0);
    await writeAll(handle, data, start, options.signal);
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, data: Buffer, start: number, signal?: AbortSignal): Promise<void> {
  let written = 0;
  while (written < data.byteLength) {
    signal?.throwIfAborted();
    const { bytesWritten } = await handle.write(data, written, Math.min(copyChunkBytes, data.byteLength - written), start + written);
    written += bytesWritten;
  }
}

/** One entry of a directory listing. */
export interface ListedEntry {
  name: string;
  isDirectory: boolean;
  size: number;
}

/**
 * Lists a directory held open by descriptor (so a swap of its name cannot redirect the listing).
 * Entries are lstat'ed, never followed; entries that vanish meanwhile are left out.
 */
export async function listDirectoryInWorkspace(workspace: string, userPath: string, signal: AbortSignal): Promise<ListedEntry[]> {
  const { handle, relative } = await openInWorkspace(workspace, userPath, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const directory = { handle, relative, absolute: path.join(path.resolve(workspace), relative) };
    const names = await readdir(childPath(directory, ''));
    if (names.length > maxDirectoryEntries) {
      throw new MissionError(MissionErrorCode.io, `cannot list "${userPath}": it has ${names.length} entries, more than the ${maxDirectoryEntries} a step reads`);
    }
    names.sort();
    const entries: ListedEntry[] = [];
    for (const name of names) {
      signal.throwIfAborted();
      const info = await lstat(childPath(directory, name)).catch(() => undefined);
      if (!info) continue;
      entries.push({ name, isDirectory: info.isDirectory(), size: info.isDirectory() ? 0 : info.size });
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** Refuses a location that is the workspace root (delete and move must name something in it). */
function assertNotRoot(location: WorkspaceLocation, userPath: string): void {
  if (location.name === '') {
    throw new MissionError(MissionErrorCode.pathEscape, `path "${userPath}" is the workspace itself; name a file inside it`);
  }
}

/**
 * Deletes a file (or a link: the link itself, never its target). Resolves to whether it existed.
 * Directories are refused: one mistyped path would otherwise empty a tree.
 */
export async function deleteFileInWorkspace(workspace: string, userPath: string): Promise<boolean> {
  const location = await locateInWorkspace(workspace, userPath).catch((error: unknown) => {
    // A missing parent directory: the file does not exist either, which is fine for a delete.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (!location) return false;
  try {
    assertNotRoot(location, userPath);
    const target = childPath(location.parent, location.name);
    const info = await lstat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) return false;
    if (info.isDirectory()) {
      throw new MissionError(MissionErrorCode.io, `cannot delete "${userPath}": it is a directory (delete_file removes files only)`);
    }
    await unlink(target);
    return true;
  } finally {
    await releaseLocation(location);
  }
}

/**
 * Renames an entry within the workspace. Both parents are held open, so the rename happens where
 * the walk checked; a link is moved as a link. Across mounts only regular files are moved (by a
 * checked copy, then delete).
 */
export async function moveInWorkspace(workspace: string, source: string, destination: string, policy: LinkPolicy): Promise<void> {
  const from = await locateInWorkspace(workspace, source);
  try {
    assertNotRoot(from, source);
    const to = await locateInWorkspace(workspace, destination, { createDirectories: true });
    try {
      assertNotRoot(to, destination);
      try {
        await rename(childPath(from.parent, from.name), childPath(to.parent, to.name));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      }
    } finally {
      await releaseLocation(to);
    }
  } finally {
    await releaseLocation(from);
  }
  // Across mounts: the checked copy refuses anything but a regular file.
  await copyFileInWorkspace(workspace, source, destination, { ...policy });
  await deleteFileInWorkspace(workspace, source);
}

/** Copies a regular file within the workspace; resolves to its size. */
export async function copyFileInWorkspace(
  workspace: string,
  source: string,
  destination: string,
  options: LinkPolicy & { signal?: AbortSignal; onSourceError?: (error: unknown) => unknown },
): Promise<number> {
  let input: { handle: FileHandle; info: Stats };
  try {
    input = await openForReading(workspace, source, 'copy', options);
  } catch (error) {
    throw options.onSourceError ? options.onSourceError(error) : error;
  }
  try {
    if (input.info.size > maxCopyBytes) {
      throw new MissionError(MissionErrorCode.io, `cannot copy "${source}": ${input.info.size} bytes is more than the ${maxCopyBytes}-byte limit`);
    }
    const output = await openForWriting(workspace, destination, 'copy to', { ...options, createDirectories: true });
    try {
      if (output.info.ino === input.info.ino && output.info.dev === input.info.dev) return input.info.size; // Copying a file onto itself.
      await output.handle.truncate(0);
      const buffer = Buffer.allocUnsafe(copyChunkBytes);
      let position = 0;
      for (;;) {
        options.signal?.throwIfAborted();
        const { bytesRead } = await input.handle.read(buffer, 0, buffer.byteLength, position);
        if (bytesRead === 0) break;
        if (position + bytesRead > maxCopyBytes) throw new MissionError(MissionErrorCode.io, `cannot copy "${source}": more than the ${maxCopyBytes}-byte limit`);
        await writeAll(output.handle, buffer.subarray(0, bytesRead), position);
        position += bytesRead;
      }
      return position;
    } finally {
      await output.handle.close();
    }
  } finally {
    await input.handle.close();
  }
}

/** Opens a directory in the workspace (the working directory of a command) and keeps it open. */
export async function openDirectoryInWorkspace(workspace: string, userPath: string): Promise<FileHandle> {
  const { handle } = await openInWorkspace(workspace, userPath, constants.O_RDONLY | constants.O_DIRECTORY);
  return handle;
}
