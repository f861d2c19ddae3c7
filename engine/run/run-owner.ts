/**
 * Whether the process recorded as running a run is still alive. A run killed with `kill -9` keeps
 * the status `running`, so status alone cannot tell a crashed run from one still going elsewhere.
 */
import { hostname } from 'node:os';

/**
 * The pid of the live process on this machine that `owner` (`host:pid`) names, if any. A process
 * on another machine cannot be checked and counts as gone.
 */
export function liveOwnerPid(owner: string | undefined): number | undefined {
  if (owner === undefined) return undefined;
  const separator = owner.lastIndexOf(':');
  const pid = Number(owner.slice(separator + 1));
  if (owner.slice(0, separator) !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
