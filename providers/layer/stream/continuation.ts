/**
 * How a cut answer is continued on a target: the request that asks the model to go on from the
 * text already delivered, without repeating it.
 *
 * Two ways exist. Assistant prefill ends the conversation with the partial answer as an assistant
 * turn, and the model carries on from its last character: exact and cheap, but only some targets
 * accept it (Ollama; Claude 3.x on Anthropic and Bedrock). Current Claude models reject a
 * prefilled final assistant turn, and OpenAI-compatible servers and Gemini treat a final assistant
 * turn as finished history, so everywhere else the partial answer is history followed by an
 * explicit user request to continue it; the head of that continuation may repeat the delivered
 * tail, which stream recovery trims (`overlap.ts`).
 */
import type { LlmMessage, LlmRequest } from '../../types.js';

/** The instruction of an explicit continuation request. */
export const continuationInstruction =
  'Your previous answer was cut off by a network failure. Continue it from exactly the point where it stopped, ' +
  'even mid-word or mid-sentence: output only the missing rest, do not repeat any of it, and add no preamble.';

/** Whether `provider`'s `model` continues a final assistant turn (assistant prefill). */
export function supportsAssistantPrefill(provider: string, model: string | undefined): boolean {
  const id = (model ?? '').toLowerCase();
  if (provider === 'ollama') return true;
  // Claude 3.x continues a prefilled turn; Claude 4 and later refuse one.
  if (provider === 'anthropic' || provider === 'bedrock') return /claude-3/.test(id);
  return false;
}

/** Output tokens an answer of `chars` characters is taken to have used (4 characters a token). */
function tokensOf(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * The request that continues `request` after `deliveredText` on `provider` (and `model`, which
 * decides whether assistant prefill is possible; the request's own model when absent).
 * `maxTokens` shrinks by the tokens the delivered text took, so that the whole answer stays
 * within the caller's limit.
 */
export function continuationRequest(request: LlmRequest, deliveredText: string, provider: string, model?: string): LlmRequest {
  const messages = [...request.messages];
  // The caller's own prefill (a final assistant turn) is the start of the answer being continued.
  let answer = deliveredText;
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant' && !last.toolCalls?.length) {
    messages.pop();
    answer = last.content + deliveredText;
  }
  const continued: LlmRequest = { ...request };
  if (request.maxTokens !== undefined) continued.maxTokens = Math.max(1, request.maxTokens - tokensOf(deliveredText.length));
  if (supportsAssistantPrefill(provider, model ?? request.model)) {
    // Anthropic refuses a final assistant turn that ends in whitespace; the model writes it back.
    const prefill: LlmMessage = { role: 'assistant', content: answer.trimEnd() };
    continued.messages = [...messages, prefill];
    return continued;
  }
  continued.messages = [...messages, { role: 'assistant', content: answer }, { role: 'user', content: continuationInstruction }];
  // A forced tool choice would make the model call a tool instead of finishing its text.
  if (request.toolChoice === 'required' || typeof request.toolChoice === 'object') continued.toolChoice = 'auto';
  return continued;
}
