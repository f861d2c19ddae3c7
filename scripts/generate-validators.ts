/**
 * `npm run generate`: writes the ahead-of-time compiled JSON Schema validators (the mission schema,
 * the built-in step kinds' parameters). Run after editing one of those schemas.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs from dist/scripts/; the generated modules are source files under the root.
const dist = fileURLToPath(new URL('../', import.meta.url));
const root = path.resolve(dist, '..');

// The step kinds the generator reads import the compiled copies of the generated modules: reset
// those to empty ones first, so a broken or stale generated module cannot stop its own repair.
const emptyModule = 'export const validate = undefined;\nexport const generatedFrom = {};\n';
for (const file of ['engine/mission/generated/mission-schema-validator.js', 'engine/steps/generated/kind-check-validators.js', 'engine/steps/generated/kind-run-validators.js']) {
  mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
  writeFileSync(path.join(dist, file), emptyModule);
}

const { generatedModules } = await import('../engine/mission/validator-source.js');
for (const [file, source] of Object.entries(generatedModules())) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), source);
  console.log(`wrote ${file}`);
}
