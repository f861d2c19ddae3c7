/**
 * `mission providers`: which LLM providers are configured, their models, and whether they answer.
 */
import type { Command } from 'commander';
import { discoverProviders } from '../../providers/discovery.js';
import { closePools } from '../../providers/http.js';

/** Registers `providers`. */
export function registerProvidersCommand(program: Command): void {
  program
    .command('providers')
    .description('list the LLM providers found in the environment and on this machine')
    .option('--json', 'print JSON')
    .option('--timeout <ms>', 'how long to wait for each provider to answer', '3000')
    .action(async (options: { json?: boolean; timeout: string }) => {
      const timeout = Number(options.timeout);
      const discovery = await discoverProviders(process.env, { probe: true, probeTimeoutMs: Math.min(timeout, 1000), listModelsTimeoutMs: timeout });
      await closePools();
      const providers = discovery.toJSON();
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ providers })}\n`);
        return;
      }
      for (const provider of providers) {
        const state = !provider.configured
          ? `not configured — set ${(provider.missing ?? []).join(' and ')}`
          : provider.reachable === false
            ? `configured, not answering (${provider.error ?? 'no answer'})`
            : 'ready';
        const models = provider.models?.length ? `  models: ${provider.models.slice(0, 8).join(', ')}${provider.models.length > 8 ? ', …' : ''}` : '';
        process.stdout.write(`${provider.id.padEnd(10)} ${state}${provider.defaultModel && provider.configured ? `  default model: ${provider.defaultModel}` : ''}${models}\n`);
      }
    });
}
