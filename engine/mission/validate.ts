/**
 * Mission validation: the JSON Schema plus the semantic checks a schema cannot express. Returns
 * every problem at once, sorted by position, so one run of `mission validate` shows them all.
 */
import type { StepKindRegistry } from '../steps/registry.js';
import { graphIssues } from './graph.js';
import { kindIssues } from './kind-check.js';
import { routeIssues, type RouteCheckOptions } from './route-check.js';
import { safetyIssues, type MissionSafetyOptions } from './safety-check.js';
import { schemaIssues } from './schema-check.js';
import { templateIssues, type TemplateCheckOptions } from './template-check.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/** Options of {@link validateMission}. */
export interface ValidateOptions extends TemplateCheckOptions, RouteCheckOptions, MissionSafetyOptions {
  /** Safety checks the user allows to fail (`--allow-unsafe`): reported as warnings, not errors. */
  allowUnsafe?: Iterable<string>;
}

/** All validation issues of a loaded mission, sorted by line, then column. Empty means valid. */
export function validateMission(
  loaded: LoadedMission,
  registry: StepKindRegistry,
  options: ValidateOptions = {},
): ValidationIssue[] {
  const issues = [
    ...schemaIssues(loaded),
    ...graphIssues(loaded),
    ...kindIssues(loaded, registry),
    ...templateIssues(loaded, options),
    ...routeIssues(loaded, options),
    ...safetyIssues(loaded, options),
  ];
  const seen = new Set<string>();
  return issues
    .map(boundedIssue)
    .filter((issue) => {
      const key = `${issue.line}:${issue.column}:${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((left, right) => left.line - right.line || left.column - right.column);
}

/** Longest quoted value a message repeats from the file; a megabyte key or kind is cut to this. */
const maxQuotedLength = 200;

/** Longest message or hint; a longer one (a 5,000-step cycle) keeps its start and its end. */
const maxMessageLength = 1000;

/** Cuts every quoted run longer than {@link maxQuotedLength} in a message or hint, then the whole to {@link maxMessageLength}. */
function boundedText(text: string): string {
  if (text.length <= maxQuotedLength) return text;
  const quotesCut = text.replace(/(['"])([^'"]{200,})\1/g, (_match, quote: string, inner: string) => `${quote}${inner.slice(0, maxQuotedLength - 3)}...${quote}`);
  if (quotesCut.length <= maxMessageLength) return quotesCut;
  const omitted = quotesCut.length - 900;
  return `${quotesCut.slice(0, 600)} … (${omitted.toLocaleString('en-US')} characters) … ${quotesCut.slice(-300)}`;
}

function boundedIssue(issue: ValidationIssue): ValidationIssue {
  const message = boundedText(issue.message);
  const hint = issue.hint === undefined ? undefined : boundedText(issue.hint);
  return message === issue.message && hint === issue.hint ? issue : { ...issue, message, ...(hint === undefined ? {} : { hint }) };
}

/** `file:line:column: message`, with the hint on a second, indented line when there is one. */
export function formatIssue(issue: ValidationIssue): string {
  const head = `${issue.file}:${issue.line}:${issue.column}: ${issue.severity === 'warning' ? 'warning: ' : ''}${issue.message}`;
  return issue.hint ? `${head}\n  hint: ${issue.hint}` : head;
}

/** How many issues of one kind are printed before the rest are counted (`… and 99,999 more`). */
export const issuesShownPerKind = 5;

/**
 * What makes two issues "the same" for collapsing: the message with quoted names blanked out, so
 * 50,000 `unknown property 'k1'…'k50000'` warnings are one kind.
 */
function issueKind(issue: ValidationIssue): string {
  return `${issue.severity ?? 'error'}|${issue.message.replace(/'[^']*'/g, "'…'").replace(/\d+/g, '#')}`;
}

/**
 * Formats issues for a person: each as {@link formatIssue}, but past {@link issuesShownPerKind}
 * issues of one kind, a single line counts the rest (`file: … and 49,995 more like 'unknown
 * property …'`), so a hostile or generated file cannot flood the terminal.
 */
export function formatIssues(issues: readonly ValidationIssue[], shownPerKind = issuesShownPerKind): string[] {
  const counts = new Map<string, { shown: number; hidden: number; first: ValidationIssue }>();
  const lines: string[] = [];
  for (const issue of issues) {
    const kind = issueKind(issue);
    const count = counts.get(kind) ?? { shown: 0, hidden: 0, first: issue };
    counts.set(kind, count);
    if (count.shown < shownPerKind) {
      count.shown++;
      lines.push(formatIssue(issue));
    } else {
      count.hidden++;
    }
  }
  for (const { hidden, first } of counts.values()) {
    if (hidden === 0) continue;
    const label = first.severity === 'warning' ? 'warning: ' : '';
    lines.push(`${first.file}: ${label}… and ${hidden.toLocaleString('en-US')} more like "${first.message}"`);
  }
  return lines;
}

/** The issues that stop a mission from running (everything but warnings). */
export function errorsOf(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.filter((issue) => issue.severity !== 'warning');
}
