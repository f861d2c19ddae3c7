/**
 * Maps an {@link LlmRequest} to a Bedrock Converse / ConverseStream request: the URL path (model id
 * URL-encoded, `:` → `%3A`) and the JSON body (`messages`, `system`, `inferenceConfig`, `toolConfig`),
 * field names as in the AWS SDK's Converse schema.
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
  for (const message of request.messages) {
    if (message.role === 'system') system.push({ text: message.content });
    else append(message.role === 'assistant' ? 'assistant' : 'user', contentBlocks(message));
  }

  const body: ConverseBody = { messages };
  if (system.length > 0) body.system = system;
  const inferenceConfig: NonNullable<ConverseBody['inferenceConfig']> = {};
  if (request.maxTokens !== undefined) inferenceConfig.maxTokens = request.maxTokens;
  if (request.temperature !== undefined) inferenceConfig.temperature = request.temperature;
  if (request.topP !== undefined) inferenceConfig.topP = request.topP;
  if (request.stop?.length) inferenceConfig.stopSequences = request.stop;
  if (Object.keys(inferenceConfig).length > 0) body.inferenceConfig = inferenceConfig;

  // Converse has no "none" tool choice: not offering the tools is how to forbid them.
  if (request.tools?.length && request.toolChoice !== 'none') {
    body.toolConfig = {
      tools: request.tools.map((tool) => ({
        toolSpec: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          inputSchema: { json: tool.parameters },
        },
      })),
    };
    const choice = request.toolChoice;
    if (choice === 'auto') body.toolConfig.toolChoice = { auto: {} };
    else if (choice === 'required') body.toolConfig.toolChoice = { any: {} };
    else if (typeof choice === 'object') body.toolConfig.toolChoice = { tool: { name: choice.name } };
  }
  // Converse constrains output to a schema only; plain JSON mode has no Converse equivalent.
  const schema = request.responseFormat?.schema;
  if (schema) {
    body.outputConfig = {
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: request.responseFormat?.name ?? 'response' } } },
    };
  }
  return body;
}

function contentBlocks(message: Exclude<LlmMessage, { role: 'system' }>): ConverseContentBlock[] {
  switch (message.role) {
    case 'user':
      return typeof message.content === 'string' ? textBlocks(message.content) : message.content.map(partBlock);
    case 'assistant':
      return [
        ...textBlocks(message.content),
        ...(message.toolCalls ?? []).map((call) => ({ toolUse: { toolUseId: call.id, name: call.name, input: call.arguments } })),
      ];
    case 'tool':
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
