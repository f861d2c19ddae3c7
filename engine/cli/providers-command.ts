/**
 * `mission providers`: which LLM providers are configured, their models, and whether they answer.
 */
import type { Command } from 'commander';
import { discoverProviders } from '../../providers/discovery.js';
import type { DiscoveredProviderSummary } from '../../providers/discovery-registry.js';
import { closePools } from '../../providers/http.js';
import { wholeNumber } from './option-parsers.js';

/** Registers `providers`. */
export function registerProvidersCommand(program: Command): void {
  program
    .command('providers')
    .description('list the LLM providers found in the environment and on this machine')
    .option('--json', 'print JSON')
    .option('--timeout <ms>', 'how long to wait for each provider to answer, in milliseconds', wholeNumber({ min: 1, max: 600_000 }), 3000)
    .action(async (options: { json?: boolean; timeout: number }) => {
      const timeout = options.timeout;
      const discovery = await discoverProviders(process.env, { probe: true, probeTimeoutMs: Math.min(timeout, 1000), listModelsTimeoutMs: timeout });
      await closePools();
      const providers = discovery.toJSON();
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ providers })}\n`);
        return;
      }
      for (const provider of providers) {
        const state = describeState(provider);
        const models = provider.models?.length ? `  models: ${provider.models.slice(0, 8).join(', ')}${provider.models.length > 8 ? ', …' : ''}` : '';
        process.stdout.write(`${provider.id.padEnd(10)} ${state}${provider.defaultModel && provider.configured ? `  default model: ${provider.defaultModel}` : ''}${models}\n`);
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
