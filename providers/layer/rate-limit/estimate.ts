/**
 * The token estimate a call is admitted with, before the provider has counted anything: about
 * four characters a token for the prompt, plus the most the answer may use. The real usage
 * corrects it when the attempt ends.
 */
import type { LlmRequest } from '../../types.js';

/** Characters per token, roughly, for English text and JSON across current tokenizers. */
const charactersPerToken = 4;
/** Answer tokens assumed when a request sets no `maxTokens`. */
export const defaultAnswerTokens = 1024;

/** Estimated tokens of a request (prompt characters / 4 + `maxTokens`). */
export function estimateRequestTokens(request: Pick<LlmRequest, 'messages' | 'tools' | 'maxTokens'>): number {
  let characters = 0;
  for (const message of request.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else for (const part of message.content) characters += part.type === 'text' ? part.text.length : 0;
    if (message.role === 'assistant' && message.toolCalls) characters += JSON.stringify(message.toolCalls).length;
  }
  if (request.tools) characters += JSON.stringify(request.tools).length;
  return Math.ceil(characters / charactersPerToken) + (request.maxTokens ?? defaultAnswerTokens);
}
