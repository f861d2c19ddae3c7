/**
 * Maps an {@link LlmRequest} onto a Chat Completions request body, the wire format OpenAI, Azure
 * OpenAI and OpenAI-compatible servers (Shimmy) share. The servers differ in which fields they
 * accept, so a {@link ChatBodyOptions} says what one server takes.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { ContentPart, LlmMessage, LlmRequest, LlmTool, ToolChoice } from '../types.js';

/** What one Chat Completions server accepts, where servers differ. */
export interface ChatBodyOptions {
  /** Provider id, for error messages. */
  provider: string;
  /**
   * `max_completion_tokens` (OpenAI and Azure: `max_tokens` is deprecated and rejected by reasoning
   * models) or `max_tokens` (OpenAI-compatible servers that only know the old name).
   */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Largest `max_tokens` the server accepts (Shimmy rejects more than 131072 with a 400). */
  maxTokensLimit?: number;
  /** Whether to ask for the trailing usage chunk with `stream_options.include_usage`. */
  streamUsage: boolean;
  /** Whether the server understands `tools`/`tool_choice`; if not, tools are dropped or refused. */
  supportsTools: boolean;
  /** Whether the server understands `response_format`. */
  supportsResponseFormat: boolean;
  /**
   * Whether an assistant turn without text may carry `content: null` (OpenAI's shape for tool-call
   * turns). Shimmy fails to deserialise `null`, so it gets an empty string instead.
   */
  nullAssistantContent: boolean;
}

/** The options OpenAI and Azure OpenAI share (the full Chat Completions surface). */
export const fullChatBodyOptions: Omit<ChatBodyOptions, 'provider'> = {
  maxTokensField: 'max_completion_tokens',
  streamUsage: true,
  supportsTools: true,
  supportsResponseFormat: true,
  nullAssistantContent: true,
};

/** Builds the JSON body of `POST …/chat/completions`. */
export function chatCompletionsBody(request: LlmRequest, stream: boolean, options: ChatBodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map((message) => chatMessage(message, options)),
  };
  if (request.tools?.length) {
    if (options.supportsTools) {
      body.tools = request.tools.map(chatTool);
      if (request.toolChoice !== undefined) body.tool_choice = chatToolChoice(request.toolChoice);
    } else if (request.toolChoice === 'required' || typeof request.toolChoice === 'object') {
      // Dropping tools is harmless when the model may answer without them; a forced call is not.
      throw new LlmError(LlmErrorCode.badRequest, `${options.provider} cannot call tools, but the request requires a tool call`, {
        provider: options.provider,
      });
    }
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop?.length) body.stop = request.stop;
  if (request.maxTokens !== undefined) {
    const limit = options.maxTokensLimit ?? Number.POSITIVE_INFINITY;
    body[options.maxTokensField] = Math.min(request.maxTokens, limit);
  }
  if (request.responseFormat && options.supportsResponseFormat) {
    const { schema, name } = request.responseFormat;
    body.response_format = schema
      ? { type: 'json_schema', json_schema: { name: name ?? 'response', schema } }
      : { type: 'json_object' };
  }
  if (stream) {
    body.stream = true;
    if (options.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

function chatMessage(message: LlmMessage, options: ChatBodyOptions): Record<string, unknown> {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map(chatContentPart) };
    case 'assistant': {
      const calls = options.supportsTools ? (message.toolCalls ?? []) : [];
      const emptyContent = options.nullAssistantContent && calls.length > 0 ? null : '';
      const result: Record<string, unknown> = { role: 'assistant', content: message.content || emptyContent };
      if (calls.length > 0) {
        result.tool_calls = calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        }));
      }
      return result;
    }
    case 'tool':
      if (!options.supportsTools) {
        // A server without tools has no `tool` role; the result still belongs in the conversation.
        return { role: 'user', content: `Result of tool ${message.toolName}: ${message.content}` };
      }
      // Chat Completions has no error flag on tool results; the content itself must say so.
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function chatContentPart(part: ContentPart): Record<string, unknown> {
  if (part.type === 'text') return { type: 'text', text: part.text };
  return { type: 'image_url', image_url: { url: part.url } };
}

function chatTool(tool: LlmTool): Record<string, unknown> {
  const definition: Record<string, unknown> = { name: tool.name, parameters: tool.parameters };
  if (tool.description !== undefined) definition.description = tool.description;
  return { type: 'function', function: definition };
}

function chatToolChoice(choice: ToolChoice): unknown {
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}
