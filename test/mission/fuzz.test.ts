/**
 * Fuzzing (issue 8): mutated missions — the examples in missions/ and RustChain's — go through
 * validation, and valid ones through a run of noop and file steps in a temporary workspace. The
 * only acceptable failures are coded errors; nothing may crash or hang. Bounded in count and time.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CodedError } from '../../providers/errors.js';
import { parseMission, validateMission } from '../../engine/mission/index.js';
import { errorsOf } from '../../engine/mission/validate.js';
import { runMission } from '../../engine/run/run-mission.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { AuditStore } from '../../engine/store/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const seedFiles = [
  ...readdirSync(path.join(root, 'missions')).map((name) => path.join(root, 'missions', name)),
  ...readdirSync(path.join(root, 'test', 'fixtures', 'rustchain-missions')).map((name) => path.join(root, 'test', 'fixtures', 'rustchain-missions', name)),
];
const seeds = seedFiles.map((file) => ({ name: path.basename(file), text: readFileSync(file, 'utf8') }));

/** Kinds a fuzzed mission may run: nothing that reaches the network, a model or a process. */
const runnableKinds = new Set([
  'noop', 'create_file', 'edit_file', 'delete_file', 'copy_file', 'move_file', 'read_file', 'list_directory',
  'file_search', 'parse_json', 'parse_yaml', 'csv_process', 'validate_schema',
]);
const allKinds = new StepKindRegistry(builtinStepKinds());
const runnable = new StepKindRegistry(builtinStepKinds().filter((kind) => runnableKinds.has(kind.name)));

/** Fragments that stress the parser, the templates and the validator. */
const tricky = fc.constantFrom(
  '{{', '}}', '{{ steps.', '{{ vars.x | upper }}', '{{ ((((1)))) }}', `{{ ${'('.repeat(40)}1${')'.repeat(40)} }}`, '[', ']', '{', '}', ':', ': ', '- ',
  '\n', '\n  - ', '"', "'", '&a ', '*a', '!!binary ', '---\n', '...', '#', '\t', '\u0000', '\uFEFF', 'é', '🚀',
  'depends_on: [', 'step_type: noop', 'if: ', 'for_each: ', 'retry: {max_attempts: 3}', 'timeout_seconds: 0.001',
  '9'.repeat(400), 'x'.repeat(5000), `{{ vars${'.a'.repeat(300)} }}`, `{{ 1${' | upper'.repeat(300)} }}`, '{a}', '{previous_result}', '../../etc/passwd', '/etc/passwd', 'null', '~', '-1', '1e999',
);

type Mutation = { at: number; remove: number; insert: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 40 }),
  insert: fc.oneof(tricky, fc.string({ maxLength: 20 }), fc.constant('')),
});

function mutate(text: string, mutations: Mutation[]): string {
  let result = text;
  for (const { at, remove, insert } of mutations) {
    const position = result.length === 0 ? 0 : at % (result.length + 1);
    result = result.slice(0, position) + insert + result.slice(position + remove);
  }
  return result;
}

/** Loads and validates; returns the issues, or the coded error loading threw. Anything else fails the test. */
function check(text: string, file: string, registry: StepKindRegistry) {
  try {
    const loaded = parseMission(text, file);
    return { loaded, issues: validateMission(loaded, registry) };
  } catch (error) {
    if (!(error instanceof CodedError)) throw error;
    expect(error.code).toMatch(/^MISSION_ERR_/);
    return undefined;
  }
}

/** Seeds that, unmutated, are valid missions of runnable kinds: mutations of these mostly still run. */
const runnableSeeds = seeds.filter((seed) => {
  try {
    return errorsOf(validateMission(parseMission(seed.text, seed.name), runnable)).length === 0;
  } catch {
    return false;
  }
});

const workspaces: string[] = [];
afterAll(() => {
  for (const directory of workspaces) rmSync(directory, { recursive: true, force: true });
});

describe('fuzzed missions', () => {
  it('validate to issues or a coded error, never a crash or a hang', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean(), (seed, mutations, asJson) => {
        const text = mutate(seed.text, mutations);
        const startedAt = performance.now();
        const outcome = check(text, asJson ? 'fuzz.json' : 'fuzz.yaml', allKinds);
        for (const issue of outcome?.issues ?? []) {
          expect(issue.line).toBeGreaterThanOrEqual(1);
          expect(issue.message.length).toBeLessThan(2_000);
        }
        // Each case is a few milliseconds; seconds would mean something non-linear came back.
        expect(performance.now() - startedAt).toBeLessThan(10_000);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), interruptAfterTimeLimit: Number(process.env.FUZZ_SECONDS ?? 60) * 1000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
  });

  it('that are valid run to a result with noop and file steps, never a crash or a hang', async () => {
    expect(runnableSeeds.length).toBeGreaterThanOrEqual(3);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...runnableSeeds), fc.array(mutation, { maxLength: 3 }), async (seed, mutations) => {
        const outcome = check(mutate(seed.text, mutations), 'fuzz.yaml', runnable);
        if (!outcome || errorsOf(outcome.issues).length > 0) return;
        const workspace = mkdtempSync(path.join(os.tmpdir(), 'mission-fuzz-'));
        workspaces.push(workspace);
        const store = AuditStore.open(':memory:');
        runs++;
        try {
          // A run that outlives this is a hang; cancelling must still end it promptly.
          const result = await runMission(outcome.loaded, { store, registry: runnable, workspace, signal: AbortSignal.timeout(10_000) });
          expect(['succeeded', 'failed', 'cancelled']).toContain(result.status);
          for (const step of Object.values(result.steps)) {
            if (step.error) expect(step.error.code).toMatch(/^(MISSION|LLM)_ERR_/);
          }
          expect(store.verify({ runId: result.runId }).ok).toBe(true);
        } catch (error) {
          // Preflight and validation refusals are coded; nothing else may escape a run.
          if (!(error instanceof CodedError)) throw error;
        } finally {
          store.close();
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) / 5, interruptAfterTimeLimit: Number(process.env.FUZZ_SECONDS ?? 60) * 1000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    // Several seeds are valid file-step missions and some cases leave them untouched: runs happen.
    expect(runs).toBeGreaterThan(0);
    console.log(`fuzz: ${runs} mutated missions were valid and ran`);
  }, 120_000);
});
