/**
 * What discovery knows about each provider: the environment variables that configure it, how to
 * build its adapter from them, its default model, and the order in which a default provider is
 * picked. One table, so adding a provider is one entry.
 */
import { anthropicConfigFromEnv, createAnthropicAdapter } from './adapters/anthropic.js';
import { azureConfigFromEnv, createAzureAdapter } from './adapters/azure.js';
import { bedrockConfigFromEnv, createBedrockAdapter } from './adapters/bedrock.js';
import { createGeminiAdapter, geminiConfigFromEnv } from './adapters/gemini.js';
import { createOllamaAdapter, ollamaConfigFromEnv } from './adapters/ollama.js';
import { createOpenAIAdapter, openaiConfigFromEnv } from './adapters/openai.js';
import { createShimmyAdapter, shimmyConfigFromEnv } from './adapters/shimmy.js';
import type { ProviderAdapter } from './types.js';

/** An environment, as `process.env` or a test's plain object. */
export type Environment = Record<string, string | undefined>;

/** One provider's entry in the catalog. */
export interface ProviderCatalogEntry {
  id: string;
  /**
   * `keyed`: configured by credentials in the environment. `local`: a key-less server on this
   * machine (or where its variable points), found by probing.
   */
  kind: 'keyed' | 'local';
  /** Variables to set, in groups: every group must be satisfied by one of its alternatives. */
  env: string[][];
  /** For local providers: the variable that points at the server, and the default address. */
  local?: { variable: string; defaultBaseUrl: string };
  /** The adapter the environment configures, or undefined when it configures none. */
  fromEnv(env: Environment): ProviderAdapter | undefined;
  /** The model used when a call names none; undefined when the provider has no sensible default. */
  defaultModel(env: Environment): string | undefined;
}

/**
 * Default models (used when a mission step names a provider but no model):
 *
 * | provider | default |
 * |---|---|
 * | openai | `gpt-4o-mini` |
 * | anthropic | `claude-sonnet-4-5` |
 * | gemini | `gemini-2.5-flash` |
 * | bedrock | `anthropic.claude-3-haiku-20240307-v1:0` (on-demand in most regions) |
 * | azure | `AZURE_OPENAI_DEPLOYMENT_NAME`, else `gpt-4o-mini` |
 * | ollama | `llama3.2` (or the first installed model when the probe listed some and it is not among them) |
 * | shimmy | none of its own: the first model the probe listed |
 */
export const defaultModels: Readonly<Record<string, string>> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-sonnet-4-5',
  gemini: 'gemini-2.5-flash',
  bedrock: 'anthropic.claude-3-haiku-20240307-v1:0',
  azure: 'gpt-4o-mini',
  ollama: 'llama3.2',
};

const ollamaDefaultUrl = 'http://127.0.0.1:11434';
const shimmyDefaultUrl = 'http://127.0.0.1:11435';

/**
 * The catalog, in the order a default provider is picked: hosted providers the user holds a key
 * for first (setting a key is a deliberate choice; OpenAI and Anthropic lead as in RustChain),
 * Azure last among them (it needs a deployment per model), then local servers.
 */
export const providerCatalog: readonly ProviderCatalogEntry[] = [
  {
    id: 'openai',
    kind: 'keyed',
    env: [['OPENAI_API_KEY']],
    fromEnv: (env) => mapDefined(openaiConfigFromEnv(env), createOpenAIAdapter),
    defaultModel: () => defaultModels.openai,
  },
  {
    id: 'anthropic',
    kind: 'keyed',
    env: [['ANTHROPIC_API_KEY']],
    fromEnv: (env) => mapDefined(anthropicConfigFromEnv(env), createAnthropicAdapter),
    defaultModel: () => defaultModels.anthropic,
  },
  {
    id: 'gemini',
    kind: 'keyed',
    env: [['GEMINI_API_KEY', 'GOOGLE_API_KEY']],
    fromEnv: (env) => mapDefined(geminiConfigFromEnv(env), createGeminiAdapter),
    defaultModel: () => defaultModels.gemini,
  },
  {
    id: 'bedrock',
    kind: 'keyed',
    env: [['AWS_ACCESS_KEY_ID'], ['AWS_SECRET_ACCESS_KEY'], ['AWS_REGION', 'AWS_DEFAULT_REGION']],
    fromEnv: (env) => mapDefined(bedrockConfigFromEnv(env), createBedrockAdapter),
    defaultModel: () => defaultModels.bedrock,
  },
  {
    id: 'azure',
    kind: 'keyed',
    // The deployment name is optional here: without it the request's model names the deployment.
    env: [['AZURE_OPENAI_API_KEY'], ['AZURE_OPENAI_ENDPOINT']],
    fromEnv: (env) => mapDefined(azureConfigFromEnv(env), createAzureAdapter),
    defaultModel: (env) => env.AZURE_OPENAI_DEPLOYMENT_NAME?.trim() || defaultModels.azure,
  },
  {
    id: 'ollama',
    kind: 'local',
    env: [['OLLAMA_HOST']],
    local: { variable: 'OLLAMA_HOST', defaultBaseUrl: ollamaDefaultUrl },
    fromEnv: (env) => createOllamaAdapter(ollamaConfigFromEnv(env)),
    defaultModel: () => defaultModels.ollama,
  },
  {
    id: 'shimmy',
    kind: 'local',
    env: [['SHIMMY_BASE_URL']],
    local: { variable: 'SHIMMY_BASE_URL', defaultBaseUrl: shimmyDefaultUrl },
    fromEnv: (env) => createShimmyAdapter(shimmyConfigFromEnv(env)),
    defaultModel: () => undefined,
  },
];

/** The catalog entry for a provider id, or undefined. */
export function catalogEntry(id: string): ProviderCatalogEntry | undefined {
  return providerCatalog.find((entry) => entry.id === id);
}

/** Whether a variable is set to something other than blanks. */
export function isSet(env: Environment, name: string): boolean {
  return (env[name]?.trim() ?? '') !== '';
}

/** The groups of an entry's variables that the environment does not satisfy, by their first name. */
export function missingVariables(entry: ProviderCatalogEntry, env: Environment): string[] {
  return entry.env.filter((group) => !group.some((name) => isSet(env, name))).map((group) => group[0]);
}

/** Reads "set A and B (or C)" for the not-configured message. */
export function describeRequirements(entry: ProviderCatalogEntry, groups: string[][] = entry.env): string {
  return groups
    .map((group) => (group.length > 1 ? `${group[0]} (or ${group.slice(1).join(' or ')})` : group[0]))
    .join(' and ');
}

/**
 * Values in the environment that must never be echoed: anything whose name says key, secret,
 * token or password. Discovery scrubs them from every message it reports.
 */
export function secretValues(env: Environment): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL/i.test(name) && typeof value === 'string' && value.trim().length >= 4)
    .map(([, value]) => (value as string).trim());
}

function mapDefined<Config, Result>(config: Config | undefined, create: (config: Config) => Result): Result | undefined {
  return config === undefined ? undefined : create(config);
}
