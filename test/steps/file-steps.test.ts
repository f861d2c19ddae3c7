import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileStep } from '../../engine/steps/copy-file.js';
import { createFileStep } from '../../engine/steps/create-file.js';
import { deleteFileStep } from '../../engine/steps/delete-file.js';
import { editFileStep } from '../../engine/steps/edit-file.js';
import { fileSearchStep } from '../../engine/steps/file-search.js';
import { listDirectoryStep } from '../../engine/steps/list-directory.js';
import { moveFileStep } from '../../engine/steps/move-file.js';
import { noopStep } from '../../engine/steps/noop.js';
import { readFileStep } from '../../engine/steps/read-file.js';
import type { StepContext } from '../../engine/steps/types.js';
import { createTestContext, makeTempDirectory, removeTempDirectory } from './context.js';

let root: string;
let workspace: string;
let outside: string;
let context: StepContext;

beforeEach(async () => {
  root = await makeTempDirectory('file-steps-');
  workspace = path.join(root, 'workspace');
  outside = path.join(root, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'top secret');
  context = createTestContext(workspace).context;
});
afterEach(() => removeTempDirectory(root));

const inWorkspace = (...parts: string[]): string => path.join(workspace, ...parts);

describe('noop', () => {
  it('returns RustChain\'s message, or the given one', async () => {
    expect(await noopStep.execute({}, context)).toEqual({ message: 'No operation performed' });
    expect(await noopStep.execute({ message: 'joined' }, context)).toEqual({ message: 'joined' });
  });

  it('refuses unknown parameters, naming the allowed ones', async () => {
    await expect(noopStep.execute({ bogus: 1 } as never, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARAMETERS',
      message: expect.stringContaining('unknown parameter "bogus" (allowed: message)'),
    });
  });
});

describe('create_file', () => {
  it('creates parent directories and reports the path as written', async () => {
    const output = await createFileStep.execute({ path: 'a/b/hello.txt', content: 'héllo' }, context);
    expect(output).toEqual({ path: 'a/b/hello.txt', size: 6, created: true, variables_substituted: true });
    expect(await readFile(inWorkspace('a', 'b', 'hello.txt'), 'utf8')).toBe('héllo');
  });

  it('defaults content to empty and overwrites an existing file', async () => {
    await writeFile(inWorkspace('f.txt'), 'old');
    expect(await createFileStep.execute({ path: 'f.txt' }, context)).toMatchObject({ size: 0 });
    expect(await readFile(inWorkspace('f.txt'), 'utf8')).toBe('');
  });

  it('coerces a rendered number into content', async () => {
    await createFileStep.execute({ path: 'n.txt', content: 42 } as never, context);
    expect(await readFile(inWorkspace('n.txt'), 'utf8')).toBe('42');
  });

  it('fails with MISSION_ERR_PARAMETERS when path is missing', async () => {
    await expect(createFileStep.execute({ content: 'x' } as never, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARAMETERS',
      message: 'create_file: missing required parameter "path"',
    });
  });

  it('refuses to write outside the workspace by .., absolute path or symlink', async () => {
    await symlink(outside, inWorkspace('out-link'));
    for (const escape of ['../outside/evil.txt', path.join(outside, 'evil.txt'), 'out-link/evil.txt']) {
      await expect(createFileStep.execute({ path: escape, content: 'x' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    }
    await expect(stat(path.join(outside, 'evil.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not write through a dangling symlink to a file outside', async () => {
    await symlink(path.join(outside, 'planted.txt'), inWorkspace('planted.txt'));
    await expect(createFileStep.execute({ path: 'planted.txt', content: 'x' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(stat(path.join(outside, 'planted.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not write through a dangling relative link reached via a symlinked directory', async () => {
    await mkdir(inWorkspace('a'));
    await mkdir(inWorkspace('c'));
    await symlink('../c', inWorkspace('a', 'b'));
    await symlink(path.join('..', '..', 'outside', 'planted.txt'), inWorkspace('c', 'e'));
    await expect(createFileStep.execute({ path: 'a/b/e', content: 'x' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(stat(path.join(outside, 'planted.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports a file-system failure without the absolute machine path', async () => {
    await mkdir(inWorkspace('taken'));
    const error = await createFileStep.execute({ path: 'taken', content: 'x' }, context).catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'MISSION_ERR_IO' });
    expect((error as Error).message).toContain('"taken"');
    expect((error as Error).message).not.toContain(workspace);
  });

  it('stops before writing when the signal has fired', async () => {
    const { context: aborted, controller } = createTestContext(workspace);
    controller.abort();
    await expect(createFileStep.execute({ path: 'never.txt' }, aborted)).rejects.toMatchObject({ code: 'MISSION_ERR_CANCELLED' });
    await expect(stat(inWorkspace('never.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('edit_file', () => {
  it('appends, creating the file when missing', async () => {
    expect(await editFileStep.execute({ path: 'log.txt', content: 'one\n', append: true }, context)).toEqual({ path: 'log.txt', size: 4, modified: true });
    expect(await editFileStep.execute({ path: 'log.txt', content: 'two\n', append: true }, context)).toEqual({ path: 'log.txt', size: 8, modified: true });
    expect(await readFile(inWorkspace('log.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('overwrites without append, and leaves the file alone without content', async () => {
    await writeFile(inWorkspace('f.txt'), 'original');
    expect(await editFileStep.execute({ path: 'f.txt', content: 'new' }, context)).toEqual({ path: 'f.txt', size: 3, modified: true });
    expect(await editFileStep.execute({ path: 'f.txt' }, context)).toEqual({ path: 'f.txt', size: 3, modified: false });
    expect(await readFile(inWorkspace('f.txt'), 'utf8')).toBe('new');
  });

  it('refuses to edit outside the workspace (RustChain did not check)', async () => {
    await expect(editFileStep.execute({ path: '../outside/secret.txt', content: 'x', append: true }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('fails with MISSION_ERR_FILE_NOT_FOUND when the directory is missing', async () => {
    await expect(editFileStep.execute({ path: 'no/such/dir.txt', content: 'x' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_FILE_NOT_FOUND' });
  });
});

describe('delete_file', () => {
  it('deletes an existing file and tolerates a missing one', async () => {
    await writeFile(inWorkspace('gone.txt'), 'x');
    expect(await deleteFileStep.execute({ path: 'gone.txt' }, context)).toEqual({ path: 'gone.txt', existed: true, deleted: true });
    expect(await deleteFileStep.execute({ path: 'gone.txt' }, context)).toEqual({ path: 'gone.txt', existed: false, deleted: false });
  });

  it('refuses directories, the workspace itself and paths outside', async () => {
    await mkdir(inWorkspace('dir'));
    await expect(deleteFileStep.execute({ path: 'dir' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_IO' });
    await expect(deleteFileStep.execute({ path: '.' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(deleteFileStep.execute({ path: path.join(outside, 'secret.txt') }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });
});

describe('copy_file and move_file', () => {
  it('copies, creating the destination directory', async () => {
    await writeFile(inWorkspace('src.txt'), 'payload');
    expect(await copyFileStep.execute({ source: 'src.txt', destination: 'backup/dst.txt' }, context)).toEqual({ source: 'src.txt', destination: 'backup/dst.txt', size: 7 });
    expect(await readFile(inWorkspace('backup', 'dst.txt'), 'utf8')).toBe('payload');
    expect(await readFile(inWorkspace('src.txt'), 'utf8')).toBe('payload');
  });

  it('moves a file', async () => {
    await writeFile(inWorkspace('a.txt'), 'payload');
    expect(await moveFileStep.execute({ source: 'a.txt', destination: 'sub/b.txt' }, context)).toEqual({ source: 'a.txt', destination: 'sub/b.txt', moved: true });
    expect(await readFile(inWorkspace('sub', 'b.txt'), 'utf8')).toBe('payload');
    await expect(stat(inWorkspace('a.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to copy a file in from outside or out to outside', async () => {
    await writeFile(inWorkspace('mine.txt'), 'x');
    await expect(copyFileStep.execute({ source: '../outside/secret.txt', destination: 'stolen.txt' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(copyFileStep.execute({ source: 'mine.txt', destination: '../outside/leak.txt' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(moveFileStep.execute({ source: 'mine.txt', destination: path.join(outside, 'leak.txt') }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(stat(path.join(outside, 'leak.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports a missing source as MISSION_ERR_FILE_NOT_FOUND', async () => {
    await expect(copyFileStep.execute({ source: 'nope.txt', destination: 'x.txt' }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_FILE_NOT_FOUND',
      message: expect.stringContaining('"nope.txt"'),
    });
    await expect(moveFileStep.execute({ source: 'nope.txt', destination: 'x.txt' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_FILE_NOT_FOUND' });
  });
});

describe('read_file', () => {
  it('reads content and byte size', async () => {
    await writeFile(inWorkspace('r.txt'), 'ünïcode');
    expect(await readFileStep.execute({ path: 'r.txt' }, context)).toEqual({ path: 'r.txt', content: 'ünïcode', size: 9 });
  });

  it('refuses to read through a symlink that points outside', async () => {
    await symlink(path.join(outside, 'secret.txt'), inWorkspace('peek.txt'));
    const error = await readFileStep.execute({ path: 'peek.txt' }, context).catch((caught: Error) => caught);
    expect(error).toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    expect(JSON.stringify(error)).not.toContain('top secret');
  });

  it('fails clearly on a missing file and on a directory', async () => {
    await mkdir(inWorkspace('d'));
    await expect(readFileStep.execute({ path: 'missing.txt' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_FILE_NOT_FOUND' });
    await expect(readFileStep.execute({ path: 'd' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_IO', message: expect.stringContaining('is a directory') });
  });
});

describe('special files', () => {
  // Opening a FIFO blocks until a writer appears, in a thread the step's signal cannot interrupt.
  it.skipIf(process.platform === 'win32')('refuses to read or copy a FIFO instead of blocking on it', async () => {
    execFileSync('mkfifo', [inWorkspace('pipe')]);
    const { context: bounded, controller } = createTestContext(workspace);
    const guard = setTimeout(() => controller.abort(), 3000);
    try {
      await expect(readFileStep.execute({ path: 'pipe' }, bounded)).rejects.toMatchObject({ code: 'MISSION_ERR_IO', message: expect.stringContaining('not a regular file') });
      await expect(copyFileStep.execute({ source: 'pipe', destination: 'copy' }, bounded)).rejects.toMatchObject({ code: 'MISSION_ERR_IO', message: expect.stringContaining('not a regular file') });
    } finally {
      clearTimeout(guard);
    }
  });

  it.skipIf(process.platform === 'win32')('refuses to write, edit or copy onto a FIFO instead of blocking on it', async () => {
    execFileSync('mkfifo', [inWorkspace('pipe')]);
    await writeFile(inWorkspace('plain.txt'), 'x');
    const refused = { code: 'MISSION_ERR_IO', message: expect.stringContaining('not a regular file') };
    await expect(createFileStep.execute({ path: 'pipe', content: 'x' }, context)).rejects.toMatchObject(refused);
    await expect(editFileStep.execute({ path: 'pipe', content: 'x' }, context)).rejects.toMatchObject(refused);
    await expect(copyFileStep.execute({ source: 'plain.txt', destination: 'pipe' }, context)).rejects.toMatchObject(refused);
  });
});

describe('list_directory and file_search', () => {
  beforeEach(async () => {
    await mkdir(inWorkspace('data', 'nested'), { recursive: true });
    await writeFile(inWorkspace('data', 'b-report.csv'), '12345');
    await writeFile(inWorkspace('data', 'a-report.json'), '{}');
    await writeFile(inWorkspace('data', 'notes.txt'), 'n');
    await writeFile(inWorkspace('data', 'nested', 'report-deep.csv'), 'deep');
  });

  it('lists one level, sorted, with sizes and relative paths', async () => {
    expect(await listDirectoryStep.execute({ path: 'data' }, context)).toEqual({
      path: 'data',
      count: 4,
      entries: [
        { name: 'a-report.json', path: path.join('data', 'a-report.json'), is_dir: false, size: 2 },
        { name: 'b-report.csv', path: path.join('data', 'b-report.csv'), is_dir: false, size: 5 },
        { name: 'nested', path: path.join('data', 'nested'), is_dir: true, size: 0 },
        { name: 'notes.txt', path: path.join('data', 'notes.txt'), is_dir: false, size: 1 },
      ],
    });
  });

  it('does not report what a symlink out of the workspace points at', async () => {
    await symlink(path.join(outside, 'secret.txt'), inWorkspace('data', 'z-link'));
    const output = (await listDirectoryStep.execute({ path: 'data' }, context)) as { entries: { name: string; size: number }[] };
    const link = output.entries.find((entry) => entry.name === 'z-link');
    expect(link?.size).not.toBe('top secret'.length);
  });

  it('refuses to list outside the workspace and fails on a missing directory', async () => {
    await expect(listDirectoryStep.execute({ path: '..' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
    await expect(listDirectoryStep.execute({ path: 'nope' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_FILE_NOT_FOUND' });
  });

  it('finds names containing the pattern in one directory only', async () => {
    expect(await fileSearchStep.execute({ path: 'data', pattern: 'report' }, context)).toEqual({
      pattern: 'report',
      matches: 2,
      results: [
        { name: 'a-report.json', path: path.join('data', 'a-report.json') },
        { name: 'b-report.csv', path: path.join('data', 'b-report.csv') },
      ],
    });
    expect(await fileSearchStep.execute({ path: 'data', pattern: 'zzz' }, context)).toMatchObject({ matches: 0, results: [] });
  });

  it('requires both path and pattern', async () => {
    await expect(fileSearchStep.execute({ path: 'data' } as never, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARAMETERS',
      message: expect.stringContaining('missing required parameter "pattern"'),
    });
  });
});
