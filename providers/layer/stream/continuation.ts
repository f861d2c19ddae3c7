/**
 * How a cut answer is continued on a target: the request that asks the model to go on from the
 * text already delivered, without repeating it.
 */
import type { LlmRequest } from '../../types.js';

/**
 * The request that continues `request` after `deliveredText` on `provider`. This first version
 * asks every provider explicitly (the answer so far as an assistant turn, then a user turn asking
 * to continue exactly where it stopped); stream recovery refines it per target.
 */
export function continuationRequest(request: LlmRequest, deliveredText: string, provider: string): LlmRequest {
  void provider;
  return {
    ...request,
    messages: [
      ...request.messages,
      { role: 'assistant', content: deliveredText },
      { role: 'user', content: 'Your previous answer was cut off. Continue it exactly where it stopped, without repeating anything.' },
    ],
  };
}
