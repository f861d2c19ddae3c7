/**
 * `mission providers`: which LLM providers are configured, their models, whether they answer, and
 * for each target the configuration names: circuit state, latency, error rate and rate limits.
 */
import type { Command } from 'commander';
import { discoverProviders } from '../../providers/discovery.js';
import type { DiscoveredProviderSummary } from '../../providers/discovery-registry.js';
import { closePools } from '../../providers/http.js';
import { mergeLlmConfig } from '../../providers/layer/config/merge-config.js';
import { createLlm } from '../../providers/layer/create-llm.js';
import { createRateLimiter } from '../../providers/layer/rate-limit/rate-limiter.js';
import { wholeNumber } from './option-parsers.js';
import { configOptionFlags, configOptionHelp, loadProjectConfigOrExit } from './project-config-option.js';
import { describeTarget, targetReports } from './providers-health.js';

/** Registers `providers`. */
export function registerProvidersCommand(program: Command): void {
  program
    .command('providers')
    .description('list the LLM providers found in the environment and on this machine, and the health of each configured target')
    .option('--json', 'print JSON: {providers, targets}')
    .option('--timeout <ms>', 'how long to wait for each provider to answer, in milliseconds', wholeNumber({ min: 1, max: 600_000 }), 3000)
    .option(configOptionFlags, configOptionHelp)
    .action(async (options: { json?: boolean; timeout: number; config?: string }) => {
      const timeout = options.timeout;
      const project = await loadProjectConfigOrExit(options.config);
      const discovery = await discoverProviders(process.env, { probe: true, probeTimeoutMs: Math.min(timeout, 1000), listModelsTimeoutMs: timeout });
      await closePools();
      const providers = discovery.toJSON();
      // The layer as a run would build it: its health and the limiter's state (this process's view).
      const config = mergeLlmConfig(project.llm);
      const rateLimiter = createRateLimiter({ limits: config.limits });
      const llm = createLlm({ config, providers: discovery.registry, rateLimiter });
      const targets = targetReports(config, providers, llm.health());
      llm.close();
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ providers, targets })}\n`);
        return;
      }
      for (const provider of providers) {
        const state = describeState(provider);
        const models = provider.models?.length ? `  models: ${provider.models.slice(0, 8).join(', ')}${provider.models.length > 8 ? ', …' : ''}` : '';
        process.stdout.write(`${provider.id.padEnd(10)} ${state}${provider.defaultModel && provider.configured ? `  default model: ${provider.defaultModel}` : ''}${models}\n`);
      }
      if (targets.length > 0) {
        process.stdout.write('\ntargets:\n');
        for (const target of targets) process.stdout.write(`  ${describeTarget(target)}\n`);
      }
    });
}

/** One line of state: ready, configured but silent, not found where looked for, or not configured. */
function describeState(provider: DiscoveredProviderSummary): string {
  const missing = (provider.missing ?? []).join(' and ');
  if (!provider.configured) {
    // A local server that was probed for and not found: say where it was looked for.
    if (provider.source === 'probe') return `not found — ${provider.error ?? 'no answer'}; start it, or set ${missing}`;
    return `not configured — set ${missing}`;
  }
  return provider.reachable === false ? `configured, not answering (${provider.error ?? 'no answer'})` : 'ready';
}
