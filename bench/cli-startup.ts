/**
 * CLI start-up: how long `mission --help`, `mission validate <small mission>` and
 * `mission run hello.yaml` take as whole processes, against a bare `node -e 0` spawned in the same
 * run (interleaved, so a busy machine slows all of them alike). Prints medians and ratios.
 *
 * Goals (issue 7): `--help` and `validate` ≤ 2× bare node, `run hello.yaml` ≤ 3×.
 * `BENCH_STARTUP_RUNS` sets how many times each is spawned (default 15).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Math.max(3, Number(process.env.BENCH_STARTUP_RUNS ?? 15));
// This file runs from dist/bench/; the CLI is dist/engine/cli/main.js, the missions are at the root.
const distDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mainScript = path.join(distDirectory, 'engine', 'cli', 'main.js');
const repositoryRoot = path.resolve(distDirectory, '..');

interface Scenario {
  name: string;
  args: string[];
  /** The ratio to bare node the issue asks for. */
  goal?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeSpawn(args: string[], cwd: string): number {
  const startedAt = performance.now();
  const child = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MISSION_LOG_LEVEL: 'warn' } });
  const elapsed = performance.now() - startedAt;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status}: ${String(child.stderr).slice(0, 500)}`);
  return elapsed;
}

function main(): void {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'mission-startup-'));
  try {
    mkdirSync(path.join(workspace, 'missions'));
    copyFileSync(path.join(repositoryRoot, 'missions', 'hello.yaml'), path.join(workspace, 'missions', 'hello.yaml'));
    const scenarios: Scenario[] = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: 'mission --help', args: [mainScript, '--help'], goal: 2 },
      { name: 'mission validate hello.yaml', args: [mainScript, 'validate', 'missions/hello.yaml'], goal: 2 },
      { name: 'mission run hello.yaml', args: [mainScript, 'run', 'missions/hello.yaml', '--db', path.join(workspace, 'state.db')], goal: 3 },
    ];
    const samples = new Map<string, number[]>(scenarios.map((scenario) => [scenario.name, []]));
    // Warm the file-system cache once, then interleave the scenarios round by round.
    for (const scenario of scenarios) timeSpawn(scenario.args, workspace);
    for (let round = 0; round < runs; round++) {
      for (const scenario of scenarios) samples.get(scenario.name)!.push(timeSpawn(scenario.args, workspace));
    }
    const bare = median(samples.get('node -e 0')!);
    console.log(`runs per command: ${runs} (medians; ratios against bare node in the same run)`);
    for (const scenario of scenarios) {
      const value = median(samples.get(scenario.name)!);
      const ratio = value / bare;
      const verdict = scenario.goal === undefined ? '' : ratio <= scenario.goal ? `  (goal ≤ ${scenario.goal}×: met)` : `  (goal ≤ ${scenario.goal}×: NOT met)`;
      console.log(`${scenario.name.padEnd(30)} ${value.toFixed(0).padStart(6)} ms  ${ratio.toFixed(2)}×${verdict}`);
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

main();
