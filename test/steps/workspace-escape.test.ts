/**
 * Adversarial tests of workspace confinement: hard links to outside files, and a symbolic link
 * swapped in by another process while many writes run (the check-then-use race).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { link, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandStep } from '../../engine/steps/command.js';
import { copyFileStep } from '../../engine/steps/copy-file.js';
import { createFileStep } from '../../engine/steps/create-file.js';
import { deleteFileStep } from '../../engine/steps/delete-file.js';
import { editFileStep } from '../../engine/steps/edit-file.js';
import { httpStep } from '../../engine/steps/http.js';
import { listDirectoryStep } from '../../engine/steps/list-directory.js';
import { moveFileStep } from '../../engine/steps/move-file.js';
import { readFileStep } from '../../engine/steps/read-file.js';
import type { StepContext } from '../../engine/steps/types.js';
import { createTestContext, makeTempDirectory, removeTempDirectory } from './context.js';

let root: string;
let workspace: string;
let outside: string;
let context: StepContext;

beforeEach(async () => {
  root = await makeTempDirectory('workspace-escape-');
  workspace = path.join(root, 'workspace');
  outside = path.join(root, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'top secret');
  context = createTestContext(workspace).context;
});
afterEach(() => removeTempDirectory(root));

const inWorkspace = (...parts: string[]): string => path.join(workspace, ...parts);
const secretFile = (): string => path.join(outside, 'secret.txt');
const hardlinkRefusal = { code: 'MISSION_ERR_PATH_ESCAPE', message: expect.stringContaining('allow_hardlinks') };

describe('hard links to files outside the workspace', () => {
  beforeEach(async () => {
    await link(secretFile(), inWorkspace('linked.txt'));
    await writeFile(inWorkspace('plain.txt'), 'plain');
  });

  it('refuses to read them (read_file, http body_file, copy_file source)', async () => {
    await expect(readFileStep.execute({ path: 'linked.txt' }, context)).rejects.toMatchObject(hardlinkRefusal);
    await expect(httpStep.execute({ url: 'http://127.0.0.1:9/', method: 'POST', body_file: 'linked.txt' } as never, context)).rejects.toMatchObject(hardlinkRefusal);
    await expect(copyFileStep.execute({ source: 'linked.txt', destination: 'copy.txt' }, context)).rejects.toMatchObject(hardlinkRefusal);
    expect(await readdir(workspace)).not.toContain('copy.txt');
  });

  it('refuses to write through them (create_file, edit_file, copy_file destination) and leaves the outside file alone', async () => {
    await expect(createFileStep.execute({ path: 'linked.txt', content: 'pwned' }, context)).rejects.toMatchObject(hardlinkRefusal);
    await expect(editFileStep.execute({ path: 'linked.txt', content: 'pwned', append: true }, context)).rejects.toMatchObject(hardlinkRefusal);
    await expect(editFileStep.execute({ path: 'linked.txt', content: 'pwned' } as never, context)).rejects.toMatchObject(hardlinkRefusal);
    await expect(copyFileStep.execute({ source: 'plain.txt', destination: 'linked.txt' }, context)).rejects.toMatchObject(hardlinkRefusal);
    expect(await readFile(secretFile(), 'utf8')).toBe('top secret');
  });

  it('allows them when the step opts in with allow_hardlinks: true', async () => {
    expect(await readFileStep.execute({ path: 'linked.txt', allow_hardlinks: true }, context)).toMatchObject({ content: 'top secret' });
    await createFileStep.execute({ path: 'linked.txt', content: 'shared', allow_hardlinks: true }, context);
    expect(await readFile(secretFile(), 'utf8')).toBe('shared');
  });

  it('still deletes and moves the link itself (the outside file is untouched)', async () => {
    await moveFileStep.execute({ source: 'linked.txt', destination: 'moved.txt' }, context);
    await deleteFileStep.execute({ path: 'moved.txt' }, context);
    expect(await readFile(secretFile(), 'utf8')).toBe('top secret');
  });
});

describe('links inside the workspace keep working', () => {
  it('reads and writes through a symlinked directory and file that stay inside', async () => {
    await mkdir(inWorkspace('real'));
    await symlink('real', inWorkspace('alias'));
    await symlink('real/target.txt', inWorkspace('file-alias.txt'));
    await createFileStep.execute({ path: 'alias/sub/target.txt', content: 'one' }, context);
    await createFileStep.execute({ path: 'file-alias.txt', content: 'two' }, context);
    expect(await readFile(inWorkspace('real', 'sub', 'target.txt'), 'utf8')).toBe('one');
    expect(await readFile(inWorkspace('real', 'target.txt'), 'utf8')).toBe('two');
    expect(await listDirectoryStep.execute({ path: 'alias' }, context)).toMatchObject({ count: 2 });
  });

  it('refuses a chain of links that finally leaves, and a link loop', async () => {
    await symlink('hop2', inWorkspace('hop1'));
    await symlink('../outside', inWorkspace('hop2'));
    await symlink('loop-b', inWorkspace('loop-a'));
    await symlink('loop-a', inWorkspace('loop-b'));
    await expect(createFileStep.execute({ path: 'hop1/x.txt', content: 'x' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(readFileStep.execute({ path: 'loop-a' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE', message: expect.stringContaining('too many') });
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('treats a file under a missing directory as missing when deleting', async () => {
    expect(await deleteFileStep.execute({ path: 'no/such/dir/file.txt' }, context)).toEqual({ path: 'no/such/dir/file.txt', existed: false, deleted: false });
  });

  it('bounds path length and depth with typed errors', async () => {
    await expect(readFileStep.execute({ path: 'a/'.repeat(300) + 'f' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
    await expect(readFileStep.execute({ path: 'x'.repeat(5000) }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
  });
});

/**
 * Starts another process that swaps `workspace/dir` between a real directory and a symbolic link
 * to the outside directory as fast as it can, counting its swaps on stdout when stopped.
 */
function startSwapper(directory: string): { child: ChildProcess; swaps: () => Promise<number> } {
  const script = `
    const fs = require('node:fs');
    const d = process.argv[1];
    let swaps = 0, n = 0;
    const stop = () => { process.stdout.write(String(swaps)); process.exit(0); };
    process.on('SIGTERM', stop);
    setTimeout(stop, 20000).unref();
    const loop = () => {
      for (let i = 0; i < 200; i++) {
        try { fs.renameSync(d, d + '-old-' + (n++)); } catch {}
        try { fs.unlinkSync(d); } catch {}
        try { fs.symlinkSync('../outside', d); swaps++; } catch {}
        try { fs.unlinkSync(d); } catch {}
        try { fs.mkdirSync(d); } catch {}
      }
      setImmediate(loop);
    };
    loop();`;
  const child = spawn(process.execPath, ['-e', script, directory], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    swaps: async () => {
      child.kill('SIGTERM');
      await exited;
      return Number(output);
    },
  };
}

describe('a symlink swapped by another process during many concurrent operations', () => {
  it('lets no write, copy, delete, listing, read or command escape the workspace', async () => {
    const swapper = startSwapper(inWorkspace('dir'));
    await writeFile(inWorkspace('source.txt'), 'copied');
    let succeeded = 0;
    let refused = 0;
    const leaks: string[] = [];
    const operationsByKind: Array<(name: string) => Promise<unknown>> = [
      (name) => createFileStep.execute({ path: `dir/${name}.txt`, content: 'escaped?' }, context),
      (name) => createFileStep.execute({ path: `dir/${name}/nested.txt`, content: 'escaped?' }, context),
      (name) => copyFileStep.execute({ source: 'source.txt', destination: `dir/${name}.txt` }, context),
      (name) => editFileStep.execute({ path: `dir/${name}.txt`, content: 'escaped?', append: true }, context),
      () => deleteFileStep.execute({ path: 'dir/secret.txt' }, context),
      () =>
        readFileStep.execute({ path: 'dir/secret.txt' }, context).then((output) => {
          leaks.push(`read: ${(output as { content: string }).content}`);
        }),
      () =>
        listDirectoryStep.execute({ path: 'dir' }, context).then((output) => {
          const names = (output as { entries: Array<{ name: string }> }).entries.map((entry) => entry.name);
          if (names.includes('secret.txt')) leaks.push('listed the outside directory');
        }),
    ];
    const rounds = 4;
    const perRound = 105;
    for (let round = 0; round < rounds; round += 1) {
      const operations = Array.from({ length: perRound }, (_, index) =>
        operationsByKind[index % operationsByKind.length](`r${round}-${index}`).then(
          () => (succeeded += 1),
          () => (refused += 1),
        ),
      );
      // A few commands whose working directory is the swapped name (each is a real process).
      for (let index = 0; index < 5; index += 1) {
        operations.push(
          commandStep.execute({ command: 'touch', args: [`c${round}-${index}.txt`], working_dir: 'dir' } as never, context).then(
            () => (succeeded += 1),
            () => (refused += 1),
          ),
        );
      }
      await Promise.all(operations);
    }
    const swaps = await swapper.swaps();
    expect(swaps).toBeGreaterThan(0); // The race really ran.
    expect(succeeded + refused).toBe(rounds * (perRound + 5));
    expect(succeeded).toBeGreaterThan(0); // Operations landed while the name was a real directory.
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(secretFile(), 'utf8')).toBe('top secret');
    expect(leaks).toEqual([]);
  }, 30_000);
});
