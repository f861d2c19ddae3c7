/**
 * Maps an {@link LlmRequest} to the body of Ollama's native `POST /api/chat`, field for field as the
 * Go server (`api/types.go`) and ollama-js send it.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { ContentPart, LlmMessage, LlmRequest, LlmTool } from '../types.js';

/** One message as `/api/chat` takes it. */
export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  tool_calls?: { id?: string; function: { name: string; arguments: Record<string, unknown> } }[];
  tool_name?: string;
  tool_call_id?: string;
}

/** A tool as `/api/chat` takes it. */
export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** The `/api/chat` request body. */
export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  /** Always sent: the server streams when the field is absent, ollama-js does the opposite. */
  stream: boolean;
  tools?: OllamaTool[];
  format?: 'json' | Record<string, unknown>;
  options?: { temperature?: number; num_predict?: number; stop?: string[]; top_p?: number };
  keep_alive?: string | number;
}

/** Adapter settings that shape the body beyond the request itself. */
export interface OllamaBodySettings {
  /** How long the server keeps the model loaded after the call (`"5m"`, seconds, `-1`). */
  keepAlive?: string | number;
}

/** Builds the `/api/chat` body for a request. */
export function buildOllamaChatBody(request: LlmRequest, stream: boolean, settings: OllamaBodySettings = {}): OllamaChatBody {
  const body: OllamaChatBody = { model: request.model, messages: request.messages.map(toOllamaMessage), stream };
  const tools = selectTools(request);
  if (tools.length > 0) body.tools = tools.map(toOllamaTool);
  if (request.responseFormat?.type === 'json') body.format = request.responseFormat.schema ?? 'json';
  const options: NonNullable<OllamaChatBody['options']> = {};
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (request.stop && request.stop.length > 0) options.stop = request.stop;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (Object.keys(options).length > 0) body.options = options;
  if (settings.keepAlive !== undefined) body.keep_alive = settings.keepAlive;
  return body;
}

/**
 * Ollama has no `tool_choice`. The closest faithful behaviour: `none` sends no tools, a named
 * choice sends only that tool, `auto` and `required` send them all (`required` cannot be enforced).
 */
function selectTools(request: LlmRequest): LlmTool[] {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (choice === 'none') return [];
  if (typeof choice === 'object') return tools.filter((tool) => tool.name === choice.name);
  return tools;
}

function toOllamaTool(tool: LlmTool): OllamaTool {
  const definition: OllamaTool['function'] = { name: tool.name, parameters: tool.parameters };
  if (tool.description !== undefined) definition.description = tool.description;
  return { type: 'function', function: definition };
}

function toOllamaMessage(message: LlmMessage): OllamaMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return typeof message.content === 'string' ? { role: 'user', content: message.content } : userParts(message.content);
    case 'assistant': {
      const mapped: OllamaMessage = { role: 'assistant', content: message.content };
      if (message.toolCalls && message.toolCalls.length > 0) {
        mapped.tool_calls = message.toolCalls.map((call) => ({
          id: call.id,
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      return mapped;
    }
    case 'tool':
      // Older servers match results by `tool_name`; newer ones also read `tool_call_id`.
      return { role: 'tool', content: message.content, tool_name: message.toolName, tool_call_id: message.toolCallId };
  }
}

/** Text parts are joined; images must be inline (`data:` URLs) because Ollama takes base64 only. */
function userParts(parts: ContentPart[]): OllamaMessage {
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of parts) {
    if (part.type === 'text') {
      texts.push(part.text);
      continue;
    }
    const match = /^data:[^;,]*;base64,(.*)$/s.exec(part.url);
    if (!match) {
      throw new LlmError(LlmErrorCode.badRequest, 'ollama accepts images only as base64 data: URLs', { provider: 'ollama' });
    }
    images.push(match[1]);
  }
  const message: OllamaMessage = { role: 'user', content: texts.join('\n') };
  if (images.length > 0) message.images = images;
  return message;
}
