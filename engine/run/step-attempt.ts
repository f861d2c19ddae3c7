/**
 * One attempt at one step: render its parameters, fan out over `for_each`, enforce the step
 * timeout, and call the step kind. Retries, audit and scheduling live in the run session.
 */
import { renderString, renderValue, type TemplateScope } from '../expressions/index.js';
import { CodedError } from '../../providers/errors.js';
import { MissionError, MissionErrorCode } from '../errors.js';
import type { StepDefinition } from '../mission/types.js';
import type { ParameterRenderer, StepContext, StepKind } from '../steps/types.js';
import { startTimer } from '../timer.js';
import { raceAbort } from './abort.js';

/** Everything an attempt needs besides the step itself. */
export interface AttemptInput {
  step: StepDefinition;
  kind: StepKind;
  scope: TemplateScope;
  /** The run's signal (cancellation, mission timeout). */
  runSignal: AbortSignal;
  timeoutMs: number;
  maxParallel: number;
  /** Builds the context handed to the step kind for this attempt. */
  contextFor(signal: AbortSignal): StepContext;
  /** Told the rendered parameters before the kind runs (debug logging); `index` inside for_each. */
  onRendered?(parameters: Record<string, unknown>, index?: number): void;
}

/** Runs one attempt; resolves to the step's output or rejects with a coded error. */
export async function runAttempt(input: AttemptInput): Promise<unknown> {
  if (input.runSignal.aborted) throw asCodedError(input.runSignal.reason); // Never start work for a stopped run.
  const controller = new AbortController();
  const cancelTimeout = startTimer(() => {
    controller.abort(
      new MissionError(MissionErrorCode.stepTimeout, `step '${input.step.id}' timed out after ${input.timeoutMs / 1000} s`, {
        isRetryable: true,
      }),
    );
  }, input.timeoutMs);
  const onRunAbort = (): void => controller.abort(input.runSignal.reason);
  if (input.runSignal.aborted) onRunAbort();
  else input.runSignal.addEventListener('abort', onRunAbort, { once: true });
  try {
    const work = input.step.forEach === undefined ? runOnce(input, input.scope, controller.signal) : runFanOut(input, controller.signal);
    return await raceAbort(work, controller.signal);
  } catch (error) {
    const coded = asCodedError(error);
    // The attempt is over: a for_each item's failure must not leave its siblings running or starting.
    if (!controller.signal.aborted) controller.abort(coded);
    throw coded;
  } finally {
    cancelTimeout();
    input.runSignal.removeEventListener('abort', onRunAbort);
  }
}

function runOnce(input: AttemptInput, scope: TemplateScope, signal: AbortSignal): Promise<unknown> {
  const context = input.contextFor(signal);
  const parameters = input.kind.renderParameters
    ? input.kind.renderParameters(input.step.parameters, parameterRenderer(scope, context))
    : (renderValue(input.step.parameters, scope) as Record<string, unknown>);
  input.onRendered?.(parameters, scope.index);
  return input.kind.execute(parameters, context);
}

/** The renderer a kind with its own {@link StepKind.renderParameters} gets. */
function parameterRenderer(scope: TemplateScope, context: StepContext): ParameterRenderer {
  const kinds = context.services.stepKinds as { get(name: string): StepKind | undefined } | undefined;
  return {
    value: (value) => renderValue(value, scope),
    text: (text) => renderString(text, scope),
    kind: (name) => kinds?.get(name),
  };
}

/** Runs the step once per item, at most `maxParallel` at a time; outputs keep the items' order. */
async function runFanOut(input: AttemptInput, signal: AbortSignal): Promise<unknown[]> {
  const items = renderValue(input.step.forEach, input.scope);
  if (!Array.isArray(items)) {
    throw new MissionError(
      MissionErrorCode.template,
      `step '${input.step.id}': for_each must be a list, but it rendered to ${items === null ? 'null' : typeof items}`,
    );
  }
  const outputs: unknown[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const index = next++;
      outputs[index] = await runOnce(input, { ...input.scope, item: items[index], index }, signal);
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, input.maxParallel), items.length) }, worker);
  await Promise.all(workers);
  return outputs;
}

/** Anything thrown by a step kind becomes a coded error (unknown throws are step failures). */
export function asCodedError(error: unknown): CodedError {
  if (error instanceof CodedError) return error;
  if (error instanceof Error) return new MissionError(MissionErrorCode.stepFailed, error.message, { cause: error });
  return new MissionError(MissionErrorCode.stepFailed, String(error));
}
