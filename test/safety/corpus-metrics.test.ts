/**
 * The measured figures, held to thresholds: on the labelled corpus, recall ≥ 99 % and false
 * positives ≤ 1 % for every personal-data and secret rule; injection held to what the rules reach
 * today so a regression shows. The held-out set (never used to change the rules) is held to the
 * same personal-data and secret goals, and to a floor for injection.
 */
import { describe, expect, it } from 'vitest';
import { loadCorpus, measure } from '../../scripts/safety-metrics.js';

const corpus = measure();
const holdout = measure(loadCorpus(['holdout']));

describe('safety corpus', () => {
  it('is a few hundred items per family, positives and hard negatives', () => {
    for (const family of ['pii', 'secret', 'injection'] as const) {
      expect(corpus.families[family]!.positives, family).toBeGreaterThanOrEqual(250);
      expect(corpus.families[family]!.negatives, family).toBeGreaterThanOrEqual(300);
    }
    expect(Object.keys(corpus.injectionByLanguage).length).toBeGreaterThanOrEqual(8);
  });

  it.each(Object.entries(corpus.rules).filter(([rule]) => rule.startsWith('pii.') || rule.startsWith('secret.')))('%s: recall ≥ 99 %, false positives ≤ 1 %', (rule, figures) => {
    expect(figures.positives, `${rule} has positives in the corpus`).toBeGreaterThan(0);
    expect(figures.recall, `missed: ${figures.missed.join(', ')}`).toBeGreaterThanOrEqual(0.99);
    expect(figures.falsePositiveRate, `fired on: ${figures.flagged.join(', ')}`).toBeLessThanOrEqual(0.01);
  });

  it('personal data and secrets as families: recall ≥ 99 %, false positives ≤ 1 % on their hard negatives', () => {
    for (const family of ['pii', 'secret']) {
      expect(corpus.families[family]!.recall, family).toBeGreaterThanOrEqual(0.99);
      expect(corpus.families[family]!.falsePositiveRate, family).toBeLessThanOrEqual(0.01);
    }
  });

  it('injection: recall ≥ 97 % and false positives ≤ 3 % (what the rules reach: 99.6 % and 1.9 %)', () => {
    expect(corpus.families.injection!.recall).toBeGreaterThanOrEqual(0.97);
    expect(corpus.families.injection!.falsePositiveRate).toBeLessThanOrEqual(0.03);
    for (const [language, entry] of Object.entries(corpus.injectionByLanguage)) expect(entry.recall, language).toBeGreaterThanOrEqual(0.9);
  });

  it('held-out set: personal data and secrets keep recall ≥ 99 % and false positives ≤ 1 %; injection stays above its floor', () => {
    for (const family of ['pii', 'secret']) {
      expect(holdout.families[family]!.recall, family).toBeGreaterThanOrEqual(0.99);
      expect(holdout.families[family]!.falsePositiveRate, family).toBeLessThanOrEqual(0.01);
    }
    expect(holdout.families.injection!.recall).toBeGreaterThanOrEqual(0.6);
    expect(holdout.families.injection!.falsePositiveRate).toBeLessThanOrEqual(0.1);
  });
});
