/** A minimal {@link StepContext} and temporary workspaces for step-kind tests. */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { StepContext, StepEmittedEvent } from '../../engine/steps/types.js';

/** A context plus what the step emitted. */
export interface TestContext {
  context: StepContext;
  events: StepEmittedEvent[];
  controller: AbortController;
}

/** Builds a context whose workspace is `workspace`; `signal` defaults to a fresh controller's. */
export function createTestContext(workspace: string, overrides: Partial<StepContext> = {}): TestContext {
  const controller = new AbortController();
  const events: StepEmittedEvent[] = [];
  const context: StepContext = {
    runId: 'run-test',
    stepId: 'step-test',
    workspace,
    signal: controller.signal,
    env: process.env,
    logger: pino({ level: 'silent' }),
    attempt: 1,
    emit: (event) => events.push(event),
    services: {},
    ...overrides,
  };
  return { context, events, controller };
}

/** Creates a temporary directory (real path, so symlinked tmp dirs compare equal). */
export async function makeTempDirectory(prefix = 'steps-'): Promise<string> {
  return realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
}

/** Removes a temporary directory made by {@link makeTempDirectory}. */
export async function removeTempDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}
