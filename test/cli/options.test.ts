/**
 * The command line's shape (issue 7): numeric options are validated by one parser everywhere,
 * defaults show as values, `--db` says where the store is, errors read `CODE: message`.
 */
import { InvalidArgumentError } from 'commander';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { wholeNumber } from '../../engine/cli/option-parsers.js';
import { invokedCommand } from '../../engine/cli/command-table.js';
import { repoRoot, runCli, tempDir } from './cli-harness.js';

describe('wholeNumber', () => {
  const parse = wholeNumber({ min: 1, max: 1000 });

  it('accepts whole numbers in range', () => {
    expect(parse('1')).toBe(1);
    expect(parse(' 250 ')).toBe(250);
    expect(parse('1000')).toBe(1000);
  });

  it.each(['abc', '', 'NaN', '1.5', '1e3', '0x10', '-1', '0', '1001', '99999999999999999999', 'Infinity'])('refuses %j', (value) => {
    expect(() => parse(value)).toThrow(InvalidArgumentError);
  });

  it('quotes a long bad value only in part', () => {
    expect(() => parse('9'.repeat(10_000))).toThrow(/got '9{37}\.\.\.'/);
  });
});

describe('invokedCommand', () => {
  it('finds the command word, or the command help is asked for', () => {
    expect(invokedCommand(['run', 'x.yaml', '--json'])).toBe('run');
    expect(invokedCommand(['--help'])).toBeUndefined();
    expect(invokedCommand(['help', 'audit'])).toBe('audit');
    expect(invokedCommand([])).toBeUndefined();
  });
});

describe('the mission command line', () => {
  it('refuses a --timeout that is not a number (exit 2, MISSION_ERR_USAGE), instead of printing NaN ms', async () => {
    const outcome = await runCli(['providers', '--timeout', 'abc'], tempDir());
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/^MISSION_ERR_USAGE: option '--timeout <ms>' argument 'abc' is invalid/);
    expect(outcome.stdout).not.toContain('NaN');
  });

  it('shows numeric defaults as numbers and the default store of runs and audit', async () => {
    const cwd = tempDir();
    const providers = await runCli(['providers', '--help'], cwd);
    expect(providers.stdout).toContain('(default: 3000)');
    expect(providers.stdout).not.toContain('"3000"');
    for (const args of [['runs', '--help'], ['audit', 'verify', '--help'], ['audit', 'show', '--help'], ['run', '--help']]) {
      const help = await runCli(args, cwd);
      expect(help.stdout.replace(/\s+/g, ' '), args.join(' ')).toContain('(default: $MISSION_DB, else .mission/state.db)');
    }
  });

  it('lists every command in the top-level help with its summary', async () => {
    const help = await runCli(['--help'], tempDir());
    expect(help.code).toBe(0);
    for (const name of ['run <file>', 'resume <run-id>', 'validate <file>', 'plan <file>', 'kinds', 'runs', 'audit', 'providers']) {
      expect(help.stdout).toContain(`  ${name}`);
    }
  });

  it('prints usage errors, invalid missions and missing stores as CODE: message', async () => {
    const cwd = tempDir();
    expect((await runCli(['bogus'], cwd)).stderr).toMatch(/^MISSION_ERR_USAGE: unknown command 'bogus'/);
    expect((await runCli(['runs', '--limit', 'x'], cwd)).stderr).toMatch(/^MISSION_ERR_USAGE: /);
    expect((await runCli(['audit', 'verify'], cwd)).stderr).toMatch(/^MISSION_ERR_USAGE: no audit store at /);
    expect((await runCli(['validate', 'missing.yaml'], cwd)).stderr).toMatch(/^MISSION_ERR_LOAD: missing\.yaml: file not found/);
    const workspace = await runCli(['run', path.join(repoRoot, 'missions', 'hello.yaml'), '--workspace', 'nowhere'], cwd);
    expect(workspace.stderr).toMatch(/^MISSION_ERR_USAGE: --workspace nowhere is not an existing directory/);
  });

  it('capitalises the kind descriptions of mission kinds', async () => {
    const outcome = await runCli(['kinds'], tempDir());
    const lines = outcome.stdout.split('\n').filter((line) => /^[a-z_]+ {2,}/.test(line));
    expect(lines.length).toBeGreaterThan(15);
    for (const line of lines) expect(line.replace(/^[a-z_]+\s+/, '')).toMatch(/^[A-Z]/);
  });
});
