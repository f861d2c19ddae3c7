/** Guards a write against special files: a FIFO would block the open where no signal reaches it. */
import { stat } from 'node:fs/promises';
import { MissionError, MissionErrorCode } from '../errors.js';

/**
 * Throws when `target` exists and is neither a regular file nor a directory (a directory is left
 * to the write itself, which reports EISDIR). A missing target is fine: the write creates it.
 */
export async function refuseSpecialFile(target: string, userPath: string, action: string): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (info && !info.isFile() && !info.isDirectory()) {
    throw new MissionError(MissionErrorCode.io, `cannot ${action} "${userPath}": not a regular file`);
  }
}
