/**
 * The `agent` step: a real tool-using loop. The model may call tools — other step kinds, built-in
 * or registered by the embedding application — until it answers without calling one, or hits
 * `max_iterations`. Every turn and tool call is audited.
 */
import { LlmError, type LlmErrorCodeValue } from '../../../providers/errors.js';
import type { LlmMessage, LlmRequest, LlmTool, ToolCall, Usage } from '../../../providers/types.js';
import { emptyUsage } from '../../../providers/types.js';
import { MissionError, MissionErrorCode } from '../../errors.js';
import { defineStepKind } from '../define-step.js';
import { readWorkspaceFile } from '../read-file.js';
import type { StepKindRegistry } from '../registry.js';
import type { StepContext, StepKind } from '../types.js';
import { callModel, chooseModel, servedBy, type ModelChoice, type ModelCallResult } from './call-model.js';
import { preflightModel } from './llm-service.js';
import { modelParameterSchema, type ModelCallParameters } from './llm-step.js';

/** Parameters of the `agent` step. */
export interface AgentStepParameters extends ModelCallParameters {
  objective: string;
  name?: string;
  /** A workspace file whose text is given to the agent as context. */
  context_file?: string;
  tools?: string[];
  max_iterations?: number;
  /** Accept a final answer with no text (default false: an empty answer fails the step). */
  allow_empty_answer?: boolean;
}

/** Tools an agent gets when the mission names none: they read, they never write or run. */
export const defaultAgentTools = ['read_file', 'list_directory', 'file_search'];

/** Tool results are cut here so one large file cannot fill the model's context. */
const maxToolResultCharacters = 20_000;

/** The `agent` step kind. */
export const agentStep: StepKind<AgentStepParameters> = {
  ...defineStepKind<AgentStepParameters>({
    name: 'agent',
    description: 'let a model work towards an objective, calling other step kinds as tools',
    parameters: {
      type: 'object',
      required: ['objective'],
      properties: {
        objective: { type: 'string', description: 'what the agent must achieve' },
        name: { type: 'string', description: "the agent's name (default: the step id)" },
        context_file: { type: 'string', description: 'a workspace file whose text the agent is given as context' },
        tools: { type: 'array', items: { type: 'string' }, description: `step kinds the agent may call (default: ${defaultAgentTools.join(', ')})` },
        max_iterations: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
        allow_empty_answer: { type: 'boolean', default: false, description: 'accept a final answer with no text (by default it fails the step with MISSION_ERR_EMPTY_ANSWER)' },
        ...modelParameterSchema,
      },
      additionalProperties: false,
    },
    run: runAgent,
  }),
  preflight: preflightModel,
  legacyContext: (stepId, output) => ({ [`${stepId}_response`]: String((output as { response?: unknown })?.response ?? '') }),
};

async function runAgent(parameters: AgentStepParameters, context: StepContext): Promise<unknown> {
  const registry = context.services.stepKinds as StepKindRegistry | undefined;
  if (!registry) throw new MissionError(MissionErrorCode.stepFailed, 'agent step needs services.stepKinds (the engine wires it in)');
  const choice = chooseModel(context, parameters);
  const name = parameters.name ?? context.stepId;
  const tools = resolveTools(parameters.tools ?? defaultAgentTools, registry);
  const maxIterations = parameters.max_iterations ?? 10;
  const messages: LlmMessage[] = [
    {
      role: 'system',
      content:
        parameters.system ??
        `You are an autonomous agent named '${name}'. Work towards the objective you are given. ` +
          'Call the tools you need; when you have the final answer, reply with it and call no tool.',
    },
    { role: 'user', content: await objectiveWithContext(parameters, context) },
  ];
  const usage: Usage = emptyUsage();
  const toolLog: { tool: string; ok: boolean }[] = [];
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const response = await callAgentModel(
      context,
      choice,
      toolLog.length,
      {
        messages,
        // With no tools, no tool choice either: some providers refuse one given alone.
        ...(tools.length > 0 ? { tools: tools.map((kind) => toolFor(kind)), toolChoice: 'auto' as const } : {}),
        temperature: parameters.temperature,
        maxTokens: parameters.max_tokens,
        metadata: { runId: context.runId, stepId: context.stepId },
      },
      parameters.stream !== false,
    );
    addUsage(usage, response.usage);
    messages.push({ role: 'assistant', content: response.content, toolCalls: response.toolCalls, ...(response.signature ? { signature: response.signature } : {}) });
    context.emit({ type: 'agent-turn', iteration, toolCalls: response.toolCalls.map((call) => call.name), finishReason: response.finishReason });
    if (response.toolCalls.length === 0) {
      // An answer of nothing is almost always a model or provider fault, not a result to pass on.
      if (response.content.trim() === '' && parameters.allow_empty_answer !== true) {
        throw new MissionError(
          MissionErrorCode.emptyAnswer,
          `agent '${name}' gave an empty final answer (no text and no tool call) after ${iteration} ${iteration === 1 ? 'turn' : 'turns'}; set allow_empty_answer: true if that is acceptable`,
          { isRetryable: true },
        );
      }
      return { agent_name: name, objective: parameters.objective, response: response.content, ...servedBy(choice, response), usage, iterations: iteration, tool_calls: toolLog };
    }
    for (const call of response.toolCalls) {
      const result = await runTool(call, tools, context);
      toolLog.push({ tool: call.name, ok: !result.isError });
      messages.push({ role: 'tool', toolCallId: call.id, toolName: call.name, content: result.content, isError: result.isError });
    }
  }
  throw new MissionError(MissionErrorCode.stepFailed, `agent '${name}' did not finish within ${maxIterations} iterations`);
}

/**
 * One model call of the loop. The layer already retried and failed over this call; once tools
 * have run, its failure is made non-retryable for the step, so a step-level `retry:` cannot run
 * the agent again from the start and repeat tool calls that already had their effects.
 */
async function callAgentModel(context: StepContext, choice: ModelChoice, toolCallsSoFar: number, request: Omit<LlmRequest, 'model'>, live: boolean): Promise<ModelCallResult> {
  try {
    return await callModel(context, choice, request, live);
  } catch (error) {
    if (toolCallsSoFar === 0 || !(error instanceof LlmError) || !error.isRetryable) throw error;
    throw new LlmError(error.code as LlmErrorCodeValue, `${error.message} (not retried as a whole step: ${toolCallsSoFar} tool call(s) already ran)`, {
      provider: error.provider, status: error.status, providerCode: error.providerCode, requestId: error.requestId, cause: error, isRetryable: false,
    });
  }
}

async function objectiveWithContext(parameters: AgentStepParameters, context: StepContext): Promise<string> {
  if (!parameters.context_file) return parameters.objective;
  const text = (await readWorkspaceFile(context.workspace, parameters.context_file, context.signal, 'read the context file')).toString('utf8');
  return `${parameters.objective}\n\nContext (from ${parameters.context_file}):\n${truncate(text)}`;
}

function resolveTools(names: string[], registry: StepKindRegistry): StepKind[] {
  return names.map((toolName) => {
    const kind = registry.get(toolName);
    if (!kind || ['agent', 'chain', 'llm'].includes(toolName)) {
      throw new MissionError(MissionErrorCode.parameters, `agent tool '${toolName}' is not a step kind an agent can call`);
    }
    return kind;
  });
}

function toolFor(kind: StepKind): LlmTool {
  return { name: kind.name, description: kind.description, parameters: kind.parameters };
}

async function runTool(call: ToolCall, tools: StepKind[], context: StepContext): Promise<{ content: string; isError: boolean }> {
  const kind = tools.find((candidate) => candidate.name === call.name);
  const startedAt = performance.now();
  context.emit({ type: 'tool-call', tool: call.name, callId: call.id, payload: { arguments: call.arguments } });
  if (!kind) {
    context.emit({ type: 'tool-result', tool: call.name, callId: call.id, ok: false, durationMs: 0 });
    return { content: `unknown tool '${call.name}'; available: ${tools.map((tool) => tool.name).join(', ')}`, isError: true };
  }
  try {
    const output = await kind.execute(call.arguments, context);
    context.emit({ type: 'tool-result', tool: call.name, callId: call.id, ok: true, durationMs: Math.round(performance.now() - startedAt), payload: { output } });
    return { content: truncate(JSON.stringify(output ?? null)), isError: false };
  } catch (error) {
    if (context.signal.aborted) throw error;
    const message = `${(error as { code?: string }).code ?? 'ERROR'}: ${(error as Error).message}`;
    context.emit({ type: 'tool-result', tool: call.name, callId: call.id, ok: false, durationMs: Math.round(performance.now() - startedAt), error: message });
    return { content: message, isError: true };
  }
}

function addUsage(total: Usage, usage: Usage): void {
  total.inputTokens += usage.inputTokens;
  total.outputTokens += usage.outputTokens;
  total.cachedInputTokens += usage.cachedInputTokens;
  total.cacheWriteInputTokens += usage.cacheWriteInputTokens;
  total.reasoningTokens += usage.reasoningTokens;
  total.totalTokens += usage.totalTokens;
}

function truncate(text: string): string {
  return text.length > maxToolResultCharacters ? `${text.slice(0, maxToolResultCharacters)}… [truncated ${text.length - maxToolResultCharacters} characters]` : text;
}
