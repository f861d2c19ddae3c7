/**
 * The Ollama adapter: native `POST /api/chat` (NDJSON stream, or one JSON object with
 * `stream:false`) and `GET /api/tags` for the model list. Local servers need no key.
 */
import type { StreamLimits } from '../stream-limits.js';
import type { Observable } from 'rxjs';
import { LlmError, LlmErrorCode } from '../errors.js';
import { bodyChunks, credentialHeaderValues, readJson, readRateLimit, sendRequest, withoutSecrets, type HttpResponse } from '../http.js';
import { eventStream } from '../observable.js';
import type { CallOptions, LlmEvent, LlmRequest, LlmResponse, ProviderAdapter } from '../types.js';
import { NdjsonDecoder } from '../wire/ndjson.js';
import { eventBatches } from './event-batches.js';
import { resolveOllamaHost } from './ollama-host.js';
import { buildOllamaChatBody } from './ollama-request.js';
import { OllamaStreamParser, ollamaResponseFromJson } from './ollama-stream.js';

export { ollamaDefaultBaseUrl, resolveOllamaHost } from './ollama-host.js';
export { buildOllamaChatBody, type OllamaChatBody } from './ollama-request.js';
export { OllamaStreamParser, mapOllamaDoneReason, ollamaResponseFromJson, ollamaUsage } from './ollama-stream.js';

const provider = 'ollama';

/** Settings of an Ollama adapter. */
export interface OllamaAdapterConfig {
  /** Server base URL; `OLLAMA_HOST`-style values are accepted (`host:port`, `0.0.0.0`, …). Default `http://127.0.0.1:11434`. */
  baseUrl?: string;
  /** Extra headers for every request (e.g. a reverse proxy's auth; credential values are scrubbed from errors). */
  headers?: Record<string, string>;
  /** `keep_alive` sent with each chat request (`"5m"`, seconds, `-1` = forever). Server default when absent. */
  keepAlive?: string | number;
}

/** An Ollama {@link ProviderAdapter} with its non-streaming endpoint and model list. */
export interface OllamaAdapter extends ProviderAdapter {
  readonly id: 'ollama';
  /** The resolved base URL. */
  readonly baseUrl: string;
  /** One call through the non-streaming form of `/api/chat` (`stream:false`). */
  completeRequest(request: LlmRequest, options?: CallOptions): Promise<LlmResponse>;
  /** Names of the locally installed models (`GET /api/tags`). */
  listModels(options?: CallOptions): Promise<string[]>;
}

/**
 * The config from `OLLAMA_HOST`. Always returns one: Ollama needs no credentials and defaults to
 * the local server, so whether it is really there is for discovery's probe to find out.
 */
export function ollamaConfigFromEnv(env: Record<string, string | undefined>): OllamaAdapterConfig {
  return { baseUrl: resolveOllamaHost(env.OLLAMA_HOST) };
}

/** Creates an Ollama adapter. */
export function createOllamaAdapter(config: OllamaAdapterConfig = {}): OllamaAdapter {
  const baseUrl = resolveOllamaHost(config.baseUrl);
  const endpoint = (path: string): URL => new URL(`${baseUrl}${path}`);
  const headers = (accept: string): Record<string, string> => ({
    ...config.headers,
    'content-type': 'application/json',
    accept,
  });

  // Header values that carry credentials must not come back in an error a proxy echoes.
  const secrets = credentialHeaderValues(config.headers);
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw withoutSecrets(error, secrets);
    }
  };

  const postChat = (request: LlmRequest, stream: boolean, signal: AbortSignal | undefined, limits?: StreamLimits): Promise<HttpResponse> =>
    sendRequest({
      provider,
      url: endpoint('/api/chat'),
      method: 'POST',
      headers: headers(stream ? 'application/x-ndjson' : 'application/json'),
      body: JSON.stringify(buildOllamaChatBody(request, stream, { keepAlive: config.keepAlive })),
      signal,
      limits,
    });

  return {
    id: provider,
    baseUrl,
    stream(request: LlmRequest, options?: CallOptions): Observable<LlmEvent> {
      return eventStream(provider, options, (signal) => streamEvents(request, signal, options?.limits));
    },
    completeRequest: (request: LlmRequest, options?: CallOptions): Promise<LlmResponse> =>
      guarded(async () => {
        const response = await postChat(request, false, options?.signal);
        return ollamaResponseFromJson(await readJson(provider, response, options?.signal), request.model);
      }),
    listModels: (options?: CallOptions): Promise<string[]> => guarded(() => listModels(options)),
  };

  async function* streamEvents(request: LlmRequest, signal: AbortSignal, limits?: StreamLimits): AsyncGenerator<LlmEvent | LlmEvent[]> {
    try {
      const response = await postChat(request, true, signal, limits);
      yield { type: 'start', provider, model: request.model, rateLimit: readRateLimit(response.headers) };
      const decoder = new NdjsonDecoder({ provider, maxLineBytes: limits?.maxLineBytes });
      const parser = new OllamaStreamParser();
      // Nothing meaningful follows the done line: reading stops there instead of waiting for the socket.
      yield* eventBatches(bodyChunks(provider, response, signal), {
        get done() {
          return parser.finished;
        },
        push(chunk, out) {
          for (const item of decoder.push(chunk)) out.push(...parser.accept(item));
        },
        end(out) {
          for (const item of decoder.end()) {
            // A last line without its newline that does not parse was cut off mid-write, not garbage.
            if (!item.ok && !parser.finished) {
              throw new LlmError(LlmErrorCode.streamInterrupted, 'ollama stream ended inside a line', { provider, isRetryable: true, cause: item.error });
            }
            out.push(...parser.accept(item));
          }
          parser.end();
        },
      });
    } catch (error) {
      throw withoutSecrets(error, secrets);
    }
  }

  async function listModels(options?: CallOptions): Promise<string[]> {
    const response = await sendRequest({
      provider,
      url: endpoint('/api/tags'),
      method: 'GET',
      headers: { ...config.headers, accept: 'application/json' },
      signal: options?.signal,
    });
    const body = (await readJson(provider, response, options?.signal)) as { models?: unknown };
    if (!body || !Array.isArray(body.models)) {
      throw new LlmError(LlmErrorCode.malformedResponse, 'ollama /api/tags returned no models array', { provider });
    }
    return body.models
      .map((model) => (model ?? {}) as { name?: unknown; model?: unknown })
      .map((model) => (typeof model.name === 'string' ? model.name : typeof model.model === 'string' ? model.model : ''))
      .filter((name) => name !== '');
  }
}
