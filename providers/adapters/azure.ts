/**
 * The Azure OpenAI adapter: Chat Completions on deployment URLs
 * (`{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…`), authenticated by
 * an `api-key` header or an Entra ID bearer token. Azure's stream quirks (a first chunk with
 * `choices: []` and `prompt_filter_results`, `content_filter` finishes) are handled by the shared
 * Chat Completions parser. Its model list names the configured deployments (see
 * {@link createAzureAdapter}).
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import { credentialHeaderValues, readJson, sendRequest, withoutSecrets } from '../http.js';
import type { CallOptions } from '../types.js';
import { createChatCompletionsAdapter, joinUrl, type ChatCompletionsAdapter } from './openai-chat-client.js';
import { fullChatBodyOptions } from './openai-chat-request.js';

/**
 * The dated API version used when none is configured: the latest GA data-plane version that has
 * `max_completion_tokens`, `stream_options.include_usage` and `json_schema` response formats.
 */
export const azureDefaultApiVersion = '2024-10-21';

/** An Entra ID token, or a function that yields a fresh one per request. */
export type AzureAdToken = string | (() => string | Promise<string>);

/** Settings of the Azure OpenAI adapter. */
export interface AzureAdapterConfig {
  /** Resource endpoint, e.g. `https://my-resource.openai.azure.com` (`/openai` is appended). */
  endpoint?: string;
  /** Same as `endpoint`; accepted so every adapter can be pointed somewhere by `baseUrl`. */
  baseUrl?: string;
  /** Sent as the `api-key` header. Mutually exclusive with `azureAdToken`. */
  apiKey?: string;
  /** Entra ID token sent as `Authorization: Bearer …`. Mutually exclusive with `apiKey`. */
  azureAdToken?: AzureAdToken;
  /**
   * Deployment used when a request's model is empty or equals {@link AzureAdapterConfig.model};
   * a model found in {@link AzureAdapterConfig.deployments} uses its mapped deployment, and any
   * other request model is taken as the name of a deployment.
   */
  deployment?: string;
  /** The model the default deployment serves, so requests may name the model instead of the deployment. */
  model?: string;
  /** Model name → deployment name, for resources with several deployments. */
  deployments?: Record<string, string>;
  /** `api-version` query parameter; defaults to {@link azureDefaultApiVersion}. */
  apiVersion?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/**
 * Creates the Azure OpenAI adapter (provider id `azure`).
 *
 * `listModels` answers with the names a call can use: the configured deployment, the model it
 * serves, and the entries of `deployments` — after `GET {endpoint}/openai/models?api-version=…`
 * has proved that the endpoint answers and accepts the credentials. That data-plane route lists
 * the *base models* the resource could deploy, not its deployments, and a call must name a
 * deployment; the data plane has had no deployment listing since the 2023 preview versions (it
 * moved to the management plane, which needs an Azure Resource Manager token). So with no
 * deployment configured the list is empty rather than a list of names that would fail.
 */
export function createAzureAdapter(config: AzureAdapterConfig): ChatCompletionsAdapter {
  const endpoint = config.endpoint ?? config.baseUrl;
  const fail = (message: string): never => {
    throw new LlmError(LlmErrorCode.notConfigured, `azure: ${message}`, { provider: 'azure' });
  };
  if (!endpoint) fail('an endpoint is required (set AZURE_OPENAI_ENDPOINT)');
  if (config.apiKey && config.azureAdToken) fail('apiKey and azureAdToken are mutually exclusive; configure one');
  if (!config.apiKey && !config.azureAdToken) fail('an API key or an Entra ID token is required (set AZURE_OPENAI_API_KEY)');
  const base = joinUrl(endpoint as string, 'openai').toString();
  const apiVersion = config.apiVersion ?? azureDefaultApiVersion;
  let lastToken: string | undefined;

  const deploymentFor = (model: string): string => {
    const mapped = config.deployments?.[model];
    const deployment = mapped ?? (!model || model === config.model ? config.deployment : model);
    return deployment || fail('no deployment: set AZURE_OPENAI_DEPLOYMENT_NAME or name the deployment as the model');
  };

  const headers = async (): Promise<Record<string, string>> => {
    if (config.apiKey) return { ...config.headers, 'api-key': config.apiKey };
    const token = typeof config.azureAdToken === 'function' ? await config.azureAdToken() : (config.azureAdToken as string);
    lastToken = token;
    return { ...config.headers, authorization: `Bearer ${token}` };
  };
  const secrets = (): string[] =>
    [config.apiKey, typeof config.azureAdToken === 'string' ? config.azureAdToken : lastToken, ...credentialHeaderValues(config.headers)].filter(isString);

  const adapter = createChatCompletionsAdapter({
    provider: 'azure',
    chatUrl: (model) => {
      const url = joinUrl(base, `deployments/${encodeURIComponent(deploymentFor(model))}/chat/completions`);
      url.searchParams.set('api-version', apiVersion);
      return url;
    },
    // Azure ignores `model` on deployment URLs; sending the deployment keeps logs and proxies honest.
    bodyModel: deploymentFor,
    headers,
    body: { provider: 'azure', ...fullChatBodyOptions },
    secrets,
  });

  adapter.listModels = async (options: CallOptions = {}): Promise<string[]> => {
    const url = joinUrl(base, 'models');
    url.searchParams.set('api-version', apiVersion);
    try {
      const response = await sendRequest({ provider: 'azure', url, method: 'GET', headers: { accept: 'application/json', ...(await headers()) }, signal: options.signal });
      const body = await readJson('azure', response, options.signal);
      if (!Array.isArray((body as { data?: unknown } | null)?.data)) {
        throw new LlmError(LlmErrorCode.malformedResponse, 'azure returned a model list without data', { provider: 'azure' });
      }
    } catch (error) {
      throw withoutSecrets(error, secrets());
    }
    return configuredModelNames(config);
  };
  return adapter;
}

/**
 * The names a call can put in `model`, deployments first: the default deployment and the model it
 * serves, then each mapped deployment and its model. Duplicates and blanks are dropped.
 */
export function configuredModelNames(config: Pick<AzureAdapterConfig, 'deployment' | 'model' | 'deployments'>): string[] {
  // The model alias only resolves through the default deployment.
  const names = config.deployment ? [config.deployment, config.model] : [];
  for (const [model, deployment] of Object.entries(config.deployments ?? {})) names.push(deployment, model);
  return [...new Set(names.filter(isString))];
}

/**
 * Reads `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_DEPLOYMENT_NAME` and
 * `AZURE_OPENAI_API_VERSION`; undefined unless both an endpoint and a key are set (Entra ID
 * tokens are short-lived, so they are configured in code, not in the environment).
 */
export function azureConfigFromEnv(env: Record<string, string | undefined>): AzureAdapterConfig | undefined {
  const endpoint = env.AZURE_OPENAI_ENDPOINT?.trim();
  const apiKey = env.AZURE_OPENAI_API_KEY?.trim();
  if (!endpoint || !apiKey) return undefined;
  const config: AzureAdapterConfig = { endpoint, apiKey };
  if (env.AZURE_OPENAI_DEPLOYMENT_NAME?.trim()) config.deployment = env.AZURE_OPENAI_DEPLOYMENT_NAME.trim();
  if (env.AZURE_OPENAI_API_VERSION?.trim()) config.apiVersion = env.AZURE_OPENAI_API_VERSION.trim();
  return config;
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0;
}
