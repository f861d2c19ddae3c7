/**
 * A detector made of one bounded regular expression and an optional check of each match (a
 * checksum, a decoder). Most rules are this shape; the bound on every quantifier is what lets the
 * streaming scanner know how much text to hold back.
 */
import type { Detector, SafetyCategory, SafetyDirection } from '../types.js';

/** What {@link regexDetector} needs. */
export interface RegexDetectorSpec {
  id: string;
  category: SafetyCategory;
  reason: string;
  /** Must be global (`g`); every quantifier bounded so `maxLength` holds. */
  pattern: RegExp;
  maxLength: number;
  direction?: SafetyDirection;
  /** Which capture group is the sensitive span (default: the whole match). */
  group?: number;
  /** Accepts or rejects a candidate (the span's text, the whole text, the span's start). */
  accept?: (candidate: string, text: string, start: number) => boolean;
  /** A cheap pre-check: when the text cannot contain a match, the regex is not run. */
  mayMatch?: (text: string) => boolean;
  continuation?: Detector['continuation'];
}

/** A {@link Detector} from a regular expression. */
export function regexDetector(spec: RegexDetectorSpec): Detector {
  if (!spec.pattern.global) throw new Error(`detector ${spec.id}: pattern must be global`);
  return {
    id: spec.id,
    category: spec.category,
    reason: spec.reason,
    maxLength: spec.maxLength,
    direction: spec.direction ?? 'both',
    continuation: spec.continuation,
    find(text) {
      if (spec.mayMatch && !spec.mayMatch(text)) return [];
      const spans: Array<{ start: number; end: number }> = [];
      const pattern = new RegExp(spec.pattern.source, spec.pattern.flags.includes('d') || spec.group === undefined ? spec.pattern.flags : `${spec.pattern.flags}d`);
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
        if (match[0].length === 0) {
          pattern.lastIndex++;
          continue;
        }
        let start = match.index;
        let end = start + match[0].length;
        if (spec.group !== undefined) {
          const indices = match.indices?.[spec.group];
          if (!indices) continue;
          [start, end] = indices;
        }
        if (spec.accept && !spec.accept(text.slice(start, end), text, start)) continue;
        spans.push({ start, end });
      }
      return spans;
    },
  };
}
