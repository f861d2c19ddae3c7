/**
 * Recall and false-positive rate of every safety detector on the labelled corpus in
 * `test/safety/corpus/` (default policy: every rule on). A positive counts as found when a finding
 * of its rule covers the labelled value (for injection: when its rule fires); a false positive is a
 * negative item on which the rule fires. Run: `npx vite-node scripts/safety-metrics.ts [--json]`.
 */
import { readFileSync } from 'node:fs';
import { compileSafetyPolicy } from '../providers/layer/safety/policy.js';
import { findAll } from '../providers/layer/safety/scanner.js';

/** One corpus line. */
interface Item {
  id: string;
  family: 'pii' | 'secret' | 'injection';
  rule: string | null;
  value?: string;
  language?: string;
  text: string;
}

/** Figures for one rule or one family. */
export interface DetectorFigures {
  positives: number;
  found: number;
  recall: number;
  negatives: number;
  falsePositives: number;
  falsePositiveRate: number;
  /** Ids of missed positives and of negatives it fired on (for reading, not for tuning). */
  missed: string[];
  flagged: string[];
}

/** The whole measurement. */
export interface SafetyMetrics {
  rules: Record<string, DetectorFigures>;
  families: Record<string, DetectorFigures>;
  /** Injection recall per language. */
  injectionByLanguage: Record<string, { positives: number; found: number; recall: number }>;
}

const families = ['pii', 'secret', 'injection'] as const;

/** Reads corpus files: the main corpus (`pii`, `secret`, `injection`) or the held-out set (`holdout`). */
export function loadCorpus(files: string[] = [...families], directory = new URL('../test/safety/corpus/', import.meta.url)): Item[] {
  return files.flatMap((file) =>
    readFileSync(new URL(`${file}.jsonl`, directory), 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as Item),
  );
}

function figures(positives: number, found: number, negatives: number, falsePositives: number, missed: string[], flagged: string[]): DetectorFigures {
  return { positives, found, recall: positives ? found / positives : 1, negatives, falsePositives, falsePositiveRate: negatives ? falsePositives / negatives : 0, missed, flagged };
}

/** Measures every detector on the corpus. */
export function measure(items: Item[] = loadCorpus()): SafetyMetrics {
  const policy = compileSafetyPolicy({});
  const scanned = items.map((item) => ({ item, findings: findAll(policy, item.text, 'input') }));
  const negatives = scanned.filter(({ item }) => item.rule === null);
  const ruleIds = [...new Set(policy.rules.map((rule) => rule.detector.id))];
  const rules: Record<string, DetectorFigures> = {};
  for (const rule of ruleIds) {
    const positives = scanned.filter(({ item }) => item.rule === rule);
    const missed = positives
      .filter(({ item, findings }) => {
        const start = item.value === undefined ? -1 : item.text.indexOf(item.value);
        const end = start + (item.value?.length ?? 0);
        return !findings.some((finding) => finding.rule === rule && (start < 0 || (finding.start <= start && finding.end >= end)));
      })
      .map(({ item }) => item.id);
    const flagged = negatives.filter(({ findings }) => findings.some((finding) => finding.rule === rule)).map(({ item }) => item.id);
    rules[rule] = figures(positives.length, positives.length - missed.length, negatives.length, flagged.length, missed, flagged);
  }
  const familyFigures: Record<string, DetectorFigures> = {};
  for (const family of families) {
    const positives = scanned.filter(({ item }) => item.family === family && item.rule !== null);
    const familyNegatives = negatives.filter(({ item }) => item.family === family);
    const missed = positives
      .filter(({ item, findings }) => (family === 'injection' ? !findings.some((finding) => finding.category === 'injection') : !rules[item.rule!] || rules[item.rule!]!.missed.includes(item.id)))
      .map(({ item }) => item.id);
    const flagged = familyNegatives.filter(({ findings }) => findings.some((finding) => finding.category === family)).map(({ item }) => item.id);
    familyFigures[family] = figures(positives.length, positives.length - missed.length, familyNegatives.length, flagged.length, missed, flagged);
  }
  const injectionByLanguage: SafetyMetrics['injectionByLanguage'] = {};
  for (const { item, findings } of scanned) {
    if (item.family !== 'injection' || item.rule === null) continue;
    const entry = (injectionByLanguage[item.language ?? '?'] ??= { positives: 0, found: 0, recall: 0 });
    entry.positives++;
    if (findings.some((finding) => finding.category === 'injection')) entry.found++;
    entry.recall = entry.found / entry.positives;
  }
  return { rules, families: familyFigures, injectionByLanguage };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)} %`.padStart(8);

/** The table the script prints. */
export function formatMetrics(metrics: SafetyMetrics): string {
  const lines = ['rule                              positives  recall   FP/negatives  FP rate'];
  const row = (name: string, entry: DetectorFigures) => `${name.padEnd(34)}${String(entry.positives).padStart(9)} ${percent(entry.recall)}  ${`${entry.falsePositives}/${entry.negatives}`.padStart(12)} ${percent(entry.falsePositiveRate)}`;
  for (const [name, entry] of Object.entries(metrics.rules)) if (entry.positives > 0 || entry.falsePositives > 0) lines.push(row(name, entry));
  lines.push('', 'family (FP over the family\'s own hard negatives; injection recall counts any injection rule)');
  for (const [name, entry] of Object.entries(metrics.families)) lines.push(row(name, entry));
  lines.push('', 'injection recall by language');
  for (const [language, entry] of Object.entries(metrics.injectionByLanguage)) lines.push(`  ${language}  ${entry.found}/${entry.positives} ${percent(entry.recall)}`);
  return lines.join('\n');
}

// Run as a script, print; imported by the metrics test (under vitest), only export.
if (!process.env.VITEST) {
  const metrics = measure();
  const holdout = measure(loadCorpus(['holdout']));
  process.stdout.write(
    process.argv.includes('--json')
      ? `${JSON.stringify({ corpus: metrics, holdout }, null, 2)}\n`
      : `${formatMetrics(metrics)}\n\nHELD-OUT SET (never used to change the rules)\n${formatMetrics(holdout)}\n`,
  );
}
