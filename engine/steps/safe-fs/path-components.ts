/**
 * The lexical half of workspace confinement: checking a path string, splitting it into
 * workspace-relative components, and resolving a symbolic link's target against the workspace by
 * hand (the kernel never follows one for us). No I/O here.
 */
import path from 'node:path';
import { MissionError, MissionErrorCode } from '../../errors.js';
import { isInside } from '../workspace-path.js';

/** Longest path (in UTF-8 bytes) a step may name; the kernel's PATH_MAX. */
export const maxPathBytes = 4096;
/** Most components a path may have after normalisation (and after following links by hand). */
export const maxPathComponents = 256;
/** Symbolic links followed by hand before giving up; the kernel's own limit is of this order. */
export const maxLinkHops = 40;

/** The `MISSION_ERR_PATH_ESCAPE` error for `userPath`. */
export function escapeError(userPath: string, why: string): MissionError {
  return new MissionError(
    MissionErrorCode.pathEscape,
    `path "${userPath}" ${why}; file steps may only touch files inside the run's workspace (use a path relative to it)`,
  );
}

/** Checks the string itself: type, size, NUL bytes. */
export function checkUserPath(userPath: unknown): asserts userPath is string {
  if (typeof userPath !== 'string' || userPath === '') {
    throw new MissionError(MissionErrorCode.parameters, 'a file path must be a non-empty string');
  }
  if (userPath.includes('\0')) throw escapeError(userPath.replaceAll('\0', '\\0'), 'contains a NUL byte');
  if (Buffer.byteLength(userPath) > maxPathBytes) {
    throw new MissionError(MissionErrorCode.parameters, `a file path is longer than ${maxPathBytes} bytes (it starts "${userPath.slice(0, 60)}")`);
  }
}

/** Splits a normalised relative path into components, bounded in number. */
function componentsOf(relative: string, userPath: string): string[] {
  const components = relative.split(path.sep).filter((part) => part !== '' && part !== '.');
  if (components.length > maxPathComponents) {
    throw new MissionError(MissionErrorCode.parameters, `path "${userPath}" has more than ${maxPathComponents} components`);
  }
  return components;
}

/**
 * The workspace-relative components of a path a mission wrote: relative paths resolve against the
 * workspace; absolute ones must lie inside it (as given or by its real path).
 */
export function lexicalComponents(root: string, realRoot: string, userPath: string): string[] {
  const absolute = path.resolve(root, userPath);
  if (isInside(root, absolute)) return componentsOf(path.relative(root, absolute), userPath);
  if (path.isAbsolute(userPath) && isInside(realRoot, absolute)) return componentsOf(path.relative(realRoot, absolute), userPath);
  throw escapeError(userPath, path.isAbsolute(userPath) ? 'is outside the workspace' : 'leaves the workspace');
}

/**
 * Where a link found at `walked/<link>` points, as workspace-relative components followed by the
 * rest of the path. `walked` holds only real directories (links are never crossed), so `..` in
 * the target can be resolved lexically.
 */
export function followLink(root: string, realRoot: string, walked: string[], target: string, rest: string[], userPath: string): string[] {
  let relative: string;
  if (path.isAbsolute(target)) {
    if (isInside(realRoot, target)) relative = path.relative(realRoot, target);
    else if (isInside(root, target)) relative = path.relative(root, target);
    else throw escapeError(userPath, 'leads outside the workspace through a symbolic link');
  } else {
    relative = path.normalize(path.join('.', ...walked, target));
    if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw escapeError(userPath, 'leads outside the workspace through a symbolic link');
    }
  }
  return [...componentsOf(relative, userPath), ...rest];
}
