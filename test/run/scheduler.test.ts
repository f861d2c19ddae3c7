import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../engine/store/index.js';
import { newLog, runYaml } from './harness.js';

describe('DAG scheduler', () => {
  it('runs independent steps in parallel up to max_parallel_steps', async () => {
    const log = newLog();
    const { result } = await runYaml(
      `
version: "1.0"
name: parallel
config: { max_parallel_steps: 2 }
steps:
  - { id: a, step_type: sleep, parameters: { ms: 40 } }
  - { id: b, step_type: sleep, parameters: { ms: 40 } }
  - { id: c, step_type: sleep, parameters: { ms: 40 } }
  - { id: d, step_type: sleep, parameters: { ms: 1 }, depends_on: [a, b, c] }
`,
      { log },
    );
    expect(result.status).toBe('succeeded');
    expect(log.maxConcurrent).toBe(2);
    expect(log.started.at(-1)).toBe('d');
    expect(log.finished.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
  });

  it('skips the dependents of a failed step and reports the mission failed', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: skip
config: { fail_fast: false }
steps:
  - { id: bad, step_type: flaky }
  - { id: child, step_type: noop, depends_on: [bad] }
  - { id: grandchild, step_type: noop, depends_on: [child] }
  - { id: independent, step_type: noop }
`);
    expect(result.status).toBe('failed');
    expect(result.steps.bad.status).toBe('failed');
    expect(result.steps.bad.error?.code).toBe('MISSION_ERR_STEP_FAILED');
    expect(result.steps.child).toMatchObject({ status: 'skipped', reason: "dependency 'bad' failed" });
    expect(result.steps.grandchild).toMatchObject({ status: 'skipped', reason: "dependency 'child' skipped" });
    expect(result.steps.independent.status).toBe('succeeded');
  });

  it('lets dependents of a continue_on_error step run, and the mission succeed', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: tolerate
steps:
  - { id: optional, step_type: flaky, continue_on_error: true }
  - { id: after, step_type: noop, depends_on: [optional] }
`);
    expect(result.steps.optional.status).toBe('failed');
    expect(result.steps.after.status).toBe('succeeded');
    expect(result.status).toBe('succeeded');
  });

  it('fail_fast stops scheduling new work but lets running steps finish', async () => {
    const log = newLog();
    const { result } = await runYaml(
      `
version: "1.0"
name: fail-fast
config: { max_parallel_steps: 2, fail_fast: true }
steps:
  - { id: slow, step_type: sleep, parameters: { ms: 60 } }
  - { id: bad, step_type: flaky }
  - { id: later, step_type: sleep, parameters: { ms: 1 } }
`,
      { log },
    );
    expect(result.status).toBe('failed');
    expect(result.steps.slow.status).toBe('succeeded');
    expect(result.steps.later).toMatchObject({ status: 'skipped' });
    expect(result.steps.later.reason).toContain('fail_fast');
    expect(log.started).not.toContain('later');
  });

  it('skips a step whose if: condition is false, and its dependents', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: conditions
vars: { mode: quick }
steps:
  - { id: full_only, step_type: noop, if: "vars.mode == 'full'" }
  - { id: quick_only, step_type: noop, if: "{{ vars.mode == 'quick' }}" }
  - { id: after_full, step_type: noop, depends_on: [full_only] }
`);
    expect(result.steps.full_only).toMatchObject({ status: 'skipped' });
    expect(result.steps.full_only.reason).toContain('condition is false');
    expect(result.steps.quick_only.status).toBe('succeeded');
    expect(result.steps.after_full.status).toBe('skipped');
    expect(result.status).toBe('succeeded');
  });

  it('passes outputs through templates and renders mission outputs', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: data-flow
vars: { greeting: hi }
steps:
  - { id: first, step_type: echo, parameters: { value: 21, text: "{{ vars.greeting }}" } }
  - id: second
    step_type: echo
    depends_on: [first]
    parameters: { doubled: "{{ steps.first.output.value * 2 }}", said: "{{ steps.first.output.text }} there" }
outputs:
  doubled: "{{ steps.second.output.doubled }}"
  said: "{{ steps.second.output.said }}"
`);
    expect(result.status).toBe('succeeded');
    expect(result.outputs).toEqual({ doubled: 42, said: 'hi there' });
  });

  it('fans a step out with for_each, keeping the items in order', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: fan-out
vars: { items: [3, 1, 2] }
config: { max_parallel_steps: 3 }
steps:
  - id: each
    step_type: sleep
    for_each: "{{ vars.items }}"
    parameters: { ms: "{{ item * 10 }}", label: "{{ index }}:{{ item }}" }
`);
    expect(result.status).toBe('succeeded');
    expect((result.steps.each.output as { label: string }[]).map((entry) => entry.label)).toEqual(['0:3', '1:1', '2:2']);
  });

  it('keeps legacy {previous_result} and {id}_response style substitution working', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: legacy
steps:
  - { id: one, step_type: echo, parameters: { text: hello } }
  - { id: two, step_type: echo, depends_on: [one], parameters: { text: "got {previous_result}" } }
`);
    expect((result.steps.two.output as { text: string }).text).toBe('got {"text":"hello"}');
  });
});

describe('step ids that look like numbers', () => {
  it('keep their own continue_on_error when judging the mission', async () => {
    const { result } = await runYaml(`
version: "1.0"
name: numeric-ids
config: { fail_fast: false }
steps:
  - { id: "a", step_type: flaky, continue_on_error: true }
  - { id: "1", step_type: noop }
`);
    expect(result.steps.a.status).toBe('failed');
    expect(result.status).toBe('succeeded');
  });
});

describe('failures outside the steps', () => {
  it('a throwing onProgress listener changes nothing about the run', async () => {
    const { result, store } = await runYaml(
      `
version: "1.0"
name: display-bug
config: { fail_fast: false }
steps:
  - { id: bad, step_type: flaky }
  - { id: good, step_type: noop }
`,
      { onProgress: () => { throw new Error('the display broke'); } },
    );
    expect(result.status).toBe('failed');
    expect(result.steps.bad.status).toBe('failed');
    expect(result.steps.good.status).toBe('succeeded');
    expect(store.events(result.runId).at(-1)?.type).toBe('mission-end');
  });

  it('an audit store that stops accepting events rejects the run instead of leaving it hanging', async () => {
    const store = AuditStore.open(':memory:');
    const append = store.append.bind(store);
    store.append = ((runId, event) => {
      if (event.type === 'step-succeeded') throw new Error('disk full');
      return append(runId, event);
    }) as typeof store.append;
    await expect(runYaml(
      `
version: "1.0"
name: store-failure
steps:
  - { id: first, step_type: noop }
  - { id: second, step_type: noop, depends_on: [first] }
`,
      { store },
    )).rejects.toThrow('disk full');
  });
});
