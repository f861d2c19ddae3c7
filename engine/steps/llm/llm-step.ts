/**
 * The `llm` step: one model call. RustChain's parameters (`prompt`, `model`, `provider`,
 * `temperature`, `max_tokens`) plus `system`, `messages`, `json_schema` (the answer is parsed and
 * validated) and `stream` (tokens shown live; default true).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import type { LlmMessage, LlmRequest } from '../../../providers/types.js';
import { defineStepKind } from '../define-step.js';
import type { StepKind } from '../types.js';
import { callModel, chooseModel, servedBy } from './call-model.js';
import { preflightModel } from './llm-service.js';

/** The parameters shared by the model-calling steps (`llm`, `agent`, `chain`). */
export interface ModelCallParameters {
  /** A route of the configuration's `llm.routes` (instead of `provider` and `model`). */
  route?: string;
  model?: string;
  provider?: string;
  temperature?: number;
  max_tokens?: number;
  system?: string;
  stream?: boolean;
}

/** Parameters of the `llm` step. */
export interface LlmStepParameters extends ModelCallParameters {
  prompt?: string;
  messages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
  json_schema?: Record<string, unknown>;
}

/** JSON Schema of {@link ModelCallParameters}. */
export const modelParameterSchema = {
  route: { type: 'string', description: 'a route of llm.routes (its targets, failover and balancing) instead of provider and model' },
  model: { type: 'string', description: 'model id; default: the provider default' },
  provider: {
    type: 'string',
    enum: ['openai', 'azure', 'anthropic', 'gemini', 'bedrock', 'ollama', 'shimmy'],
    description: 'provider; default: the first one configured',
  },
  temperature: { type: 'number', minimum: 0, maximum: 2 },
  max_tokens: { type: 'integer', minimum: 1 },
  system: { type: 'string', description: 'system prompt' },
  stream: { type: 'boolean', default: true, description: 'show tokens live as they arrive' },
} as const;

const schemaCompiler = new Ajv2020({ allErrors: true, strict: false });
/** Compiled answer schemas by their JSON text (parameters are cloned per attempt, so objects differ). */
const compiledSchemas = new Map<string, ValidateFunction>();

/** The `llm` step kind. */
export const llmStep: StepKind<LlmStepParameters> = {
  ...defineStepKind<LlmStepParameters>({
    name: 'llm',
    description: 'call a language model with a prompt or messages',
    parameters: {
      type: 'object',
      properties: {
        prompt: { type: 'string', description: 'the user message' },
        messages: {
          type: 'array',
          items: {
            type: 'object',
            required: ['role', 'content'],
            properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
            additionalProperties: false,
          },
        },
        json_schema: { type: 'object', description: 'JSON Schema the answer must satisfy; the answer is parsed' },
        ...modelParameterSchema,
      },
      // Each branch names its property because ajv's strict mode wants `required` keys defined beside it.
      anyOf: [
        { properties: { prompt: true }, required: ['prompt'] },
        { properties: { messages: true }, required: ['messages'] },
      ],
      additionalProperties: false,
    },
    async run(parameters, context) {
      const choice = chooseModel(context, parameters);
      const messages: LlmMessage[] = [];
      if (parameters.system) messages.push({ role: 'system', content: parameters.system });
      for (const message of parameters.messages ?? []) messages.push(message);
      if (parameters.prompt !== undefined) messages.push({ role: 'user', content: parameters.prompt });
      const request: Omit<LlmRequest, 'model'> = {
        messages,
        temperature: parameters.temperature,
        maxTokens: parameters.max_tokens,
        responseFormat: parameters.json_schema ? { type: 'json', schema: parameters.json_schema, name: 'answer' } : undefined,
        metadata: { runId: context.runId, stepId: context.stepId },
      };
      const response = await callModel(context, choice, request, parameters.stream !== false);
      const output: Record<string, unknown> = {
        content: response.content,
        ...servedBy(choice, response),
        usage: { ...response.usage, raw: undefined },
        finish_reason: response.finishReason,
      };
      if (parameters.json_schema) output.parsed = parseAnswer(response.content, parameters.json_schema);
      return output;
    },
  }),
  preflight: preflightModel,
  legacyContext: (stepId, output) => ({ [`${stepId}_response`]: String((output as { content?: unknown })?.content ?? '') }),
};

/** Parses a JSON answer and checks it against the schema; a bad answer is a retryable failure. */
export function parseAnswer(content: string, schema: Record<string, unknown>): unknown {
  let value: unknown;
  try {
    value = JSON.parse(stripCodeFence(content));
  } catch {
    throw new LlmError(LlmErrorCode.invalidOutput, `the model's answer is not JSON: ${content.slice(0, 120)}`, { isRetryable: true });
  }
  const key = JSON.stringify(schema);
  let validate = compiledSchemas.get(key);
  if (!validate) {
    validate = schemaCompiler.compile(schema);
    compiledSchemas.set(key, validate);
  }
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message}`).join('; ');
    throw new LlmError(LlmErrorCode.invalidOutput, `the model's answer does not match json_schema: ${problems}`, { isRetryable: true });
  }
  return value;
}

/** Models sometimes wrap JSON in a Markdown fence even when asked not to. */
function stripCodeFence(content: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(content);
  return match ? match[1] : content;
}
