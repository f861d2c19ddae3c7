import { describe, expect, it } from 'vitest';
import { retryDelayMs, isRetryableFailure } from '../../engine/run/retry-delay.js';
import { newLog, runYaml } from './harness.js';

const policy = { maxAttempts: 5, initialDelayMs: 100, backoffMultiplier: 2, maxDelayMs: 500, jitter: 0, maxRetryAfterMs: 60_000 };

describe('retry policy', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt))).toEqual([100, 200, 400, 500]);
  });

  it('applies jitter downwards only, within its share', () => {
    const jittery = { ...policy, jitter: 0.5 };
    expect(retryDelayMs(jittery, 1, undefined, () => 1)).toBe(50);
    expect(retryDelayMs(jittery, 1, undefined, () => 0)).toBe(100);
  });

  it('honours a longer Retry-After', () => {
    expect(retryDelayMs(policy, 1, 2_000)).toBe(2_000);
    expect(retryDelayMs(policy, 1, 10)).toBe(100);
  });

  it('retries only listed codes when retry_on is given, and LLM errors by their flag', () => {
    expect(isRetryableFailure({ code: 'MISSION_ERR_COMMAND_FAILED' }, { ...policy, retryOn: ['MISSION_ERR_HTTP_STATUS'] })).toBe(false);
    expect(isRetryableFailure({ code: 'MISSION_ERR_HTTP_STATUS' }, { ...policy, retryOn: ['MISSION_ERR_HTTP_STATUS'] })).toBe(true);
    expect(isRetryableFailure({ code: 'LLM_ERR_QUOTA_EXCEEDED', isRetryable: false }, policy)).toBe(false);
    expect(isRetryableFailure({ code: 'LLM_ERR_RATE_LIMITED', isRetryable: true }, policy)).toBe(true);
    expect(isRetryableFailure({ code: 'MISSION_ERR_PATH_ESCAPE' }, policy)).toBe(false);
    expect(isRetryableFailure({ code: 'MISSION_ERR_COMMAND_FAILED' }, undefined)).toBe(false);
  });
});

describe('retries and timeouts in a run', () => {
  it('retries a failing step until it succeeds and audits each retry', async () => {
    const log = newLog();
    const { result, store } = await runYaml(
      `
version: "1.0"
name: flaky
steps:
  - id: shaky
    step_type: flaky
    parameters: { succeed_on: 3 }
    retry: { max_attempts: 4, initial_delay_ms: 5, backoff_multiplier: 2, max_delay_ms: 20, jitter: 0 }
`,
      { log },
    );
    expect(result.steps.shaky).toMatchObject({ status: 'succeeded', attempts: 3, output: { attempt: 3 } });
    const types = store.events(result.runId).filter((event) => event.stepId === 'shaky').map((event) => event.type);
    expect(types).toEqual(['step-ready', 'step-start', 'step-retry', 'step-start', 'step-retry', 'step-start', 'step-succeeded']);
    const retries = store.events(result.runId).filter((event) => event.type === 'step-retry');
    expect(retries.map((event) => event.data.delayMs)).toEqual([5, 10]);
  });

  it('gives up after max_attempts with the last error', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: hopeless
steps:
  - id: shaky
    step_type: flaky
    retry: { max_attempts: 2, initial_delay_ms: 1, jitter: 0 }
`);
    expect(result.steps.shaky).toMatchObject({ status: 'failed', attempts: 2, error: { message: 'attempt 2 failed' } });
  });

  it('waits as long as a Retry-After asks', async () => {
    const startedAt = Date.now();
    const { result } = await runYaml(`
version: "1.0"
name: polite
steps:
  - id: shaky
    step_type: flaky
    parameters: { succeed_on: 2, retry_after_ms: 150 }
    retry: { max_attempts: 2, initial_delay_ms: 1, jitter: 0 }
`);
    expect(result.steps.shaky.status).toBe('succeeded');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
  });

  it('fails a step that runs past timeout_seconds', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: slow
steps:
  - { id: sloth, step_type: sleep, timeout_seconds: 0.05, parameters: { ms: 5000 } }
`);
    expect(result.steps.sloth.status).toBe('failed');
    expect(result.steps.sloth.error?.code).toBe('MISSION_ERR_STEP_TIMEOUT');
  });

  it('fails the mission at its timeout_seconds and cancels what has not started', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: too-long
timeout_seconds: 0.05
config: { max_parallel_steps: 1 }
steps:
  - { id: first, step_type: sleep, parameters: { ms: 5000 } }
  - { id: second, step_type: noop }
`);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MISSION_ERR_MISSION_TIMEOUT');
    expect(result.steps.first.error?.code).toBe('MISSION_ERR_MISSION_TIMEOUT');
    expect(result.steps.second.status).toBe('cancelled');
  });

  it('cancels running and pending steps when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const { result, store } = await runYaml(
      `
version: "1.0"
name: interrupted
config: { max_parallel_steps: 1 }
steps:
  - { id: running, step_type: sleep, parameters: { ms: 5000 } }
  - { id: waiting, step_type: noop, depends_on: [running] }
`,
      { signal: controller.signal },
    );
    expect(result.status).toBe('cancelled');
    expect(result.steps.running.status).toBe('cancelled');
    expect(result.steps.waiting.status).toBe('cancelled');
    expect(store.getRun(result.runId)?.status).toBe('cancelled');
    expect(store.verify({ runId: result.runId }).ok).toBe(true);
  });
});

describe('a mission timeout during a retry wait', () => {
  it('fails the waiting step with the mission timeout instead of starting another attempt', async () => {
    const log = newLog();
    const { result, store } = await runYaml(
      `
version: "1.0"
name: waiting
timeout_seconds: 0.1
steps:
  - id: shaky
    step_type: flaky
    retry: { max_attempts: 3, initial_delay_ms: 5000, jitter: 0 }
`,
      { log },
    );
    expect(result.steps.shaky).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'MISSION_ERR_MISSION_TIMEOUT' } });
    expect(log.attempts.get('shaky')).toBe(1);
    const types = store.events(result.runId).filter((event) => event.stepId === 'shaky').map((event) => event.type);
    expect(types).toEqual(['step-ready', 'step-start', 'step-retry', 'step-failed']);
  });

  it('records what a failed command printed in the step result', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: noisy
steps:
  - { id: noisy, step_type: command, parameters: { command: sh, args: ["-c", "echo oops >&2; exit 4"] } }
`);
    expect(result.steps.noisy).toMatchObject({ status: 'failed', error: { code: 'MISSION_ERR_COMMAND_FAILED' }, output: { exit_code: 4, stderr: 'oops\n' } });
  });
});

describe('a mission timeout longer than a timer can hold (about 24.8 days)', () => {
  it('does not end the mission at once', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: patient
timeout_seconds: 2592000
steps:
  - { id: brief, step_type: sleep, timeout_seconds: 2592000, parameters: { ms: 20 } }
`);
    expect(result.error).toBeUndefined();
    expect(result.steps.brief.status).toBe('succeeded');
  });
});
