/**
 * The Shimmy adapter: a local, key-less, OpenAI-compatible server (`/v1/chat/completions`,
 * `/v1/models`, default `http://127.0.0.1:11435`). Shimmy accepts only a subset of the Chat
 * Completions fields and silently ignores the rest, so the request is trimmed to what it honours:
 * `max_tokens` (1..131072), no `tools`/`response_format`/`stream_options`, and never a `null`
 * assistant content (which it fails to deserialise). Its answers carry zero usage (non-streaming)
 * or none (streaming) and always finish with `stop`; the shared parser reports those as zero usage
 * and `stop`, since Shimmy gives nothing better to go on.
 */
import { credentialHeaderValues } from '../http.js';
import { createChatCompletionsAdapter, joinUrl, type ChatCompletionsAdapter } from './openai-chat-client.js';

/** Where Shimmy listens by default. */
export const shimmyDefaultBaseUrl = 'http://127.0.0.1:11435';

/** Shimmy rejects larger `max_tokens` values with a 400. */
const shimmyMaxTokensLimit = 131_072;

/** Settings of the Shimmy adapter. */
export interface ShimmyAdapterConfig {
  /** Server root (with or without a trailing `/v1`); defaults to {@link shimmyDefaultBaseUrl}. */
  baseUrl?: string;
  /** Extra headers on every request (e.g. for an authenticating proxy in front of Shimmy). */
  headers?: Record<string, string>;
}

/** Creates the Shimmy adapter (provider id `shimmy`). */
export function createShimmyAdapter(config: ShimmyAdapterConfig = {}): ChatCompletionsAdapter {
  const root = (config.baseUrl ?? shimmyDefaultBaseUrl).replace(/\/+$/, '').replace(/\/v1$/, '');
  const headers = { ...config.headers };
  // Shimmy has no auth of its own, but a proxy in front of it may, and may echo what it was sent.
  const secrets = credentialHeaderValues(headers);
  let chatUrl: URL | undefined;
  return createChatCompletionsAdapter({
    provider: 'shimmy',
    // Built once, on first use (a bad base URL still fails the call, not the construction).
    chatUrl: () => (chatUrl ??= joinUrl(root, 'v1/chat/completions')),
    modelsUrl: () => joinUrl(root, 'v1/models'),
    headers: () => headers,
    body: {
      provider: 'shimmy',
      maxTokensField: 'max_tokens',
      maxTokensLimit: shimmyMaxTokensLimit,
      streamUsage: false,
      supportsTools: false,
      supportsResponseFormat: false,
      nullAssistantContent: false,
    },
    secrets: () => secrets,
    // Shimmy's usage object is all zeros whatever it generated.
    countsUsage: false,
  });
}

/**
 * Reads `SHIMMY_BASE_URL`. Always returns a config: Shimmy needs no key, so the local default is
 * a candidate that discovery probes (via `listModels`) rather than a provider that is "not set".
 */
export function shimmyConfigFromEnv(env: Record<string, string | undefined>): ShimmyAdapterConfig {
  const baseUrl = env.SHIMMY_BASE_URL?.trim();
  return { baseUrl: baseUrl || shimmyDefaultBaseUrl };
}
