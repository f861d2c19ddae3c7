/**
 * Maps an {@link LlmRequest} to a Bedrock Converse / ConverseStream request: the URL path (model id
 * URL-encoded, `:` → `%3A`) and the JSON body (`messages`, `system`, `inferenceConfig`, `toolConfig`),
 * field names as in the AWS SDK's Converse schema. Converse refuses toolUse/toolResult blocks in a
 * request without a toolConfig, so when no tool may be offered, earlier tool turns are sent as text.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { ContentPart, LlmMessage, LlmRequest } from '../types.js';
import { uriEncode } from '../wire/sigv4.js';

/** One Converse content block (the subset this adapter sends). */
export type ConverseContentBlock =
  | { text: string }
  | { image: { format: string; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: Record<string, unknown> } }
  | { toolResult: { toolUseId: string; content: { text: string }[]; status: 'success' | 'error' } };

/** One Converse message; Bedrock knows only these two roles. */
export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseContentBlock[];
}

/** The Converse request body. The model id is not in it: it is part of the path. */
export interface ConverseBody {
  messages: ConverseMessage[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: {
    tools: { toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } } }[];
    toolChoice?: { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };
  };
  /** Structured output: the schema travels as a JSON string, as the Converse API defines it. */
  outputConfig?: { textFormat: { type: 'json_schema'; structure: { jsonSchema: { schema: string; name: string } } } };
}

/**
 * The wire path of a Converse call. The model id (which may be an ARN) is one path segment, so
 * `:` and `/` are percent-encoded, as the AWS SDK does.
 */
export function converseModelPath(modelId: string, streaming: boolean): string {
  return `/model/${uriEncode(modelId)}/${streaming ? 'converse-stream' : 'converse'}`;
}

/** Builds the Converse body. Throws `LLM_ERR_BAD_REQUEST` for content Bedrock cannot take. */
export function buildConverseBody(request: LlmRequest): ConverseBody {
  const system: { text: string }[] = [];
  const messages: ConverseMessage[] = [];
  const append = (role: ConverseMessage['role'], blocks: ConverseContentBlock[]): void => {
    if (blocks.length === 0) return;
    // Bedrock requires alternating roles, so consecutive turns of one role (a user message after
    // tool results, several tool results) are merged into one message.
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  const toolConfig = buildToolConfig(request);
  // Converse rejects toolUse/toolResult blocks unless the request also carries a toolConfig. When
  // no tool may be offered (none given, or toolChoice 'none', which Converse cannot express), the
  // earlier calls and results travel as text: the request stays valid and the model cannot call.
  const toolBlocks = toolConfig ? 'native' : 'text';
  for (const message of request.messages) {
    if (message.role === 'system') system.push({ text: message.content });
    else append(message.role === 'assistant' ? 'assistant' : 'user', contentBlocks(message, toolBlocks));
  }

  const body: ConverseBody = { messages };
  if (system.length > 0) body.system = system;
  const inferenceConfig: NonNullable<ConverseBody['inferenceConfig']> = {};
  if (request.maxTokens !== undefined) inferenceConfig.maxTokens = request.maxTokens;
  if (request.temperature !== undefined) inferenceConfig.temperature = request.temperature;
  if (request.topP !== undefined) inferenceConfig.topP = request.topP;
  if (request.stop?.length) inferenceConfig.stopSequences = request.stop;
  if (Object.keys(inferenceConfig).length > 0) body.inferenceConfig = inferenceConfig;

  if (toolConfig) body.toolConfig = toolConfig;
  // Converse constrains output to a schema only; plain JSON mode has no Converse equivalent.
  const schema = request.responseFormat?.schema;
  if (schema) {
    body.outputConfig = {
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: request.responseFormat?.name ?? 'response' } } },
    };
  }
  return body;
}

/**
 * The toolConfig of a request, or undefined when no tool may be offered. Converse has no "none"
 * tool choice: not offering the tools is how to forbid them.
 */
function buildToolConfig(request: LlmRequest): ConverseBody['toolConfig'] {
  if (!request.tools?.length || request.toolChoice === 'none') return undefined;
  const toolConfig: NonNullable<ConverseBody['toolConfig']> = {
    tools: request.tools.map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        inputSchema: { json: tool.parameters },
      },
    })),
  };
  const choice = request.toolChoice;
  if (choice === 'auto') toolConfig.toolChoice = { auto: {} };
  else if (choice === 'required') toolConfig.toolChoice = { any: {} };
  else if (typeof choice === 'object') toolConfig.toolChoice = { tool: { name: choice.name } };
  return toolConfig;
}

/**
 * `native`: tool calls and results as toolUse / toolResult blocks. `text`: as plain text, for
 * requests that carry no toolConfig (Converse refuses tool blocks without one).
 */
type ToolBlockMode = 'native' | 'text';

function contentBlocks(message: Exclude<LlmMessage, { role: 'system' }>, toolBlocks: ToolBlockMode): ConverseContentBlock[] {
  switch (message.role) {
    case 'user':
      return typeof message.content === 'string' ? textBlocks(message.content) : message.content.map(partBlock);
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (toolBlocks === 'text') {
        return textBlocks([message.content, ...calls.map((call) => `[called tool ${call.name} (call id ${call.id}) with input ${JSON.stringify(call.arguments)}]`)].filter(Boolean).join('\n'));
      }
      return [...textBlocks(message.content), ...calls.map((call) => ({ toolUse: { toolUseId: call.id, name: call.name, input: call.arguments } }))];
    }
    case 'tool':
      if (toolBlocks === 'text') {
        const outcome = message.isError ? 'error from' : 'result of';
        return [{ text: `[${outcome} tool ${message.toolName} (call id ${message.toolCallId})]\n${message.content}` }];
      }
      return [
        {
          toolResult: {
            toolUseId: message.toolCallId,
            content: [{ text: message.content }],
            status: message.isError ? 'error' : 'success',
          },
        },
      ];
  }
}

/** Bedrock rejects blank text blocks, so empty text becomes no block at all. */
function textBlocks(text: string): ConverseContentBlock[] {
  return text ? [{ text }] : [];
}

function partBlock(part: ContentPart): ConverseContentBlock {
  if (part.type === 'text') return { text: part.text };
  const match = /^data:image\/(png|jpeg|jpg|gif|webp);base64,(.+)$/i.exec(part.url);
  if (!match) {
    // Converse takes image bytes (or S3 locations), never URLs to fetch; refuse rather than drop it.
    throw new LlmError(LlmErrorCode.badRequest, 'bedrock accepts images only as base64 data URLs (png, jpeg, gif or webp)', {
      provider: 'bedrock',
    });
  }
  const format = match[1].toLowerCase() === 'jpg' ? 'jpeg' : match[1].toLowerCase();
  return { image: { format, source: { bytes: match[2] } } };
}
