/**
 * File-step overhead of the race-free walk: `create_file` and `read_file` (descriptor walk,
 * no-follow opens, fstat and location checks) against a baseline measured in the same process —
 * plain `fs.promises.writeFile`/`readFile` on the same paths, which check nothing. Also the
 * credential scrubber on a large output with a few secrets.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createCredentialScrubber } from '../engine/credential-scrubber.js';
import { createFileStep } from '../engine/steps/create-file.js';
import { readFileStep } from '../engine/steps/read-file.js';
import type { StepContext } from '../engine/steps/types.js';

const fileCount = Number(process.env.BENCH_FILES ?? 2000);
const depth = ['a', 'b', 'c'];

function contextFor(workspace: string): StepContext {
  return {
    runId: 'bench',
    stepId: 'bench',
    workspace,
    signal: new AbortController().signal,
    env: {},
    logger: pino({ level: 'silent' }),
    attempt: 1,
    emit: () => undefined,
    services: {},
  };
}

async function timed(label: string, work: () => Promise<void>): Promise<number> {
  const startedAt = performance.now();
  await work();
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(`${label.padEnd(34)} ${(fileCount / seconds).toFixed(0).padStart(8)} ops/s`);
  return seconds;
}

const workspace = mkdtempSync(path.join(os.tmpdir(), 'bench-file-steps-'));
try {
  mkdirSync(path.join(workspace, ...depth), { recursive: true });
  const context = contextFor(workspace);
  const relative = (index: number): string => path.join(...depth, `f${index}.txt`);
  const rawWrite = await timed('baseline writeFile (unchecked)', async () => {
    for (let index = 0; index < fileCount; index++) await writeFile(path.join(workspace, relative(index)), 'hello');
  });
  const stepWrite = await timed('create_file (race-free walk)', async () => {
    for (let index = 0; index < fileCount; index++) await createFileStep.execute({ path: relative(index), content: 'hello' }, context);
  });
  const rawRead = await timed('baseline readFile (unchecked)', async () => {
    for (let index = 0; index < fileCount; index++) await readFile(path.join(workspace, relative(index)));
  });
  const stepRead = await timed('read_file (race-free walk)', async () => {
    for (let index = 0; index < fileCount; index++) await readFileStep.execute({ path: relative(index) }, context);
  });
  console.log(`create_file / baseline: ${(stepWrite / rawWrite).toFixed(2)}x the time; read_file / baseline: ${(stepRead / rawRead).toFixed(2)}x`);

  const scrubber = createCredentialScrubber({ OPENAI_API_KEY: 'sk-bench-0123456789abcdef', AWS_SECRET_ACCESS_KEY: 'aws-bench-secret-0123456789', GITHUB_TOKEN: 'ghp_bench0123456789' });
  const output = { stdout: 'lorem ipsum dolor sit amet '.repeat(40_000), stderr: '', exit_code: 0 };
  const startedAt = performance.now();
  for (let index = 0; index < 20; index++) scrubber.value(output);
  const perMegabyte = (performance.now() - startedAt) / 20 / (output.stdout.length / 1_048_576);
  console.log(`scrubbing a step output with 3 secrets: ${perMegabyte.toFixed(2)} ms per MB`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
