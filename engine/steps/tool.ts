/**
 * The `tool` step (RustChain; alias `Tool`): runs a registered tool by name. Here the tools are
 * the step kinds themselves — the built-ins and whatever the embedding application registers —
 * so `{tool: create_file, parameters: {…}}` is `create_file` with those parameters.
 */
import { MissionError, MissionErrorCode } from '../errors.js';
import { didYouMean } from '../mission/suggest.js';
import { defineStepKind } from './define-step.js';
import type { StepKindRegistry } from './registry.js';
import type { StepKind, StepServices } from './types.js';

/** Parameters of the `tool` step. */
export interface ToolStepParameters {
  tool: string;
  parameters?: Record<string, unknown>;
}

/** Kinds that are not tools: they orchestrate other steps or models. */
const notTools = new Set(['tool', 'chain', 'agent']);

function toolKind(name: unknown, services: StepServices): StepKind {
  const registry = services.stepKinds as StepKindRegistry | undefined;
  const kind = typeof name === 'string' && !notTools.has(name) ? registry?.get(name) : undefined;
  if (!kind) {
    const available = registry ? registry.names().filter((candidate) => !notTools.has(candidate)).join(', ') : 'none';
    throw new MissionError(MissionErrorCode.parameters, `tool '${String(name)}' is not registered; tools are step kinds: ${available}`);
  }
  return kind;
}

/** The `tool` step kind. */
export const toolStep: StepKind<ToolStepParameters> = {
  ...defineStepKind<ToolStepParameters>({
    name: 'tool',
    description: 'Run a registered tool (any step kind, built-in or custom) by name',
    parameters: {
      type: 'object',
      required: ['tool'],
      properties: {
        tool: { type: 'string', minLength: 1, description: 'the tool: a step kind name such as create_file or http' },
        parameters: { type: 'object', default: {}, description: "the tool's parameters" },
      },
      additionalProperties: false,
    },
    run: (parameters, context) => toolKind(parameters.tool, context.services).execute(parameters.parameters ?? {}, context),
  }),
  renderParameters(parameters, render) {
    // The tool's own parameters are rendered its way (a `command` tool splits before rendering).
    const name = render.value(parameters.tool);
    const kind = typeof name === 'string' && !notTools.has(name) ? render.kind(name) : undefined;
    const inner = parameters.parameters;
    const { tool: _tool, parameters: _parameters, ...rest } = parameters;
    const renderedInner =
      kind?.renderParameters && inner !== null && typeof inner === 'object' && !Array.isArray(inner)
        ? kind.renderParameters(inner as Record<string, unknown>, render)
        : render.value(inner);
    return { ...(render.value(rest) as Record<string, unknown>), tool: name, ...(inner === undefined ? {} : { parameters: renderedInner }) };
  },
  checkParameters(parameters, kinds) {
    const name = parameters.tool;
    if (typeof name !== 'string' || name.includes('{') || (kinds.has(name) && !notTools.has(name))) return [];
    const tools = kinds.names().filter((candidate) => !notTools.has(candidate));
    return [{ path: ['tool'], message: `tool '${name}' is not registered`, hint: didYouMean(name, tools) ?? `tools are step kinds: ${tools.join(', ')}` }];
  },
  preflight(parameters, services) {
    const name = parameters.tool;
    if (typeof name === 'string' && name.includes('{')) return; // A template: known only at run time.
    const kind = toolKind(name, services);
    kind.preflight?.((parameters.parameters as Record<string, unknown>) ?? {}, services);
  },
};
