import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissionError } from '../../engine/errors.js';
import { isInside, resolveInWorkspace } from '../../engine/steps/workspace-path.js';
import { makeTempDirectory, removeTempDirectory } from './context.js';

let root: string;
let workspace: string;
let outside: string;

beforeEach(async () => {
  root = await makeTempDirectory('workspace-path-');
  workspace = path.join(root, 'workspace');
  outside = path.join(root, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'secret');
});
afterEach(() => removeTempDirectory(root));

async function escapeError(userPath: string): Promise<MissionError> {
  const error = await resolveInWorkspace(workspace, userPath).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MissionError);
  expect((error as MissionError).code).toBe('MISSION_ERR_PATH_ESCAPE');
  expect((error as MissionError).message).toContain(userPath);
  return error as MissionError;
}

describe('isInside', () => {
  it('accepts the root and descendants, refuses siblings and parents', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c/d')).toBe(true);
    expect(isInside('/a/b', '/a/b/..c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
  });
});

describe('resolveInWorkspace', () => {
  it('resolves relative paths inside the workspace, including ones that do not exist yet', async () => {
    expect(await resolveInWorkspace(workspace, 'a/b/c.txt')).toBe(path.join(workspace, 'a', 'b', 'c.txt'));
    expect(await resolveInWorkspace(workspace, './x/../y.txt')).toBe(path.join(workspace, 'y.txt'));
    expect(await resolveInWorkspace(workspace, '.')).toBe(workspace);
  });

  it('allows absolute paths inside the workspace', async () => {
    const inside = path.join(workspace, 'deep', 'file.txt');
    expect(await resolveInWorkspace(workspace, inside)).toBe(inside);
  });

  it('refuses .. that leaves the workspace', async () => {
    await escapeError('../outside/secret.txt');
    await escapeError('a/../../x');
    await escapeError('..');
  });

  it('refuses absolute paths outside the workspace', async () => {
    await escapeError(path.join(outside, 'secret.txt'));
    await escapeError('/etc/passwd');
  });

  it('refuses a symlinked directory that leads outside, for existing and new files', async () => {
    await symlink(outside, path.join(workspace, 'link'));
    await escapeError('link/secret.txt');
    await escapeError('link/new-file.txt');
    await escapeError('link/new-dir/new-file.txt');
    await escapeError('link');
  });

  it('refuses a symlinked file that points outside', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(workspace, 'secret-link.txt'));
    await escapeError('secret-link.txt');
  });

  it('refuses a dangling symlink whose target outside would be created by a write', async () => {
    await symlink(path.join(outside, 'not-yet.txt'), path.join(workspace, 'dangling.txt'));
    await escapeError('dangling.txt');
  });

  it('refuses a chain of dangling links that ends outside', async () => {
    await symlink(path.join(workspace, 'second'), path.join(workspace, 'first'));
    await symlink(path.join(outside, 'gone'), path.join(workspace, 'second'));
    await escapeError('first/file.txt');
  });

  it('resolves a dangling relative link against its real directory, not the path that reached it', async () => {
    // a/b is a link to c; c/e points two levels up from c, i.e. outside. Resolved lexically from
    // a/b (one level deeper than c) the target would look inside the workspace.
    await mkdir(path.join(workspace, 'a'));
    await mkdir(path.join(workspace, 'c'));
    await symlink('../c', path.join(workspace, 'a', 'b'));
    await symlink(path.join('..', '..', 'outside', 'planted.txt'), path.join(workspace, 'c', 'e'));
    await escapeError('a/b/e');
  });

  it('refuses a symlink loop instead of spinning', async () => {
    await symlink(path.join(workspace, 'loop-b'), path.join(workspace, 'loop-a'));
    await symlink(path.join(workspace, 'loop-a'), path.join(workspace, 'loop-b'));
    await escapeError('loop-a');
  });

  it('allows symlinks that stay inside the workspace', async () => {
    await mkdir(path.join(workspace, 'real'));
    await symlink(path.join(workspace, 'real'), path.join(workspace, 'alias'));
    expect(await resolveInWorkspace(workspace, 'alias/file.txt')).toBe(path.join(workspace, 'alias', 'file.txt'));
  });

  it('does not let link/.. reach the parent of the link target', async () => {
    await symlink(outside, path.join(workspace, 'link'));
    // Lexically this is "x.txt" inside the workspace; the returned path must not go through the link.
    expect(await resolveInWorkspace(workspace, 'link/../x.txt')).toBe(path.join(workspace, 'x.txt'));
  });

  it('accepts a workspace given through a symlink and absolute paths in either spelling', async () => {
    const alias = path.join(root, 'workspace-alias');
    await symlink(workspace, alias);
    expect(await resolveInWorkspace(alias, 'f.txt')).toBe(path.join(alias, 'f.txt'));
    expect(await resolveInWorkspace(alias, path.join(workspace, 'f.txt'))).toBe(path.join(alias, 'f.txt'));
  });

  it('refuses empty paths and NUL bytes', async () => {
    await expect(resolveInWorkspace(workspace, '')).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
    await expect(resolveInWorkspace(workspace, 'a\0b')).rejects.toMatchObject({ code: 'MISSION_ERR_PATH_ESCAPE' });
  });
});
