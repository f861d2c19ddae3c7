/**
 * The Anthropic Messages adapter: `POST {base}/v1/messages` streamed (named SSE events) or whole,
 * and `GET {base}/v1/models`. Authenticates with `x-api-key` and pins `anthropic-version`.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import { bodyChunks, credentialHeaderValues, readJson, readRateLimit, sendRequest, type HttpResponse } from '../http.js';
import { eventStream } from '../observable.js';
import type { StreamLimits } from '../stream-limits.js';
import type { CallOptions, LlmRequest, LlmResponse, ProviderAdapter } from '../types.js';
import { buildAnthropicBody } from './anthropic-request.js';
import { anthropicMessageToResponse, anthropicProvider, type AnthropicMessageResponse } from './anthropic-response.js';
import { parseAnthropicStream } from './anthropic-stream.js';

/** The public API origin, used when no base URL is configured. */
export const anthropicDefaultBaseUrl = 'https://api.anthropic.com';

/** The API version header value this adapter's mapping follows. */
export const anthropicApiVersion = '2023-06-01';

/** How to reach Anthropic. */
export interface AnthropicAdapterConfig {
  apiKey: string;
  /** Origin (plus optional path prefix) without `/v1`, as in the official SDK. */
  baseUrl?: string;
  /** `max_tokens` for requests that set no `maxTokens` (the API requires the field). */
  defaultMaxTokens?: number;
  /** Extra headers, e.g. `anthropic-beta`. */
  headers?: Record<string, string>;
}

/** The Anthropic adapter: the common contract plus the non-streaming endpoint and model list. */
export interface AnthropicAdapter extends ProviderAdapter {
  /** Calls the non-streaming endpoint and maps the whole message. */
  completeRequest(request: LlmRequest, options?: CallOptions): Promise<LlmResponse>;
  /** Lists model ids via `GET /v1/models`, following pagination. */
  listModels(options?: CallOptions): Promise<string[]>;
}

/** Reads `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`; undefined when no key is set. */
export function anthropicConfigFromEnv(env: Record<string, string | undefined>): AnthropicAdapterConfig | undefined {
  const apiKey = env.ANTHROPIC_API_KEY?.trim();
  if (!apiKey) return undefined;
  const baseUrl = env.ANTHROPIC_BASE_URL?.trim();
  return baseUrl ? { apiKey, baseUrl } : { apiKey };
}

/** The most model-list pages followed, so a misbehaving server cannot loop us forever. */
const maxModelPages = 50;

/** Creates the Anthropic adapter. */
export function createAnthropicAdapter(config: AnthropicAdapterConfig): AnthropicAdapter {
  if (!config.apiKey) {
    throw new LlmError(LlmErrorCode.notConfigured, 'anthropic needs an API key (set ANTHROPIC_API_KEY)', { provider: anthropicProvider });
  }
  const base = (config.baseUrl ?? anthropicDefaultBaseUrl).replace(/\/+$/, '');
  const secrets = [config.apiKey, ...credentialHeaderValues(config.headers)];
  const headers = (): Record<string, string> => ({
    ...config.headers,
    'x-api-key': config.apiKey,
    'anthropic-version': anthropicApiVersion,
    'content-type': 'application/json',
    accept: 'application/json',
  });
  const post = (request: LlmRequest, stream: boolean, signal?: AbortSignal, limits?: StreamLimits): Promise<HttpResponse> =>
    sendRequest({
      provider: anthropicProvider,
      url: new URL(`${base}/v1/messages`),
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(buildAnthropicBody(request, { stream, defaultMaxTokens: config.defaultMaxTokens })),
      signal,
      secrets,
      limits,
    });

  return {
    id: anthropicProvider,
    stream: (request, options) =>
      eventStream(anthropicProvider, options, async function* (signal) {
        const response = await post(request, true, signal, options?.limits);
        const requestId = response.headers['request-id'];
        const start = { type: 'start' as const, provider: anthropicProvider, model: request.model, requestId, rateLimit: readRateLimit(response.headers) };
        yield* parseAnthropicStream(bodyChunks(anthropicProvider, response, signal), requestId, start, options?.limits);
      }),
    async completeRequest(request, options) {
      const response = await post(request, false, options?.signal);
      const message = (await readJson(anthropicProvider, response, options?.signal)) as AnthropicMessageResponse;
      return anthropicMessageToResponse(message, request.model, response.headers['request-id']);
    },
    async listModels(options) {
      const ids: string[] = [];
      let afterId: string | undefined;
      for (let page = 0; page < maxModelPages; page++) {
        const url = new URL(`${base}/v1/models`);
        url.searchParams.set('limit', '1000');
        if (afterId) url.searchParams.set('after_id', afterId);
        const response = await sendRequest({ provider: anthropicProvider, url, method: 'GET', headers: headers(), signal: options?.signal, secrets });
        const body = (await readJson(anthropicProvider, response, options?.signal)) as { data?: { id?: unknown }[]; has_more?: unknown; last_id?: unknown };
        if (!Array.isArray(body?.data)) {
          throw new LlmError(LlmErrorCode.malformedResponse, 'anthropic returned a model list without a data array', { provider: anthropicProvider });
        }
        for (const model of body.data) if (typeof model.id === 'string') ids.push(model.id);
        if (body.has_more !== true || typeof body.last_id !== 'string') break;
        afterId = body.last_id;
      }
      return ids;
    },
  };
}
