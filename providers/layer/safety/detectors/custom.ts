/**
 * Detectors the configuration defines: `custom.<name>` from a regular expression or a keyword
 * list, `topic.<name>` from a blocked topic's keywords, and `topic.off_topic` for input that
 * mentions none of the allowed topics.
 */
import { SafetyConfigError } from '../errors.js';
import type { Detector, SafetyCategory } from '../types.js';
import { regexDetector } from './regex-detector.js';

/** Longest custom pattern source accepted. */
const maxPatternSource = 1000;
/** Most keywords one rule may list. */
const maxKeywords = 5000;

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A whole-word, case-insensitive matcher for a list of words or phrases. */
export function keywordPattern(keywords: string[], pointer: string): RegExp {
  if (keywords.length === 0) throw new SafetyConfigError(pointer, 'needs at least one keyword');
  if (keywords.length > maxKeywords) throw new SafetyConfigError(pointer, `lists ${keywords.length} keywords; at most ${maxKeywords}`);
  const alternatives = keywords
    .map((keyword) => keyword.trim())
    .filter((keyword) => keyword.length > 0)
    .sort((left, right) => right.length - left.length)
    .map((keyword) => escapeRegex(keyword).replace(/\s+/g, '\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
}

/**
 * Compiles a user's regular expression, refusing the shapes that backtrack catastrophically
 * (a quantified group that itself ends in a quantifier, e.g. `(a+)+`, `(\w*)*`) and patterns that
 * match the empty string.
 */
export function customPattern(source: string, flags: string | undefined, pointer: string): RegExp {
  if (source.length > maxPatternSource) throw new SafetyConfigError(pointer, `pattern is ${source.length} characters long; at most ${maxPatternSource}`);
  if (flags !== undefined && !/^[imsu]*$/.test(flags)) throw new SafetyConfigError(`${pointer.replace(/\/pattern$/, '')}/flags`, `flags may only be i, m, s or u (got '${flags}')`);
  if (/\((?:[^()\\]|\\.)*[+*}]\)[+*{]/.test(source)) {
    throw new SafetyConfigError(pointer, 'pattern has a quantified group ending in a quantifier (like (a+)+), which can take exponential time; rewrite it without the nesting');
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, `${flags ?? ''}g`);
  } catch (error) {
    throw new SafetyConfigError(pointer, `not a valid regular expression: ${(error as Error).message}`);
  }
  if (pattern.test('')) throw new SafetyConfigError(pointer, 'pattern matches the empty string');
  pattern.lastIndex = 0;
  return pattern;
}

/** A detector from a pattern or keywords. */
export function configuredDetector(id: string, category: SafetyCategory, reason: string, pattern: RegExp, maxLength: number): Detector {
  return regexDetector({ id, category, reason, pattern, maxLength });
}

/** `topic.off_topic`: the text mentions none of the allowed topics' keywords. */
export function offTopicDetector(allowed: Record<string, string[]>, pointer: string): Detector {
  const pattern = keywordPattern(Object.values(allowed).flat(), pointer);
  return {
    id: 'topic.off_topic',
    category: 'topic',
    reason: `the text is about none of the allowed topics (${Object.keys(allowed).join(', ')})`,
    maxLength: 0,
    direction: 'input',
    find(text) {
      pattern.lastIndex = 0;
      if (text.trim().length === 0 || pattern.test(text)) return [];
      return [{ start: 0, end: text.length }];
    },
  };
}
