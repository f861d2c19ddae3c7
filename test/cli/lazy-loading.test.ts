/**
 * Start-up (issue 7): each command loads what it needs and nothing else. Checked on the modules a
 * real `mission` process loads, so a stray static import anywhere shows up here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, tempDir } from './cli-harness.js';

const recorder = path.join(repoRoot, 'test', 'fixtures', 'record-loaded-modules.mjs');

/**
 * Runs the CLI and returns the modules it loaded: paths under dist/, or for packages
 * `name` and `name/path/in/package`.
 */
function loadedBy(args: string[]): { modules: string[]; status: number | null; stderr: string } {
  const cwd = tempDir();
  const list = path.join(cwd, 'loaded.txt');
  writeFileSync(list, '');
  const child = spawnSync(process.execPath, ['--import', recorder, cliPath, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MISSION_TEST_LOADED_MODULES: list, MISSION_DB: '', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' },
  });
  const modules = readFileSync(list, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((url) => {
      if (!url.includes('/node_modules/')) return [url.slice(url.indexOf('/dist/') + 6)];
      const inPackage = url.split('/node_modules/').pop()!;
      return [inPackage.split('/')[0], inPackage];
    });
  return { modules: [...new Set(modules)], status: child.status, stderr: child.stderr };
}

const hello = path.join(repoRoot, 'missions', 'hello.yaml');
const heavy = (modules: string[], names: string[]) => modules.filter((module) => names.some((name) => module === name || module.startsWith(name)));

describe('each command loads only what it needs', () => {
  it('--help loads commander and no command module, store, logger, validator or LLM layer', () => {
    const { modules, status } = loadedBy(['--help']);
    expect(status).toBe(0);
    expect(modules).toContain('commander');
    expect(heavy(modules, ['ajv', 'yaml', 'pino', 'better-sqlite3', 'rxjs', 'undici', 'xstate', 'jexl', 'engine/store', 'engine/run', 'providers/adapters', 'engine/cli/run-command'])).toEqual([]);
  });

  it("validate loads the schemas compiled ahead of time, not ajv's compiler, the store, the logger or the LLM layer", () => {
    const { modules, status, stderr } = loadedBy(['validate', hello]);
    expect(status, stderr).toBe(0);
    expect(modules).toContain('engine/mission/generated/mission-schema-validator.js');
    expect(modules).toContain('yaml');
    expect(heavy(modules, ['ajv/dist/core', 'ajv/dist/compile', 'ajv/dist/2020', 'pino', 'better-sqlite3', 'rxjs', 'undici', 'engine/store', 'providers/adapters', 'providers/discovery', 'engine/steps/http'])).toEqual([]);
    // Steps' run-time parameter validators load at the first step executed, never for validate.
    expect(modules).not.toContain('engine/steps/generated/kind-run-validators.js');
    // The mission safety checks use only the secret detectors: no phone-number library.
    expect(heavy(modules, ['libphonenumber-js/index', 'libphonenumber-js/es6', 'libphonenumber-js/max', 'libphonenumber-js/build'])).toEqual([]);
  });

  it('run of a file-only mission loads the store but not the LLM layer or other step kinds', () => {
    const { modules, status, stderr } = loadedBy(['run', hello, '--db', 'state.db']);
    expect(status, stderr).toBe(0);
    expect(modules).toContain('better-sqlite3');
    expect(modules).toContain('engine/steps/create-file.js');
    expect(heavy(modules, ['ajv/dist/compile', 'rxjs', 'undici', 'providers/adapters', 'providers/discovery', 'engine/steps/llm', 'engine/steps/http', 'engine/steps/csv'])).toEqual([]);
    expect(heavy(modules, ['libphonenumber-js/index', 'libphonenumber-js/es6', 'libphonenumber-js/max', 'libphonenumber-js/build'])).toEqual([]);
  });

  it('a command whose help is asked for is loaded for real (its options are listed)', () => {
    const { modules, status } = loadedBy(['help', 'runs']);
    expect(status).toBe(0);
    expect(modules).toContain('engine/cli/runs-command.js');
    expect(heavy(modules, ['engine/cli/run-command', 'engine/cli/validate-command'])).toEqual([]);
  });
});
