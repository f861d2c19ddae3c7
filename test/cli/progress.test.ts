/**
 * The terminal progress display (issue 7): elapsed time ticks for running steps, an agent's tool
 * calls show as they happen, a failed step says how many attempts it made.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgressPrinter, summarize } from '../../engine/cli/progress.js';

describe('createProgressPrinter', () => {
  let output: string;
  let clock: number;
  const write = (text: string) => (output += text);
  const now = () => clock;

  beforeEach(() => {
    vi.useFakeTimers();
    output = '';
    clock = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('redraws a status line with each running step and its elapsed time, erased before other lines', () => {
    const printer = createProgressPrinter(write, { ticking: true, intervalMs: 100, now });
    printer.onEvent({ type: 'step-start', stepId: 'fetch', data: { attempt: 1 } });
    clock = 1500;
    vi.advanceTimersByTime(100);
    expect(output).toMatch(/\r\x1b\[2K. fetch 1\.5 s$/);
    printer.onEvent({ type: 'step-start', stepId: 'parse', data: { attempt: 1 } });
    clock = 3200;
    vi.advanceTimersByTime(100);
    expect(output).toMatch(/fetch 3\.2 s · parse 1\.7 s$/);
    printer.onEvent({ type: 'step-succeeded', stepId: 'fetch', data: { attempts: 1, durationMs: 3200 } });
    // The status line is erased before the permanent line is written.
    expect(output).toMatch(/\r\x1b\[2K✔ fetch 3200 ms\n$/);
    printer.stop();
    const afterStop = output.length;
    clock = 9000;
    vi.advanceTimersByTime(1000);
    expect(output.length).toBe(afterStop);
  });

  it('animates nothing when not ticking (pipes, CI)', () => {
    const printer = createProgressPrinter(write, { now });
    printer.onEvent({ type: 'step-start', stepId: 'fetch', data: { attempt: 1 } });
    clock = 5000;
    vi.advanceTimersByTime(5000);
    expect(output).toBe('▶ fetch\n');
    expect(output).not.toContain('\r');
    printer.stop();
  });

  it("shows an agent's tool calls as they happen, and failed tool calls with their error", () => {
    const printer = createProgressPrinter(write, { now });
    printer.onEvent({ type: 'tool-call', stepId: 'researcher', data: { tool: 'read_file', callId: 'c1' } });
    printer.onEvent({ type: 'tool-result', stepId: 'researcher', data: { tool: 'read_file', callId: 'c1', ok: false, error: 'MISSION_ERR_FILE_NOT_FOUND: x' } });
    printer.onEvent({ type: 'tool-result', stepId: 'researcher', data: { tool: 'list_directory', callId: 'c2', ok: true } });
    expect(output).toBe('  ↳ researcher calls read_file\n  ↳ researcher read_file failed: MISSION_ERR_FILE_NOT_FOUND: x\n');
  });

  it('says how many attempts a failed step made, and keeps streamed tokens on their own line', () => {
    const printer = createProgressPrinter(write, { now });
    printer.onEvent({ type: 'text-delta', stepId: 'ask', data: { text: 'Hel' } });
    printer.onEvent({ type: 'text-delta', stepId: 'ask', data: { text: 'lo' } });
    printer.onEvent({ type: 'step-retry', stepId: 'ask', data: { attempt: 1, delayMs: 500, error: { code: 'LLM_ERR_SERVER', message: 'boom' } } });
    printer.onEvent({ type: 'step-failed', stepId: 'ask', data: { attempts: 3, durationMs: 10, error: { code: 'LLM_ERR_SERVER', message: 'boom' } } });
    expect(output).toBe(
      '  ask │ Hello\n↻ ask attempt 1 failed: LLM_ERR_SERVER: boom — retrying in 500 ms\n✖ ask LLM_ERR_SERVER: boom (3 attempts)\n',
    );
  });
});

describe('summarize', () => {
  it('names each failed step with its code and attempts', () => {
    const text = summarize({
      runId: 'r1',
      status: 'failed',
      durationMs: 12,
      outputs: {},
      steps: { a: { status: 'failed', attempts: 2, durationMs: 5, error: { code: 'MISSION_ERR_HTTP_STATUS', message: 'status 500' } } },
    });
    expect(text).toContain('✖ a: MISSION_ERR_HTTP_STATUS: status 500 (2 attempts)');
  });
});
