/**
 * The `chain` step (RustChain): either a `prompt` answered by one model call, or `steps`, a list
 * of sub-steps of other kinds run one after another in the same workspace. The output of the last
 * sub-step (or the answer) becomes the context variable `{id}_result`.
 */
import { MissionError, MissionErrorCode } from '../../errors.js';
import { defineStepKind } from '../define-step.js';
import type { StepKindRegistry } from '../registry.js';
import type { StepContext, StepKind } from '../types.js';
import { callModel, chooseModel, servedBy } from './call-model.js';
import { preflightModel } from './llm-service.js';
import { modelParameterSchema, type ModelCallParameters } from './llm-step.js';

/** One sub-step of a chain. */
export interface ChainSubStep {
  id?: string;
  step_type: string;
  parameters?: Record<string, unknown>;
}

/** Parameters of the `chain` step. */
export interface ChainStepParameters extends ModelCallParameters {
  type?: 'sequential';
  prompt?: string;
  steps?: ChainSubStep[];
}

/** The `chain` step kind. */
export const chainStep: StepKind<ChainStepParameters> = {
  ...defineStepKind<ChainStepParameters>({
    name: 'chain',
    description: 'run sub-steps in sequence, or answer a prompt with one model call',
    parameters: {
      type: 'object',
      properties: {
        type: { enum: ['sequential'], default: 'sequential', description: 'only sequential chains exist' },
        prompt: { type: 'string' },
        steps: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['step_type'],
            properties: { id: { type: 'string' }, step_type: { type: 'string' }, parameters: { type: 'object' } },
            additionalProperties: false,
          },
        },
        ...modelParameterSchema,
      },
      // Each branch names its property because ajv's strict mode wants `required` keys defined beside it.
      oneOf: [
        { properties: { prompt: true }, required: ['prompt'] },
        { properties: { steps: true }, required: ['steps'] },
      ],
      additionalProperties: false,
    },
    run: (parameters, context) => (parameters.steps ? runSubSteps(parameters.steps, context) : answerPrompt(parameters, context)),
  }),
  preflight: (parameters, services) => {
    if (parameters.steps === undefined) preflightModel(parameters, services);
  },
  legacyContext: (stepId, output) => {
    const result = (output as { result?: unknown })?.result;
    return { [`${stepId}_result`]: typeof result === 'string' ? result : JSON.stringify(result ?? null) };
  },
};

async function runSubSteps(steps: ChainSubStep[], context: StepContext): Promise<unknown> {
  const registry = context.services.stepKinds as StepKindRegistry | undefined;
  if (!registry) throw new MissionError(MissionErrorCode.stepFailed, 'chain step needs services.stepKinds (the engine wires it in)');
  const results: unknown[] = [];
  for (const [index, subStep] of steps.entries()) {
    const label = subStep.id ?? `#${index + 1}`;
    const kind = registry.get(subStep.step_type);
    if (!kind || subStep.step_type === 'chain') {
      throw new MissionError(MissionErrorCode.parameters, `chain sub-step ${label}: unknown step kind '${subStep.step_type}'`);
    }
    context.emit({ type: 'chain-substep-start', index, subStep: label, kind: kind.name });
    try {
      results.push(await kind.execute(subStep.parameters ?? {}, context));
    } catch (error) {
      const code = (error as { code?: string }).code ?? MissionErrorCode.stepFailed;
      throw new MissionError(MissionErrorCode.stepFailed, `chain sub-step ${label} failed: ${code}: ${(error as Error).message}`, {
        cause: error,
        isRetryable: (error as { isRetryable?: boolean }).isRetryable,
      });
    }
  }
  return { type: 'sequential', results, result: results.at(-1) };
}

async function answerPrompt(parameters: ChainStepParameters, context: StepContext): Promise<unknown> {
  const choice = chooseModel(context, parameters);
  const response = await callModel(
    context,
    choice,
    {
      messages: [...(parameters.system ? [{ role: 'system' as const, content: parameters.system }] : []), { role: 'user', content: parameters.prompt! }],
      temperature: parameters.temperature,
      maxTokens: parameters.max_tokens,
      metadata: { runId: context.runId, stepId: context.stepId },
    },
    parameters.stream !== false,
  );
  return { type: 'sequential', result: response.content, ...servedBy(choice, response), usage: { ...response.usage, raw: undefined } };
}
