/**
 * Writes the labelled safety corpus (`pii.jsonl`, `secret.jsonl`, `injection.jsonl`, and the held-out `holdout.jsonl`) from the
 * seeded generators beside it, so the corpus is reviewable as data and reproducible as code:
 * `npx vite-node test/safety/corpus/generate.ts`.
 */
import { writeFileSync } from 'node:fs';
import { holdoutItems } from './holdout-items.js';
import { injectionItems } from './injection-items.js';
import { piiItems } from './pii-items.js';
import { seeded } from './random.js';
import { secretItems } from './secret-items.js';

const families = { pii: piiItems(seeded(1201)), secret: secretItems(seeded(1202)), injection: injectionItems(seeded(1203)), holdout: holdoutItems() };
for (const [family, items] of Object.entries(families)) {
  writeFileSync(new URL(`./${family}.jsonl`, import.meta.url), `${items.map((item) => JSON.stringify(item)).join('\n')}\n`);
  const positives = items.filter((item) => item.rule !== null).length;
  process.stdout.write(`${family}: ${positives} positives, ${items.length - positives} negatives\n`);
}
