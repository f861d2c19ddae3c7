/**
 * Generates `providers/pricing/price-table.generated.ts` from a LiteLLM
 * `model_prices_and_context_window.json` (MIT licence, BerriAI/litellm). Same input, same bytes.
 *
 * Usage: `npx vite-node scripts/generate-price-table.ts <input.json> [output.ts]`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildPriceTable, renderPriceTable } from './price-table-builder.js';

// vite-node passes only the arguments after the script path.
const [input, output = fileURLToPath(new URL('../providers/pricing/price-table.generated.ts', import.meta.url))] = process.argv.slice(2);
if (!input) {
  console.error('usage: generate-price-table <model_prices_and_context_window.json> [output.ts]');
  process.exit(2);
}
const table = buildPriceTable(JSON.parse(readFileSync(input, 'utf8')));
writeFileSync(output, renderPriceTable(table));
console.log(`${Object.keys(table.models).length} models, version ${table.version} -> ${output}`);
