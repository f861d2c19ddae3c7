/**
 * Confines file steps to the run's workspace. A path is refused when it leaves the workspace
 * lexically (`..`, an absolute path elsewhere) or physically (through a symbolic link, including
 * a dangling one that a write would follow to create a file outside).
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { MissionError, MissionErrorCode } from '../errors.js';

/** Symbolic links followed before giving up; the kernel's own limit is of this order. */
const maxLinkHops = 40;

/** Whether `candidate` is `root` or lies below it (both absolute and normalised). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function escapeError(userPath: string, why: string): MissionError {
  return new MissionError(
    MissionErrorCode.pathEscape,
    `path "${userPath}" ${why}; file steps may only touch files inside the run's workspace (use a path relative to it)`,
  );
}

async function exists(candidate: string): Promise<boolean> {
  try {
    await lstat(candidate);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks the physical location of `candidate`: the real path of its nearest existing ancestor, and
 * of the candidate itself when it exists, must lie inside the real workspace. Dangling links are
 * followed by hand because `realpath` cannot resolve them but `writeFile` would create their target.
 */
async function assertPhysicallyInside(realWorkspace: string, candidate: string, userPath: string, hops: number): Promise<void> {
  if (hops > maxLinkHops) throw escapeError(userPath, 'goes through too many symbolic links');
  let probe = candidate;
  while (!(await exists(probe))) {
    const parent = path.dirname(probe);
    if (parent === probe) return;
    probe = parent;
  }
  let real: string;
  try {
    real = await realpath(probe);
  } catch {
    // The probe exists but does not resolve: a dangling link (or a loop). Follow it one hop.
    const info = await lstat(probe);
    if (!info.isSymbolicLink()) throw escapeError(userPath, 'cannot be resolved');
    // A relative target is relative to the link's real directory, which differs from the
    // directory as spelled when a symlinked directory was crossed to reach the link.
    const target = path.resolve(await realpath(path.dirname(probe)), await readlink(probe));
    const rest = path.relative(probe, candidate);
    await assertPhysicallyInside(realWorkspace, path.join(target, rest), userPath, hops + 1);
    return;
  }
  if (!isInside(realWorkspace, real)) throw escapeError(userPath, 'leads outside the workspace through a symbolic link');
}

/**
 * Resolves a path a mission wrote to an absolute path inside `workspace`.
 *
 * This is a check, not a safe open: another process may swap a link between it and a later open
 * by name. The built-in steps open through `safe-fs/` (`openInWorkspace`) instead; custom step
 * kinds should too.
 *
 * Relative paths resolve against the workspace; absolute paths are accepted only when they lie
 * inside it. Throws a {@link MissionError} `MISSION_ERR_PATH_ESCAPE` naming the path otherwise.
 * The returned path is lexically normalised, so `link/..` never reaches the kernel (which would
 * resolve `..` against the link's target).
 */
export async function resolveInWorkspace(workspace: string, userPath: string): Promise<string> {
  if (typeof userPath !== 'string' || userPath === '') {
    throw new MissionError(MissionErrorCode.parameters, 'a file path must be a non-empty string');
  }
  if (userPath.includes('\0')) throw escapeError(userPath.replaceAll('\0', '\\0'), 'contains a NUL byte');
  const root = path.resolve(workspace);
  let realWorkspace: string;
  try {
    realWorkspace = await realpath(root);
  } catch (error) {
    throw new MissionError(MissionErrorCode.io, 'the run workspace does not exist', { cause: error });
  }
  let absolute = path.resolve(root, userPath);
  if (!isInside(root, absolute)) {
    // An absolute path may name the workspace by its real path (e.g. /private/tmp for /tmp).
    if (path.isAbsolute(userPath) && isInside(realWorkspace, absolute)) {
      absolute = path.join(root, path.relative(realWorkspace, absolute));
    } else {
      throw escapeError(userPath, path.isAbsolute(userPath) ? 'is outside the workspace' : 'leaves the workspace');
    }
  }
  await assertPhysicallyInside(realWorkspace, absolute, userPath, 0);
  return absolute;
}
