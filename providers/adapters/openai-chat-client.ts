/**
 * The Chat Completions client the OpenAI, Azure OpenAI and Shimmy adapters are made of. Each of
 * them only describes its endpoint (URL, auth headers, accepted fields); sending, streaming,
 * parsing and error mapping live here once.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import { bodyChunks, readJson, readRateLimit, sendRequest, withoutSecrets, type HttpResponse } from '../http.js';
import { eventStream } from '../observable.js';
import type { StreamLimits } from '../stream-limits.js';
import { emptyUsage, type CallOptions, type LlmEvent, type LlmRequest, type LlmResponse, type ProviderAdapter } from '../types.js';
import { chatCompletionsBody, type ChatBodyOptions } from './openai-chat-request.js';
import { chatCompletionResponse, record } from './openai-chat-response.js';
import { chatCompletionEventBatches } from './openai-chat-stream.js';

/** How to reach one Chat Completions server. */
export interface ChatEndpoint {
  /** Provider id (`openai`, `azure`, `shimmy`). */
  provider: string;
  /** The `…/chat/completions` URL for a request's model (Azure puts the deployment in the path). */
  chatUrl(model: string): URL;
  /** The `model` body field for a request's model (Azure: the deployment); the model itself if absent. */
  bodyModel?(model: string): string;
  /** The model-list URL, where the server has one. */
  modelsUrl?(): URL;
  /** Auth and extra headers; may be async (Entra ID tokens may come from a provider function). */
  headers(): Record<string, string> | Promise<Record<string, string>>;
  /** The fields this server accepts. */
  body: ChatBodyOptions;
  /** Values that must never appear in an error message (API keys, tokens), as of now. */
  secrets(): string[];
  /**
   * False for a server whose `usage` is a placeholder (Shimmy sends zeros): its counts are then
   * marked `source: 'missing'` rather than taken for a real zero.
   */
  countsUsage?: boolean;
}

/** A Chat Completions adapter: the streaming contract plus the non-streaming endpoint. */
export interface ChatCompletionsAdapter extends ProviderAdapter {
  /** Sends one non-streaming request (`stream` absent) and maps the JSON answer. */
  completeRequest(request: LlmRequest, options?: CallOptions): Promise<LlmResponse>;
}

/** Builds an adapter for one endpoint. */
export function createChatCompletionsAdapter(endpoint: ChatEndpoint): ChatCompletionsAdapter {
  const { provider } = endpoint;

  const send = async (request: LlmRequest, stream: boolean, signal?: AbortSignal, limits?: StreamLimits): Promise<HttpResponse> => {
    const model = endpoint.bodyModel ? endpoint.bodyModel(request.model) : request.model;
    const body = chatCompletionsBody({ ...request, model }, stream, endpoint.body);
    const extra = endpoint.headers();
    return sendRequest({
      provider,
      url: endpoint.chatUrl(request.model),
      method: 'POST',
      // Awaited only when it is a promise: a microtask per call saved for static headers.
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(extra instanceof Promise ? await extra : extra) },
      body: JSON.stringify(body),
      signal,
      limits,
    });
  };

  const adapter: ChatCompletionsAdapter = {
    id: provider,

    stream(request: LlmRequest, options?: CallOptions) {
      return eventStream(provider, options, async function* (signal): AsyncGenerator<LlmEvent | LlmEvent[]> {
        try {
          const response = await send(request, true, signal, options?.limits);
          const requestId = requestIdOf(response.headers);
          const start = { type: 'start' as const, provider, model: request.model, requestId, rateLimit: readRateLimit(response.headers) };
          yield start;
          yield* chatCompletionEventBatches(provider, bodyChunks(provider, response, signal), requestId, start, options?.limits);
        } catch (error) {
          throw withoutSecrets(error, endpoint.secrets());
        }
      });
    },

    async completeRequest(request: LlmRequest, options: CallOptions = {}) {
      try {
        const response = await send(request, false, options.signal);
        const requestId = requestIdOf(response.headers);
        const body = await readJson(provider, response, options.signal);
        const answer = chatCompletionResponse(provider, request.model, body, requestId);
        if (endpoint.countsUsage === false) answer.usage = { ...emptyUsage(), raw: answer.usage.raw, source: 'missing' };
        return answer;
      } catch (error) {
        throw withoutSecrets(error, endpoint.secrets());
      }
    },
  };

  if (endpoint.modelsUrl) {
    const modelsUrl = endpoint.modelsUrl.bind(endpoint);
    adapter.listModels = async (options: CallOptions = {}) => {
      try {
        const response = await sendRequest({
          provider,
          url: modelsUrl(),
          method: 'GET',
          headers: { accept: 'application/json', ...(await endpoint.headers()) },
          signal: options.signal,
        });
        return modelIds(provider, await readJson(provider, response, options.signal));
      } catch (error) {
        throw withoutSecrets(error, endpoint.secrets());
      }
    };
  }
  return adapter;
}

/** Reads `{"object":"list","data":[{"id":…}]}`. */
function modelIds(provider: string, body: unknown): string[] {
  const data = record(body).data;
  if (!Array.isArray(data)) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${provider} returned a model list without data`, { provider });
  }
  return data.map((entry) => record(entry).id).filter((id): id is string => typeof id === 'string');
}

function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers['x-request-id'] ?? headers['apim-request-id'];
}

/** Joins a base URL and a path without doubling or dropping slashes. */
export function joinUrl(base: string, path: string): URL {
  return new URL(`${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
}
