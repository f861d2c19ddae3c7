/**
 * `mission kinds`: the step kinds missions can use (with `--json`, their parameter schemas).
 */
import type { Command } from 'commander';
import { builtinStepKindNames, loadBuiltinStepKinds } from '../steps/builtin-loader.js';
import { unsupportedRustchainKinds } from '../steps/registry.js';

/** Registers `kinds`. */
export function register(program: Command): void {
  program
    .command('kinds')
    .description('list the step kinds missions can use, and the RustChain kinds not supported yet')
    .option('--json', 'print JSON (each kind with its parameter schema)')
    .action(async (options: { json?: boolean }) => {
      const kinds = (await loadBuiltinStepKinds(builtinStepKindNames)).sort((left, right) => left.name.localeCompare(right.name));
      const unsupported = [...unsupportedRustchainKinds].sort();
      if (options.json) {
        const supported = kinds.map((kind) => ({ name: kind.name, description: kind.description, parameters: kind.parameters }));
        process.stdout.write(`${JSON.stringify({ kinds: supported, unsupported })}\n`);
        return;
      }
      for (const kind of kinds) process.stdout.write(`${kind.name.padEnd(16)} ${capitalized(kind.description)}\n`);
      process.stdout.write(`\nRustChain kinds not supported yet: ${unsupported.join(', ')}\n`);
    });
}

/** Descriptions are written as sentence fragments; a listing reads better with capitals. */
function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
