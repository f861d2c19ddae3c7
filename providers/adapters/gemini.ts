/**
 * The Google Gemini (Generative Language API) adapter: `{model}:streamGenerateContent?alt=sse`,
 * `{model}:generateContent` and `GET /v1beta/models`. The key travels in the `x-goog-api-key`
 * header, never in the URL, so it cannot leak through logged URLs or transport errors.
 */
import type { StreamLimits } from '../stream-limits.js';
import { LlmError, LlmErrorCode } from '../errors.js';
import { bodyChunks, credentialHeaderValues, readJson, readRateLimit, sendRequest, type HttpResponse } from '../http.js';
import { applyEvent, emptyResponse, eventStream } from '../observable.js';
import type { CallOptions, LlmRequest, LlmResponse, ProviderAdapter } from '../types.js';
import { buildGeminiBody, geminiModelPath } from './gemini-request.js';
import { geminiProvider } from './gemini-response.js';
import { GeminiResponseParser, parseGeminiStream } from './gemini-stream.js';

/** The public API origin, used when no base URL is configured. */
export const geminiDefaultBaseUrl = 'https://generativelanguage.googleapis.com';

/** The API version path segment (the official SDK's default). */
export const geminiApiVersion = 'v1beta';

/** How to reach Gemini. */
export interface GeminiAdapterConfig {
  apiKey: string;
  /** Origin (plus optional path prefix) without the API version, as in `@google/genai`. */
  baseUrl?: string;
  /** API version segment; `v1beta` unless set. */
  apiVersion?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** The Gemini adapter: the common contract plus the non-streaming endpoint and model list. */
export interface GeminiAdapter extends ProviderAdapter {
  /** Calls `generateContent` (not streamed) and maps the whole response. */
  completeRequest(request: LlmRequest, options?: CallOptions): Promise<LlmResponse>;
  /** Lists model ids (without the `models/` prefix) via `GET /v1beta/models`, following pages. */
  listModels(options?: CallOptions): Promise<string[]>;
}

/** Reads `GEMINI_API_KEY` (or `GOOGLE_API_KEY`) and `GOOGLE_GEMINI_BASE_URL`; undefined without a key. */
export function geminiConfigFromEnv(env: Record<string, string | undefined>): GeminiAdapterConfig | undefined {
  const apiKey = env.GEMINI_API_KEY?.trim() || env.GOOGLE_API_KEY?.trim();
  if (!apiKey) return undefined;
  const baseUrl = env.GOOGLE_GEMINI_BASE_URL?.trim();
  return baseUrl ? { apiKey, baseUrl } : { apiKey };
}

/** The most model-list pages followed, so a misbehaving server cannot loop us forever. */
const maxModelPages = 50;

/** Creates the Gemini adapter. */
export function createGeminiAdapter(config: GeminiAdapterConfig): GeminiAdapter {
  if (!config.apiKey) {
    throw new LlmError(LlmErrorCode.notConfigured, 'gemini needs an API key (set GEMINI_API_KEY or GOOGLE_API_KEY)', { provider: geminiProvider });
  }
  const root = `${(config.baseUrl ?? geminiDefaultBaseUrl).replace(/\/+$/, '')}/${config.apiVersion ?? geminiApiVersion}`;
  const secrets = [config.apiKey, ...credentialHeaderValues(config.headers)];
  const headers = (): Record<string, string> => ({
    ...config.headers,
    'x-goog-api-key': config.apiKey,
    'content-type': 'application/json',
  });
  const post = (request: LlmRequest, method: 'generateContent' | 'streamGenerateContent', signal?: AbortSignal, limits?: StreamLimits): Promise<HttpResponse> => {
    const url = new URL(`${root}/${geminiModelPath(request.model)}:${method}`);
    // Without alt=sse the stream is one long JSON array instead of SSE events.
    if (method === 'streamGenerateContent') url.searchParams.set('alt', 'sse');
    return sendRequest({ provider: geminiProvider, url, method: 'POST', headers: headers(), body: JSON.stringify(buildGeminiBody(request)), signal, secrets, limits });
  };

  return {
    id: geminiProvider,
    stream: (request, options) =>
      eventStream(geminiProvider, options, async function* (signal) {
        const response = await post(request, 'streamGenerateContent', signal, options?.limits);
        // Gemini's `start` comes with its first frame; the empty batch tells the read loop the headers came.
        yield [];
        yield* parseGeminiStream(bodyChunks(geminiProvider, response, signal), { model: request.model, rateLimit: readRateLimit(response.headers) }, options?.limits);
      }),
    async completeRequest(request, options) {
      const response = await post(request, 'generateContent', options?.signal);
      const body = await readJson(geminiProvider, response, options?.signal);
      const parser = new GeminiResponseParser({ model: request.model, rateLimit: readRateLimit(response.headers), streaming: false });
      return [...parser.handle(body), ...parser.finish()].reduce(applyEvent, emptyResponse());
    },
    async listModels(options) {
      const ids: string[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < maxModelPages; page++) {
        const url = new URL(`${root}/models`);
        url.searchParams.set('pageSize', '1000');
        if (pageToken) url.searchParams.set('pageToken', pageToken);
        const response = await sendRequest({ provider: geminiProvider, url, method: 'GET', headers: headers(), signal: options?.signal, secrets });
        const body = (await readJson(geminiProvider, response, options?.signal)) as { models?: { name?: unknown }[]; nextPageToken?: unknown };
        if (body?.models !== undefined && !Array.isArray(body.models)) {
          throw new LlmError(LlmErrorCode.malformedResponse, 'gemini returned a model list whose models is not an array', { provider: geminiProvider });
        }
        for (const model of body?.models ?? []) {
          if (typeof model.name === 'string') ids.push(model.name.replace(/^models\//, ''));
        }
        if (typeof body?.nextPageToken !== 'string' || !body.nextPageToken) break;
        pageToken = body.nextPageToken;
      }
      return ids;
    },
  };
}
