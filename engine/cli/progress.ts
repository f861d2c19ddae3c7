/**
 * Live per-step progress for a terminal, on stderr (stdout stays for results): one line per step
 * transition, each tool call an agent makes as it happens, streamed LLM tokens inline, and — while
 * steps run — a status line with a spinner and each running step's elapsed time, redrawn in place.
 * Only created when stderr is a terminal: pipes and CI logs get nothing animated.
 */
import type { RunProgressEvent, RunResult } from '../run/run-types.js';

const symbols: Record<string, string> = {
  'step-start': '▶',
  'step-retry': '↻',
  'step-succeeded': '✔',
  'step-failed': '✖',
  'step-skipped': '↷',
  'step-cancelled': '■',
};

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Erases the current terminal line and returns to its start. */
const clearLine = '\r\x1b[2K';

/** A progress display: feed it run events, stop it when the run ends. */
export interface ProgressPrinter {
  onEvent(event: RunProgressEvent): void;
  /** Stops the ticking and erases the status line (idempotent). */
  stop(): void;
}

/** Options of {@link createProgressPrinter}. */
export interface ProgressOptions {
  /** Redraw a status line with elapsed times (only on a terminal). Default false. */
  ticking?: boolean;
  /** How often the status line is redrawn, in ms (default 200). */
  intervalMs?: number;
  /** Width the status line is cut to (default the terminal's, else 100). */
  columns?: number;
  now?: () => number;
}

/** Returns a progress display writing to `write`. */
export function createProgressPrinter(write: (text: string) => void, options: ProgressOptions = {}): ProgressPrinter {
  const now = options.now ?? (() => performance.now());
  const running = new Map<string, number>();
  let streamingStep: string | undefined;
  let statusShown = false;
  let frame = 0;

  const eraseStatus = (): void => {
    if (!statusShown) return;
    write(clearLine);
    statusShown = false;
  };
  const drawStatus = (): void => {
    // Never over streamed tokens: they are mid-line.
    if (streamingStep !== undefined || running.size === 0) return;
    const at = now();
    const parts = [...running].map(([id, startedAt]) => `${id} ${seconds(at - startedAt)}`);
    const width = options.columns ?? 100;
    let line = `${spinnerFrames[frame++ % spinnerFrames.length]} ${parts.join(' · ')}`;
    if (line.length > width) line = `${line.slice(0, Math.max(0, width - 1))}…`;
    write(`${clearLine}${line}`);
    statusShown = true;
  };
  const ticker = options.ticking ? setInterval(drawStatus, options.intervalMs ?? 200) : undefined;
  ticker?.unref();

  const print = (line: string): void => {
    eraseStatus();
    if (streamingStep !== undefined) {
      write('\n');
      streamingStep = undefined;
    }
    write(`${line}\n`);
  };

  const onEvent = (event: RunProgressEvent): void => {
    const data = event.data;
    const stepId = event.stepId ?? '';
    if (event.type === 'text-delta' && event.stepId) {
      eraseStatus();
      if (streamingStep !== event.stepId) {
        if (streamingStep !== undefined) write('\n');
        write(`  ${event.stepId} │ `);
      }
      streamingStep = event.stepId;
      write(String(data.text ?? ''));
      return;
    }
    if (event.type === 'tool-call') return print(`  ↳ ${stepId} calls ${String(data.tool ?? '?')}`);
    if (event.type === 'tool-result' && data.ok === false) return print(`  ↳ ${stepId} ${String(data.tool ?? '?')} failed: ${excerpt(String(data.error ?? 'unknown tool'))}`);
    const symbol = symbols[event.type];
    if (!symbol) return;
    if (event.type === 'step-start') running.set(stepId, running.get(stepId) ?? now());
    else running.delete(stepId);
    const attempts = Number(data.attempts ?? 1);
    const afterAttempts = attempts > 1 ? ` after ${attempts} attempts` : '';
    let detail = '';
    if (event.type === 'step-start' && Number(data.attempt ?? 1) > 1) detail = ` (attempt ${data.attempt})`;
    if (event.type === 'step-retry') detail = ` attempt ${data.attempt} failed: ${excerpt(errorText(data.error))} — retrying in ${data.delayMs} ms`;
    if (event.type === 'step-succeeded') detail = ` ${data.durationMs} ms${afterAttempts}`;
    if (event.type === 'step-failed') detail = ` ${excerpt(errorText(data.error))} (${attempts === 1 ? '1 attempt' : `${attempts} attempts`})`;
    if (event.type === 'step-skipped' || event.type === 'step-cancelled') detail = ` ${data.reason ?? ''}`;
    print(`${symbol} ${stepId}${detail}`);
  };

  return {
    onEvent,
    stop: () => {
      if (ticker) clearInterval(ticker);
      running.clear();
      eraseStatus();
      if (streamingStep !== undefined) {
        write('\n');
        streamingStep = undefined;
      }
    },
  };
}

function errorText(error: unknown): string {
  const coded = error as { code?: string; message?: string } | undefined;
  return coded?.code ? `${coded.code}: ${coded.message ?? ''}` : coded?.message ?? '';
}

function seconds(milliseconds: number): string {
  return `${(Math.max(0, milliseconds) / 1000).toFixed(1)} s`;
}

function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** A human summary of a finished run. */
export function summarize(result: RunResult): string {
  const counts = new Map<string, number>();
  for (const step of Object.values(result.steps)) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  const tally = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
  const lines = [`Run ${result.runId} ${result.status} in ${result.durationMs} ms (${tally})`];
  if (result.error) lines.push(`  ${result.error.code}: ${result.error.message}`);
  for (const [id, step] of Object.entries(result.steps)) {
    if (step.status !== 'failed') continue;
    const attempts = step.attempts === 1 ? '1 attempt' : `${step.attempts} attempts`;
    lines.push(`  ✖ ${id}: ${step.error?.code}: ${step.error?.message} (${attempts})`);
  }
  if (Object.keys(result.outputs).length > 0) lines.push(`Outputs: ${JSON.stringify(result.outputs, null, 2)}`);
  return lines.join('\n');
}
