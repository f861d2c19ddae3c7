/**
 * Helpers for runner tests: an in-memory store, a registry with the built-ins plus test kinds
 * that sleep, fail on cue, or record when they ran.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MissionError, MissionErrorCode } from '../../engine/errors.js';
import { parseMission } from '../../engine/mission/load.js';
import { runMission } from '../../engine/run/run-mission.js';
import type { RunOptions, RunResult } from '../../engine/run/run-types.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import type { StepKind } from '../../engine/steps/types.js';
import { AuditStore } from '../../engine/store/index.js';

/** A log of what the test kinds did, in order. */
export interface ActivityLog {
  started: string[];
  finished: string[];
  maxConcurrent: number;
  attempts: Map<string, number>;
}

/** Builds test step kinds sharing one activity log. */
export function testKinds(log: ActivityLog): StepKind[] {
  let concurrent = 0;
  const track = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    log.started.push(label);
    concurrent++;
    log.maxConcurrent = Math.max(log.maxConcurrent, concurrent);
    try {
      return await work();
    } finally {
      concurrent--;
      log.finished.push(label);
    }
  };
  return [
    {
      name: 'sleep',
      description: 'waits ms milliseconds, honouring cancellation',
      parameters: { type: 'object', properties: { ms: { type: 'number' }, label: {} } },
      execute: (parameters, context) =>
        track(String(parameters.label ?? context.stepId), () => new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve({ slept: parameters.ms, label: parameters.label }), Number(parameters.ms ?? 0));
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(context.signal.reason);
          }, { once: true });
        })),
    },
    {
      name: 'flaky',
      description: 'fails until attempt `succeed_on`',
      parameters: { type: 'object', properties: { succeed_on: { type: 'number' }, code: { type: 'string' }, retry_after_ms: { type: 'number' } } },
      execute: async (parameters, context) => {
        log.attempts.set(context.stepId, context.attempt);
        if (context.attempt < Number(parameters.succeed_on ?? Infinity)) {
          throw Object.assign(new MissionError((parameters.code as never) ?? MissionErrorCode.stepFailed, `attempt ${context.attempt} failed`), {
            retryAfterMs: parameters.retry_after_ms,
          });
        }
        return { attempt: context.attempt };
      },
    },
    {
      name: 'echo',
      description: 'returns its parameters',
      parameters: { type: 'object' },
      execute: async (parameters) => parameters,
    },
  ];
}

/** A fresh activity log. */
export function newLog(): ActivityLog {
  return { started: [], finished: [], maxConcurrent: 0, attempts: new Map() };
}

/** Runs mission YAML text in a temp workspace with an in-memory store. */
export async function runYaml(
  yaml: string,
  options: Partial<RunOptions> & { log?: ActivityLog } = {},
): Promise<{ result: RunResult; store: AuditStore; workspace: string }> {
  const log = options.log ?? newLog();
  const registry = options.registry ?? new StepKindRegistry([...builtinStepKinds(), ...testKinds(log)]);
  const store = options.store ?? AuditStore.open(':memory:');
  const workspace = options.workspace ?? mkdtempSync(path.join(os.tmpdir(), 'mission-run-'));
  const result = await runMission(parseMission(yaml, 'test.yaml'), { ...options, store, registry, workspace });
  return { result, store, workspace };
}
