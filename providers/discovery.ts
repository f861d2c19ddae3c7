/**
 * Provider discovery: which of the seven providers can be used here. Keyed providers register
 * from their environment variables (RustChain's names); local servers (Ollama, Shimmy) are found by
 * a fast probe of their model-list endpoints. With probing on, keyed providers' model lists are
 * fetched too, concurrently and under a timeout, to tell reachable from configured. Discovery
 * never throws for a provider that fails; it reports it.
 */
import { LlmError, LlmErrorCode } from './errors.js';
import { catalogEntry, isSet, missingVariables, providerCatalog, secretValues, type Environment, type ProviderCatalogEntry } from './discovery-catalog.js';
import { ProviderRegistry, summarise, type DiscoveredProvider, type DiscoveredProviderSummary } from './discovery-registry.js';
import type { ProviderAdapter } from './types.js';

export { defaultModels, providerCatalog, type Environment } from './discovery-catalog.js';
export { ProviderRegistry, type DiscoveredProvider, type DiscoveredProviderSummary, type ResolvedModel } from './discovery-registry.js';

/** Options of {@link discoverProviders}. */
export interface DiscoveryOptions {
  /** Probe local servers and list keyed providers' models. Default false: no network at all. */
  probe?: boolean;
  /**
   * With `probe`, whether keyed providers' model lists are fetched too. Default: the value of
   * `probe`. A run that only needs local servers found can turn it off and skip remote calls.
   */
  probeKeyed?: boolean;
  /** Deadline of each local-server probe, in milliseconds. Default 300. */
  probeTimeoutMs?: number;
  /** Deadline of each keyed provider's model listing, in milliseconds. Default 5000 (a real API is farther than localhost). */
  listModelsTimeoutMs?: number;
  /** Cancels every probe. */
  signal?: AbortSignal;
}

/** What discovery found: one entry per known provider, and a registry of the usable ones. */
export interface DiscoveryResult {
  providers: DiscoveredProvider[];
  registry: ProviderRegistry;
  /** Secret-free summaries (adapters left out), for `mission providers` output and logs. */
  toJSON(): DiscoveredProviderSummary[];
}

/** Default deadline of a local probe. */
export const defaultProbeTimeoutMs = 300;
/** Default deadline of a keyed provider's model listing. */
export const defaultListModelsTimeoutMs = 5000;

/**
 * The variables that configure a provider (one per requirement; where alternatives exist, e.g.
 * `GEMINI_API_KEY` or `GOOGLE_API_KEY`, the first). Local providers list the variable that points
 * at their server, which is optional when the server runs at its default address.
 */
export function requiredEnvFor(providerId: string): string[] {
  const entry = catalogEntry(providerId);
  if (!entry) {
    throw new LlmError(LlmErrorCode.notConfigured, `unknown provider '${providerId}': known providers are ${providerCatalog.map((known) => known.id).join(', ')}`);
  }
  return entry.env.map((group) => group[0]);
}

/** Finds the usable providers. Resolves even when every provider fails; each failure is reported. */
export async function discoverProviders(env: Environment, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const secrets = secretValues(env);
  const settings = {
    probe: options.probe ?? false,
    probeKeyed: (options.probe ?? false) && (options.probeKeyed ?? true),
    probeTimeoutMs: options.probeTimeoutMs ?? defaultProbeTimeoutMs,
    listModelsTimeoutMs: options.listModelsTimeoutMs ?? defaultListModelsTimeoutMs,
    signal: options.signal,
    scrub: (text: string): string => secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text),
  };
  const providers = await Promise.all(
    providerCatalog.map((entry) => (entry.kind === 'local' ? discoverLocal(entry, env, settings) : discoverKeyed(entry, env, settings))),
  );
  const registry = new ProviderRegistry(providers);
  return { providers, registry, toJSON: () => providers.map(summarise) };
}

interface Settings {
  probe: boolean;
  probeKeyed: boolean;
  probeTimeoutMs: number;
  listModelsTimeoutMs: number;
  signal?: AbortSignal;
  scrub(text: string): string;
}

async function discoverKeyed(entry: ProviderCatalogEntry, env: Environment, settings: Settings): Promise<DiscoveredProvider> {
  let adapter: ProviderAdapter | undefined;
  try {
    adapter = entry.fromEnv(env);
  } catch (error) {
    return { id: entry.id, configured: false, source: 'env', missing: missingVariables(entry, env), error: settings.scrub(messageOf(error)) };
  }
  if (!adapter) return { id: entry.id, configured: false, source: 'env', missing: missingVariables(entry, env) };
  const found: DiscoveredProvider = withAdapter({ id: entry.id, configured: true, source: 'env', defaultModel: entry.defaultModel(env) }, adapter);
  if (settings.probeKeyed && adapter.listModels) {
    Object.assign(found, await listWithin(adapter, settings.listModelsTimeoutMs, settings));
  }
  return found;
}

async function discoverLocal(entry: ProviderCatalogEntry, env: Environment, settings: Settings): Promise<DiscoveredProvider> {
  const variable = entry.local?.variable ?? entry.env[0][0];
  const explicit = isSet(env, variable);
  // `probe` when probing decided (found it, or looked and found nothing); `env` when the variable did.
  const source = settings.probe ? 'probe' : 'env';
  let adapter: ProviderAdapter | undefined;
  try {
    adapter = entry.fromEnv(env);
  } catch (error) {
    return { id: entry.id, configured: false, source, missing: explicit ? [] : [variable], error: settings.scrub(messageOf(error)) };
  }
  if (!adapter) return { id: entry.id, configured: false, source, missing: [variable] };
  if (!settings.probe) {
    // Without a probe only an explicit address counts; a default address is a guess.
    return explicit
      ? withAdapter({ id: entry.id, configured: true, source, defaultModel: entry.defaultModel(env) }, adapter)
      : { id: entry.id, configured: false, source, missing: [variable] };
  }
  const probed = adapter.listModels
    ? await listWithin(adapter, settings.probeTimeoutMs, settings)
    : { reachable: false, error: 'the adapter cannot list models, so it cannot be probed' };
  // An explicit address stays configured when down: calls then fail with a connection error that names it.
  const configured = probed.reachable || explicit;
  if (!configured) return { id: entry.id, configured: false, source, ...probed, missing: [variable] };
  return withAdapter(
    { id: entry.id, configured: true, source: probed.reachable ? 'probe' : 'env', ...probed, defaultModel: localDefaultModel(entry, env, probed.models) },
    adapter,
  );
}

/** The default model, unless the server listed models and the default is not among them. */
function localDefaultModel(entry: ProviderCatalogEntry, env: Environment, models: string[] | undefined): string | undefined {
  const preferred = entry.defaultModel(env);
  if (!models || models.length === 0) return preferred;
  if (preferred && models.some((model) => model === preferred || model === `${preferred}:latest`)) return preferred;
  return models[0];
}

/** Lists models under a deadline; never throws. */
async function listWithin(
  adapter: ProviderAdapter,
  timeoutMs: number,
  settings: Settings,
): Promise<{ reachable: boolean; models?: string[]; error?: string }> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(settings.signal?.reason);
  if (settings.signal?.aborted) controller.abort(settings.signal.reason);
  else settings.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  // The race guarantees the deadline even if an adapter ignores its signal.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new LlmError(LlmErrorCode.timeout, `no answer within ${timeoutMs} ms`, { isRetryable: true }));
    }, timeoutMs);
  });
  try {
    const models = await Promise.race([adapter.listModels!({ signal: controller.signal }), deadline]);
    return { reachable: true, models };
  } catch (error) {
    return { reachable: false, error: settings.scrub(messageOf(error)) };
  } finally {
    clearTimeout(timer);
    settings.signal?.removeEventListener('abort', onAbort);
  }
}

/** Attaches the adapter as a non-enumerable property, so JSON and spreads never carry it. */
function withAdapter(provider: DiscoveredProvider, adapter: ProviderAdapter): DiscoveredProvider {
  return Object.defineProperty(provider, 'adapter', { value: adapter, enumerable: false, writable: false, configurable: false });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
