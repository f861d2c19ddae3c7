/**
 * The registry of usable provider adapters: what discovery found plus what embedders register,
 * with errors that say exactly which variable to set, and the choice of a default provider and model.
 */
import { LlmError, LlmErrorCode } from './errors.js';
import { catalogEntry, defaultModels, describeRequirements, providerCatalog } from './discovery-catalog.js';
import type { ProviderAdapter } from './types.js';

/** What discovery learned about one provider. `adapter` is not enumerable, so it never serialises. */
export interface DiscoveredProvider {
  id: string;
  /** Whether calls can be made (an adapter exists). */
  configured: boolean;
  /** `env`: configured by variables; `probe`: a local server found (or looked for) by probing. */
  source: 'env' | 'probe';
  adapter?: ProviderAdapter;
  /** Whether the provider answered a probe or model-list call; absent when not probed. */
  reachable?: boolean;
  /** Models it listed, when probed. */
  models?: string[];
  /** Variables to set to configure it (first name of each unsatisfied group). */
  missing?: string[];
  /** Why it is unreachable or unconfigured (secrets scrubbed). */
  error?: string;
  /** The model a call uses when it names none. */
  defaultModel?: string;
}

/** A provider and model chosen for a call. */
export interface ResolvedModel {
  provider: string;
  model: string;
  adapter: ProviderAdapter;
}

/** A secret-free, JSON-ready view of a discovered provider. */
export type DiscoveredProviderSummary = Omit<DiscoveredProvider, 'adapter'>;

/** Copies the enumerable (non-adapter) fields of a discovered provider. */
export function summarise(provider: DiscoveredProvider): DiscoveredProviderSummary {
  const { adapter: _adapter, ...rest } = provider;
  return { ...rest };
}

/** Model names that betray their provider, for picking one when only a model is given. */
const modelFamilies: { pattern: RegExp; providers: string[] }[] = [
  { pattern: /^(gpt-|o\d|chatgpt-|text-embedding-)/, providers: ['openai', 'azure'] },
  { pattern: /^claude-/, providers: ['anthropic'] },
  { pattern: /^gemini-/, providers: ['gemini'] },
  { pattern: /^(anthropic|amazon|meta|mistral|cohere|ai21|us|eu|apac|global)\.[a-z]/, providers: ['bedrock'] },
];

/**
 * Holds adapters by provider id. Built by `discoverProviders`, or empty for embedders and tests
 * that {@link register} their own.
 */
export class ProviderRegistry {
  private readonly adapters = new Map<string, ProviderAdapter>();
  private readonly discovered = new Map<string, DiscoveredProvider>();

  constructor(discovered: readonly DiscoveredProvider[] = []) {
    for (const provider of discovered) {
      this.discovered.set(provider.id, provider);
      if (provider.configured && provider.adapter) this.adapters.set(provider.id, provider.adapter);
    }
  }

  /** Adds or replaces an adapter under an id (embedders, tests, custom providers). */
  register(id: string, adapter: ProviderAdapter): this {
    this.adapters.set(id, adapter);
    return this;
  }

  /** Whether an adapter is registered under the id. */
  has(id: string): boolean {
    return this.adapters.has(id);
  }

  /**
   * The adapter for a provider; throws `LLM_ERR_NOT_CONFIGURED` naming the variables to set,
   * e.g. "provider 'anthropic' is not configured: set ANTHROPIC_API_KEY".
   */
  get(id: string): ProviderAdapter {
    const adapter = this.adapters.get(id);
    if (adapter) return adapter;
    throw new LlmError(LlmErrorCode.notConfigured, this.notConfiguredMessage(id), { provider: id });
  }

  /** Registered ids: catalog providers in preference order, then custom ones in registration order. */
  ids(): string[] {
    const known = providerCatalog.map((entry) => entry.id).filter((id) => this.adapters.has(id));
    const custom = [...this.adapters.keys()].filter((id) => !catalogEntry(id));
    return [...known, ...custom];
  }

  /** What discovery reported, secret-free (adapters left out). */
  providers(): DiscoveredProviderSummary[] {
    return [...this.discovered.values()].map(summarise);
  }

  /**
   * Picks the provider and model of a call. With no provider: one whose model family matches the
   * model (`claude-…` → anthropic, `gpt-…` → openai, …) or that listed the model, else the first
   * registered in preference order. With no model: the provider's default (see `defaultModels`).
   */
  resolveModel(provider?: string, model?: string): ResolvedModel {
    const chosen = provider ?? this.pickProvider(model);
    const adapter = this.get(chosen);
    const resolvedModel = model ?? this.discovered.get(chosen)?.defaultModel ?? defaultModels[chosen];
    if (!resolvedModel) {
      throw new LlmError(LlmErrorCode.notConfigured, `provider '${chosen}' has no default model: name one in the step's model field`, {
        provider: chosen,
      });
    }
    return { provider: chosen, model: resolvedModel, adapter };
  }

  /** The JSON form: discovered providers and registered ids, never adapters or secrets. */
  toJSON(): { providers: DiscoveredProviderSummary[]; registered: string[] } {
    return { providers: this.providers(), registered: this.ids() };
  }

  private pickProvider(model: string | undefined): string {
    const candidates = this.ids();
    if (candidates.length === 0) {
      const keyed = providerCatalog.filter((entry) => entry.kind === 'keyed').map((entry) => describeRequirements(entry));
      throw new LlmError(
        LlmErrorCode.notConfigured,
        `no LLM provider is configured: set ${keyed.join(', or ')}; or start a local Ollama or Shimmy server (discovery with probing finds it; the mission CLI always probes)`,
      );
    }
    if (model) {
      const family = modelFamilies.find((candidate) => candidate.pattern.test(model));
      const byFamily = family?.providers.find((id) => this.adapters.has(id));
      if (byFamily) return byFamily;
      const byListing = candidates.find((id) => this.discovered.get(id)?.models?.includes(model));
      if (byListing) return byListing;
    }
    return candidates[0];
  }

  private notConfiguredMessage(id: string): string {
    const entry = catalogEntry(id);
    if (!entry) {
      const known = providerCatalog.map((candidate) => candidate.id).join(', ');
      return `unknown provider '${id}': known providers are ${known}; others must be registered with ProviderRegistry.register()`;
    }
    const found = this.discovered.get(id);
    if (entry.local) {
      const where = entry.local.defaultBaseUrl;
      if (found?.reachable === false) {
        return `provider '${id}' is not configured: no server answered at ${where}; start it, or set ${entry.local.variable} to where it runs`;
      }
      return `provider '${id}' is not configured: set ${entry.local.variable}, or run discovery with probing to find a server at ${where}`;
    }
    if (found?.error && (found.missing?.length ?? 0) === 0) return `provider '${id}' is not configured: ${found.error}`;
    const groups = found?.missing?.length ? entry.env.filter((group) => found.missing?.includes(group[0])) : entry.env;
    return `provider '${id}' is not configured: set ${describeRequirements(entry, groups)}`;
  }
}
