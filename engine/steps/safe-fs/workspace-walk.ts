/**
 * Race-free confinement of file steps to the workspace. A path is never handed to the kernel as a
 * whole: the walk opens the workspace root, then each component relative to the directory it
 * already holds open, with no-follow semantics, so a symbolic link swapped in by another process
 * between our check and our use cannot redirect the operation. Links met on the way are resolved
 * by hand against the workspace (one inside stays usable; one leading out is refused).
 *
 * On Linux "relative to an open directory" is spelled `/proc/self/fd/<fd>/<name>`: the kernel
 * resolves the magic link to the directory the descriptor holds (not to a name), which is what
 * `openat(2)` would do and Node does not expose.
 */
import { constants, existsSync } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { MissionError, MissionErrorCode } from '../../errors.js';
import { isInside } from '../workspace-path.js';
import { checkUserPath, escapeError, followLink, lexicalComponents, maxLinkHops } from './path-components.js';

export { checkUserPath, escapeError, maxLinkHops, maxPathBytes, maxPathComponents } from './path-components.js';

/** Whether descriptors can be addressed as directories (Linux `/proc`): the race-free mode. */
export const descriptorPaths = process.platform === 'linux' && existsSync('/proc/self/fd');

/** A directory held open inside the workspace. */
export interface OpenDirectory {
  handle: FileHandle;
  /** Its workspace-relative path (for messages and the non-Linux fallback), '' for the root. */
  relative: string;
  /** Absolute path the walk reached it by; used only where descriptor paths are unavailable. */
  absolute: string;
}

/** The last component of a path and the directory (held open) that contains it. */
export interface WorkspaceLocation {
  parent: OpenDirectory;
  /** '' when the path is the workspace root itself. */
  name: string;
  /** Normalised workspace-relative path of the whole location. */
  relative: string;
  /** The workspace's real path, for verifying where an opened descriptor really is. */
  realRoot: string;
}

/** How a walk treats what it meets. */
export interface WalkOptions {
  /** Create missing intermediate directories (writes do, reads do not). */
  createDirectories?: boolean;
}

/** The path of `name` inside an open directory, as the kernel should resolve it. */
export function childPath(directory: OpenDirectory, name: string): string {
  const base = descriptorPaths ? `/proc/self/fd/${directory.handle.fd}` : directory.absolute;
  return name === '' ? base : `${base}/${name}`;
}

/** Path of an open descriptor as another process (a spawned child) can address it. */
export function descriptorPathForChild(handle: FileHandle, fallback: string): string {
  return descriptorPaths ? `/proc/${process.pid}/fd/${handle.fd}` : fallback;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function closeQuietly(handle: FileHandle | undefined): Promise<void> {
  await handle?.close().catch(() => undefined);
}

const directoryFlags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** A walk in progress: the root, the hops used so far. */
interface WalkState {
  root: string;
  realRoot: string;
  userPath: string;
  hops: number;
}

async function openRoot(state: WalkState): Promise<OpenDirectory> {
  // The workspace itself is the caller's choice and may be reached through links (e.g. /tmp).
  const handle = await open(state.root, constants.O_RDONLY | constants.O_DIRECTORY).catch((error: unknown) => {
    throw new MissionError(MissionErrorCode.io, 'the run workspace does not exist or is not a directory', { cause: error });
  });
  return { handle, relative: '', absolute: state.realRoot };
}

/** If `name` in `directory` is a symbolic link, its target; otherwise undefined. */
async function linkTarget(directory: OpenDirectory, name: string): Promise<string | undefined> {
  const info = await lstat(childPath(directory, name)).catch(() => undefined);
  if (!info?.isSymbolicLink()) return undefined;
  return readlink(childPath(directory, name));
}

function hop(state: WalkState): void {
  state.hops += 1;
  if (state.hops > maxLinkHops) throw escapeError(state.userPath, 'goes through too many symbolic links');
}

/**
 * Opens every directory of `components` but the last, without following links; returns the
 * parent held open and the last name. Links met on the way restart the walk at their target.
 */
async function walkComponents(state: WalkState, start: string[], options: WalkOptions): Promise<WorkspaceLocation> {
  let components = start;
  restart: for (;;) {
    let current = await openRoot(state);
    try {
      for (let index = 0; index < components.length - 1; index += 1) {
        const name = components[index];
        let next: FileHandle | undefined;
        for (let created = false; next === undefined; ) {
          try {
            next = await open(childPath(current, name), directoryFlags);
          } catch (error) {
            const code = errnoOf(error);
            if (code === 'ENOENT' && options.createDirectories && !created) {
              created = true;
              await mkdir(childPath(current, name)).catch((mkdirError: unknown) => {
                if (errnoOf(mkdirError) !== 'EEXIST') throw mkdirError;
              });
              continue;
            }
            if (code === 'ENOTDIR' || code === 'ELOOP') {
              const target = await linkTarget(current, name);
              if (target !== undefined) {
                hop(state);
                components = followLink(state.root, state.realRoot, components.slice(0, index), target, components.slice(index + 1), state.userPath);
                await closeQuietly(current.handle);
                continue restart;
              }
            }
            throw error;
          }
        }
        await closeQuietly(current.handle);
        const relative = components.slice(0, index + 1).join(path.sep);
        current = { handle: next, relative, absolute: path.join(state.realRoot, relative) };
      }
    } catch (error) {
      await closeQuietly(current.handle);
      throw error;
    }
    return {
      parent: current,
      name: components.at(-1) ?? '',
      relative: components.join(path.sep),
      realRoot: state.realRoot,
    };
  }
}

/**
 * Walks `userPath` inside `workspace` and returns its parent directory held open plus the last
 * name (not yet opened or followed). The caller must {@link releaseLocation} it.
 */
export async function locateInWorkspace(workspace: string, userPath: string, options: WalkOptions = {}): Promise<WorkspaceLocation> {
  checkUserPath(userPath);
  const root = path.resolve(workspace);
  const realRoot = await realpath(root).catch((error: unknown) => {
    throw new MissionError(MissionErrorCode.io, 'the run workspace does not exist', { cause: error });
  });
  const state: WalkState = { root, realRoot, userPath, hops: 0 };
  return walkComponents(state, lexicalComponents(root, realRoot, userPath), options);
}

/** Closes the directory a {@link WorkspaceLocation} holds. */
export async function releaseLocation(location: WorkspaceLocation): Promise<void> {
  await closeQuietly(location.parent.handle);
}

/** An opened final component: the descriptor and where it is. */
export interface OpenedInWorkspace {
  handle: FileHandle;
  relative: string;
}

/**
 * Refuses a descriptor whose real location is outside the workspace: a directory on the way may
 * have been renamed out of the workspace by another process after we opened it.
 */
async function verifyLocation(handle: FileHandle, realRoot: string, userPath: string): Promise<void> {
  if (!descriptorPaths) return;
  const actual = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
  if (actual === undefined || actual.endsWith(' (deleted)')) return;
  if (!isInside(realRoot, actual)) throw escapeError(userPath, 'was moved outside the workspace while it was being opened');
}

/**
 * Opens `userPath` inside `workspace` with `flags` (plus `O_NOFOLLOW`, always). A final symbolic
 * link is followed by hand when it stays inside the workspace. Directories on the way are created
 * when `createDirectories` is set. Rejects with Node's errno errors for ordinary failures.
 */
export async function openInWorkspace(
  workspace: string,
  userPath: string,
  flags: number,
  options: WalkOptions & { mode?: number } = {},
): Promise<OpenedInWorkspace> {
  checkUserPath(userPath);
  const root = path.resolve(workspace);
  const realRoot = await realpath(root).catch((error: unknown) => {
    throw new MissionError(MissionErrorCode.io, 'the run workspace does not exist', { cause: error });
  });
  const state: WalkState = { root, realRoot, userPath, hops: 0 };
  let components = lexicalComponents(root, realRoot, userPath);
  for (;;) {
    const location = await walkComponents(state, components, options);
    try {
      if (location.name === '') {
        // The workspace root itself: reopen what the walk holds.
        const handle = await open(childPath(location.parent, ''), flags);
        return { handle, relative: '' };
      }
      let handle: FileHandle;
      try {
        handle = await open(childPath(location.parent, location.name), flags | constants.O_NOFOLLOW, options.mode ?? 0o666);
      } catch (error) {
        const code = errnoOf(error);
        const target = code === 'ELOOP' || code === 'ENOTDIR' ? await linkTarget(location.parent, location.name) : undefined;
        if (target === undefined) throw error;
        hop(state);
        const walked = location.relative.split(path.sep).slice(0, -1).filter(Boolean);
        components = followLink(root, realRoot, walked, target, [], userPath);
        continue;
      }
      try {
        await verifyLocation(handle, realRoot, userPath);
      } catch (error) {
        await closeQuietly(handle);
        throw error;
      }
      return { handle, relative: location.relative };
    } finally {
      await releaseLocation(location);
    }
  }
}
