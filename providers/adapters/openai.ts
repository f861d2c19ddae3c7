/**
 * The OpenAI adapter: Chat Completions at `{base}/chat/completions` with Bearer auth, streaming
 * with `stream_options.include_usage`, and the model list at `{base}/models`.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import { credentialHeaderValues } from '../http.js';
import { createChatCompletionsAdapter, joinUrl, type ChatCompletionsAdapter } from './openai-chat-client.js';
import { fullChatBodyOptions } from './openai-chat-request.js';

/** The public OpenAI API base. */
export const openaiDefaultBaseUrl = 'https://api.openai.com/v1';

/** Settings of the OpenAI adapter. */
export interface OpenAIAdapterConfig {
  apiKey: string;
  /** API base including the version segment; defaults to {@link openaiDefaultBaseUrl}. */
  baseUrl?: string;
  /** Sent as `OpenAI-Organization`. */
  organization?: string;
  /** Sent as `OpenAI-Project`. */
  project?: string;
  /** Extra headers on every request (gateways, proxies). */
  headers?: Record<string, string>;
}

/** Creates the OpenAI adapter (provider id `openai`). */
export function createOpenAIAdapter(config: OpenAIAdapterConfig): ChatCompletionsAdapter {
  if (!config.apiKey) {
    throw new LlmError(LlmErrorCode.notConfigured, 'openai needs an API key (set OPENAI_API_KEY)', { provider: 'openai' });
  }
  const baseUrl = config.baseUrl ?? openaiDefaultBaseUrl;
  const headers: Record<string, string> = { ...config.headers, authorization: `Bearer ${config.apiKey}` };
  if (config.organization) headers['openai-organization'] = config.organization;
  if (config.project) headers['openai-project'] = config.project;
  let chatUrl: URL | undefined;
  return createChatCompletionsAdapter({
    provider: 'openai',
    // Built once, on first use (a bad base URL still fails the call, not the construction).
    chatUrl: () => (chatUrl ??= joinUrl(baseUrl, 'chat/completions')),
    modelsUrl: () => joinUrl(baseUrl, 'models'),
    headers: () => headers,
    body: { provider: 'openai', ...fullChatBodyOptions },
    secrets: () => [config.apiKey, ...credentialHeaderValues(config.headers)],
  });
}

/**
 * Reads `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`; undefined
 * without a key.
 */
export function openaiConfigFromEnv(env: Record<string, string | undefined>): OpenAIAdapterConfig | undefined {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) return undefined;
  const config: OpenAIAdapterConfig = { apiKey };
  if (env.OPENAI_BASE_URL?.trim()) config.baseUrl = env.OPENAI_BASE_URL.trim();
  if (env.OPENAI_ORG_ID?.trim()) config.organization = env.OPENAI_ORG_ID.trim();
  if (env.OPENAI_PROJECT_ID?.trim()) config.project = env.OPENAI_PROJECT_ID.trim();
  return config;
}
