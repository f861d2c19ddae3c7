/**
 * The shape the Chat Completions API insists on, checked on every chat request the OpenAI and Azure
 * fakes receive (400 `invalid_request_error` with `param`, worded as the API words it), so a body
 * our adapter gets wrong fails a test as it would fail in production.
 */

type Json = Record<string, any>;

/** A problem with a request body: what the API names in `param`, and its message. */
export interface RequestProblem {
  param: string;
  message: string;
}

const roles = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const numberFields: [string, number, number][] = [['temperature', 0, 2], ['top_p', 0, 1], ['frequency_penalty', -2, 2], ['presence_penalty', -2, 2]];

/** The first problem with a chat completions body; undefined when the API would accept it. */
export function chatRequestProblem(body: unknown, options: { modelInUrl?: boolean } = {}): RequestProblem | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { param: '', message: 'We could not parse the JSON body of your request.' };
  const request = body as Json;
  // Azure names the deployment in the URL; the body's model is optional there.
  if (!options.modelInUrl && (typeof request.model !== 'string' || request.model === '')) return { param: 'model', message: 'you must provide a model parameter' };
  if (!Array.isArray(request.messages) || request.messages.length === 0) return { param: 'messages', message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead." };
  for (const [name, minimum, maximum] of numberFields) {
    const value = request[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number') return { param: name, message: `Invalid type for '${name}': expected a decimal, but got ${typeof value} instead.` };
    if (value < minimum || value > maximum) return { param: name, message: `Invalid '${name}': decimal above maximum value. Expected a value <= ${maximum}, but got ${value} instead.` };
  }
  for (const name of ['max_tokens', 'max_completion_tokens', 'n', 'seed']) {
    const value = request[name];
    if (value !== undefined && value !== null && !Number.isInteger(value)) return { param: name, message: `Invalid type for '${name}': expected an integer, but got ${typeof value} instead.` };
  }
  if (request.stream !== undefined && typeof request.stream !== 'boolean') return { param: 'stream', message: "Invalid type for 'stream': expected a boolean." };
  if (request.stop !== undefined && request.stop !== null && typeof request.stop !== 'string' && !(Array.isArray(request.stop) && request.stop.length <= 4 && request.stop.every((item: unknown) => typeof item === 'string'))) {
    return { param: 'stop', message: "Invalid 'stop': expected a string or an array of at most 4 strings." };
  }
  const tools = request.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return { param: 'tools', message: "Invalid type for 'tools': expected an array of objects." };
    for (const [index, tool] of tools.entries()) {
      if (tool?.type !== 'function') return { param: `tools[${index}].type`, message: `Invalid value: '${tool?.type}'. Supported values are: 'function' and 'custom'.` };
      if (typeof tool.function?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.function.name)) {
        return { param: `tools[${index}].function.name`, message: `Invalid 'tools[${index}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.` };
      }
      const parameters = tool.function.parameters;
      if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))) {
        return { param: `tools[${index}].function.parameters`, message: `Invalid type for 'tools[${index}].function.parameters': expected an object.` };
      }
    }
  }
  if (request.tool_choice !== undefined && !(Array.isArray(tools) && tools.length > 0)) {
    return { param: 'tool_choice', message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified." };
  }
  return messagesProblem(request.messages);
}

function messagesProblem(messages: Json[]): RequestProblem | undefined {
  const callIds = new Set<string>();
  for (const [index, message] of messages.entries()) {
    const where = `messages[${index}]`;
    if (typeof message !== 'object' || message === null) return { param: where, message: `Invalid type for '${where}': expected an object.` };
    if (!roles.has(message.role)) return { param: `${where}.role`, message: `Invalid value: '${message.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.` };
    const content = message.content;
    const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    if (content === null || content === undefined) {
      if (!(message.role === 'assistant' && hasToolCalls)) return { param: `${where}.content`, message: `Invalid value for '${where}.content': expected a string, got null.` };
    } else if (typeof content !== 'string' && !Array.isArray(content)) {
      return { param: `${where}.content`, message: `Invalid type for '${where}.content': expected one of a string or array of objects.` };
    } else if (Array.isArray(content)) {
      for (const [position, part] of content.entries()) {
        if (part?.type !== 'text' && part?.type !== 'image_url') return { param: `${where}.content[${position}].type`, message: `Invalid value: '${part?.type}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', 'audio' and 'file'.` };
      }
    }
    if (message.role === 'assistant' && hasToolCalls) {
      for (const call of message.tool_calls) {
        if (call?.type !== 'function' || typeof call.id !== 'string' || typeof call.function?.name !== 'string' || typeof call.function?.arguments !== 'string') {
          return { param: `${where}.tool_calls`, message: `Invalid '${where}.tool_calls': each call needs an id, type 'function' and a function with a name and string arguments.` };
        }
        callIds.add(call.id);
      }
    }
    if (message.role === 'tool') {
      if (typeof message.tool_call_id !== 'string' || !callIds.has(message.tool_call_id)) {
        return { param: `${where}`, message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'." };
      }
    }
  }
  return undefined;
}
