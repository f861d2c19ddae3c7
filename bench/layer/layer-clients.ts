/**
 * The three clients the LLM-layer benchmark compares, per mode: a bare undici `request()` (the
 * floor), the OpenAI adapter alone, and the full layer (`createLlm` with a two-target failover
 * route, retries, circuit breakers and an audit sink on). Non-streamed calls go to the adapter's
 * JSON path (`completeRequest`, bridged into the layer as a one-answer stream); streamed calls
 * read SSE and reduce the events.
 */
import { Observable } from 'rxjs';
import { Agent, request } from 'undici';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import type { ChatCompletionsAdapter } from '../../providers/adapters/openai-chat-client.js';
import { createLlm } from '../../providers/layer/create-llm.js';
import { complete } from '../../providers/observable.js';
import type { LlmEvent, ProviderAdapter } from '../../providers/types.js';
import { apiKey, llmRequest, model, type BenchClient } from '../providers/http-clients.js';
import { chatCompletionJson, chatCompletionStreamText } from '../providers/openai-canned.js';

/** One client in one mode (the same shape as the provider benchmark's clients). */
export type LayerBenchClient = BenchClient;

/** An adapter whose "stream" is the JSON answer as events: the layer's non-streamed path for the benchmark. */
function jsonAdapter(adapter: ChatCompletionsAdapter): ProviderAdapter {
  return {
    id: adapter.id,
    stream: (request, options) =>
      new Observable<LlmEvent>((subscriber) => {
        adapter.completeRequest(request, options).then(
          (response) => {
            subscriber.next({ type: 'start', provider: response.provider, model: response.model, requestId: response.requestId });
            subscriber.next({ type: 'text-delta', text: response.content });
            subscriber.next({ type: 'usage', usage: response.usage });
            subscriber.next({ type: 'finish', reason: response.finishReason, rawReason: response.rawFinishReason });
            subscriber.complete();
          },
          (error: unknown) => subscriber.error(error),
        );
      }),
    listModels: adapter.listModels?.bind(adapter),
  };
}

/** Counts audit records, as a store would receive them. */
export const sinkCounter = { records: 0 };

/** Builds the clients for one mode, in table order: bare, adapter, layer. */
export function createLayerClients(baseUrl: string, streamed: boolean, agent: Agent): LayerBenchClient[] {
  const adapter = createOpenAIAdapter({ apiKey, baseUrl });
  const layerAdapter = streamed ? adapter : jsonAdapter(adapter);
  const llm = createLlm({
    config: {
      routes: { chat: { strategy: 'failover', targets: [{ provider: 'primary', model }, { provider: 'backup', model }] } },
    },
    providers: { primary: layerAdapter, backup: layerAdapter },
    sink: { record: () => void sinkCounter.records++ },
  });
  const layerRequest = { route: 'chat', messages: llmRequest.messages };
  const chatUrl = `${baseUrl}/chat/completions`;
  const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}` };
  const body = JSON.stringify({ model, messages: llmRequest.messages, ...(streamed ? { stream: true, stream_options: { include_usage: true } } : {}) });
  const recordedContent = (JSON.parse(chatCompletionJson) as { choices: { message: { content: string } }[] }).choices[0].message.content;
  const text = streamed ? chatCompletionStreamText() : recordedContent;
  return [
    {
      name: streamed ? 'bare undici: request + read bytes' : 'bare undici: request + text()',
      call: async () => {
        const response = await request(chatUrl, { dispatcher: agent, method: 'POST', headers, body });
        if (!streamed) return (await response.body.text()).length > 0;
        let bytes = 0;
        for await (const chunk of response.body) bytes += (chunk as Uint8Array).length;
        return bytes > 0;
      },
      expected: true,
    },
    {
      name: streamed ? 'adapter: complete(stream())' : 'adapter: completeRequest',
      call: async () => (streamed ? (await complete(adapter.stream(llmRequest))).content : (await adapter.completeRequest(llmRequest)).content),
      expected: text,
    },
    { name: 'layer: llm.complete(route)', call: async () => (await llm.complete(layerRequest)).content, expected: text },
  ];
}
