/**
 * What the real Messages API refuses with 400 `invalid_request_error`, checked on every request
 * the Anthropic fake receives, so an adapter mistake fails a test as it would fail in production.
 * Messages follow the API's own wording.
 */

type Json = Record<string, any>;

/** The first problem with a Messages request body, in the API's words; undefined when it is valid. */
export function anthropicRequestProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body: Input should be a valid dictionary';
  const request = body as Json;
  if (typeof request.model !== 'string' || request.model === '') return 'model: Field required';
  if (typeof request.max_tokens !== 'number') return 'max_tokens: Field required';
  if (request.temperature !== undefined && request.top_p !== undefined) {
    return '`temperature` and `top_p` cannot both be specified for this model. Please use only one.';
  }
  if (request.temperature !== undefined && (typeof request.temperature !== 'number' || request.temperature < 0 || request.temperature > 1)) {
    return 'temperature: Input should be less than or equal to 1';
  }
  const hasTools = Array.isArray(request.tools) && request.tools.length > 0;
  if (request.tool_choice !== undefined && !hasTools) return 'tool_choice: tool_choice may only be specified while providing tools.';
  if (request.tools !== undefined) {
    if (!Array.isArray(request.tools)) return 'tools: Input should be a valid list';
    for (const [index, tool] of request.tools.entries()) {
      if (typeof tool?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) return `tools.${index}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      if (typeof tool.input_schema !== 'object' || tool.input_schema === null || tool.input_schema.type !== 'object') return `tools.${index}.input_schema: Input schema must have type "object"`;
    }
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) return 'messages: at least one message is required';
  return messagesProblem(request.messages as Json[]);
}

function blocksOf(message: Json): Json[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? message.content : [];
}

function messagesProblem(messages: Json[]): string | undefined {
  for (const [index, message] of messages.entries()) {
    if (message.role !== 'user' && message.role !== 'assistant') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    if (typeof message.content !== 'string' && !Array.isArray(message.content)) return `messages.${index}.content: Input should be a valid string or list`;
    const blocks = blocksOf(message);
    const isFinalAssistant = index === messages.length - 1 && message.role === 'assistant';
    if (blocks.length === 0 && !isFinalAssistant) return `messages.${index}: all messages must have non-empty content except for the optional final assistant message`;
    for (const [position, block] of blocks.entries()) {
      if (block.type === 'text' && (typeof block.text !== 'string' || (block.text.trim() === '' && !isFinalAssistant))) {
        return `messages.${index}.content.${position}.text: text content blocks must contain non-whitespace text`;
      }
      if (block.type === 'tool_use' && message.role !== 'assistant') return `messages.${index}.content.${position}: tool_use blocks are only allowed in assistant messages`;
      if (block.type === 'tool_result' && message.role !== 'user') return `messages.${index}.content.${position}: tool_result blocks are only allowed in user messages`;
    }
    // Every tool_use must be answered by a tool_result in the very next message…
    const toolUses = blocks.filter((block) => block.type === 'tool_use').map((block) => String(block.id));
    if (toolUses.length > 0) {
      const answered = new Set(blocksOf(messages[index + 1] ?? {}).filter((block) => block.type === 'tool_result').map((block) => String(block.tool_use_id)));
      const unanswered = toolUses.filter((id) => !answered.has(id));
      if (unanswered.length > 0 && index + 1 < messages.length) {
        return `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
    // …and every tool_result must answer a tool_use of the message right before it.
    const results = blocks.map((block, position) => ({ block, position })).filter(({ block }) => block.type === 'tool_result');
    if (results.length > 0) {
      const asked = new Set(blocksOf(messages[index - 1] ?? {}).filter((block) => block.type === 'tool_use').map((block) => String(block.id)));
      const stray = results.find(({ block }) => !asked.has(String(block.tool_use_id)));
      if (stray) {
        return `messages.${index}.content.${stray.position}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return undefined;
}
