/**
 * Live per-step progress for a terminal: one line per step transition, streamed LLM tokens
 * inline. Written to stderr so stdout stays for results.
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

/** Returns a progress callback writing to `write`. */
export function createProgressPrinter(write: (text: string) => void): (event: RunProgressEvent) => void {
  let streamingStep: string | undefined;
  return (event) => {
    if (event.type === 'text-delta' && event.stepId) {
      if (streamingStep !== event.stepId) write(`  ${event.stepId} │ `);
      streamingStep = event.stepId;
      write(String(event.data.text ?? ''));
      return;
    }
    const symbol = symbols[event.type];
    if (!symbol) return;
    if (streamingStep) {
      write('\n');
      streamingStep = undefined;
    }
    const data = event.data;
    let detail = '';
    if (event.type === 'step-start' && Number(data.attempt ?? 1) > 1) detail = ` (attempt ${data.attempt})`;
    if (event.type === 'step-retry') detail = ` ${(data.error as { message?: string })?.message ?? ''} — retrying in ${data.delayMs} ms`;
    if (event.type === 'step-succeeded') detail = ` ${data.durationMs} ms`;
    if (event.type === 'step-failed') detail = ` ${(data.error as { code?: string; message?: string })?.message ?? ''}`;
    if (event.type === 'step-skipped' || event.type === 'step-cancelled') detail = ` ${data.reason ?? ''}`;
    write(`${symbol} ${event.stepId}${detail}\n`);
  };
}

/** A human summary of a finished run. */
export function summarize(result: RunResult): string {
  const counts = new Map<string, number>();
  for (const step of Object.values(result.steps)) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  const tally = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
  const lines = [`Run ${result.runId} ${result.status} in ${result.durationMs} ms (${tally})`];
  if (result.error) lines.push(`  ${result.error.code}: ${result.error.message}`);
  for (const [id, step] of Object.entries(result.steps)) {
    if (step.status === 'failed') lines.push(`  ✖ ${id}: ${step.error?.code} ${step.error?.message}`);
  }
  if (Object.keys(result.outputs).length > 0) lines.push(`Outputs: ${JSON.stringify(result.outputs, null, 2)}`);
  return lines.join('\n');
}
