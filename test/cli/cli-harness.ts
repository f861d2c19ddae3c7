/**
 * Runs the built `mission` command (dist/) as a user would, in a temp directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The compiled CLI entry point (`npm test` builds it first). */
export const cliPath = path.join(repoRoot, 'dist', 'engine', 'cli', 'main.js');

/** A finished CLI invocation. */
export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh temp directory. */
export function tempDir(prefix = 'mission-cli-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Starts the CLI without waiting for it. */
export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], {
    cwd,
    env: { ...process.env, MISSION_DB: '', MISSION_AUDIT_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to completion. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliOutcome> {
  const child = startCli(args, cwd, env);
  return outcomeOf(child);
}

/** Collects a started CLI's output and exit code. */
export function outcomeOf(child: ChildProcess): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
