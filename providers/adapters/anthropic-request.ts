/**
 * Maps an {@link LlmRequest} onto the body of Anthropic's `POST /v1/messages`: system prompt as a
 * top-level field, tool calls and tool results as content blocks, and `max_tokens` always present
 * (the API rejects a request without it).
 */
import type { ContentPart, LlmMessage, LlmRequest, ToolChoice } from '../types.js';

/** The `max_tokens` sent when the request names none (the field is required by the API). */
export const anthropicDefaultMaxTokens = 4096;

/** One Anthropic content block of a request message. */
export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

/** One message of an Anthropic request. */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicContentBlock[];
}

/** The JSON body of `POST /v1/messages` (only the fields this project sends). */
export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string };
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  output_config?: { format: { type: 'json_schema'; schema: Record<string, unknown> } };
  stream?: boolean;
}

/** Builds the request body; `stream` adds `"stream": true`. */
export function buildAnthropicBody(
  request: LlmRequest,
  options: { stream: boolean; defaultMaxTokens?: number },
): AnthropicRequestBody {
  const system = request.messages
    .filter((message): message is Extract<LlmMessage, { role: 'system' }> => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  const body: AnthropicRequestBody = {
    model: request.model,
    max_tokens: request.maxTokens ?? options.defaultMaxTokens ?? anthropicDefaultMaxTokens,
    messages: mapMessages(request.messages),
  };
  if (system) body.system = system;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: tool.parameters,
    }));
  }
  // A tool choice without tools is refused by the API; with none offered there is nothing to choose.
  if (request.tools?.length && request.toolChoice !== undefined) body.tool_choice = mapToolChoice(request.toolChoice);
  if (request.temperature !== undefined) body.temperature = request.temperature;
  // Current models refuse temperature and top_p together; temperature is the one callers mean.
  else if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop?.length) body.stop_sequences = request.stop;
  // Anthropic has no schemaless JSON mode; a schema maps onto structured outputs, otherwise the
  // prompt alone has to ask for JSON.
  if (request.responseFormat?.schema) {
    body.output_config = { format: { type: 'json_schema', schema: request.responseFormat.schema } };
  }
  if (options.stream) body.stream = true;
  return body;
}

function mapToolChoice(choice: ToolChoice): NonNullable<AnthropicRequestBody['tool_choice']> {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

/**
 * Tool results travel in a user turn; consecutive results (parallel calls) and a user message
 * right after them share one turn, because the API wants user and assistant turns to alternate.
 */
function mapMessages(messages: LlmMessage[]): AnthropicMessage[] {
  const mapped: AnthropicMessage[] = [];
  let previousWasToolResult = false;
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool') {
      const block: AnthropicContentBlock = {
        type: 'tool_result',
        tool_use_id: message.toolCallId,
        content: message.content,
        ...(message.isError ? { is_error: true } : {}),
      };
      const last = mapped[mapped.length - 1];
      if (previousWasToolResult && last && Array.isArray(last.content)) last.content.push(block);
      else mapped.push({ role: 'user', content: [block] });
      previousWasToolResult = true;
      continue;
    }
    if (message.role === 'user') {
      const blocks = userBlocks(message.content);
      const last = mapped[mapped.length - 1];
      if (previousWasToolResult && last && Array.isArray(last.content)) last.content.push(...blocks);
      else mapped.push({ role: 'user', content: typeof message.content === 'string' ? message.content : blocks });
      previousWasToolResult = false;
      continue;
    }
    previousWasToolResult = false;
    // The API refuses an assistant turn (or text block) with no non-whitespace text: an empty
    // answer in the history is left out (consecutive user turns are then joined by the API).
    const hasText = message.content.trim() !== '';
    if (!message.toolCalls?.length) {
      if (hasText) mapped.push({ role: 'assistant', content: message.content });
      continue;
    }
    const blocks: AnthropicContentBlock[] = hasText ? [{ type: 'text', text: message.content }] : [];
    for (const call of message.toolCalls) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
    mapped.push({ role: 'assistant', content: blocks });
  }
  return mapped;
}

function userBlocks(content: string | ContentPart[]): AnthropicContentBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part): AnthropicContentBlock => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
    if (dataUrl) return { type: 'image', source: { type: 'base64', media_type: dataUrl[1], data: dataUrl[2] } };
    return { type: 'image', source: { type: 'url', url: part.url } };
  });
}
