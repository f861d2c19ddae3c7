/** `noop`: does nothing, successfully. Useful as a join point for `depends_on`. */
import { defineStepKind } from './define-step.js';
import { throwIfAborted } from './step-errors.js';

/** Parameters of `noop`. */
export interface NoopParameters {
  /** RustChain examples pass a message; it replaces the default one in the output. */
  message?: string;
}

/** The `noop` step kind. Output: `{message}`. */
export const noopStep = defineStepKind<NoopParameters>({
  name: 'noop',
  description: 'Do nothing (a join point for depends_on)',
  parameters: {
    type: 'object',
    properties: { message: { type: 'string' } },
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    return { message: parameters.message ?? 'No operation performed' };
  },
});
