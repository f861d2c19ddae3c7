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
    .filter((issue) => {
      const key = `${issue.line}:${issue.column}:${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((left, right) => left.line - right.line || left.column - right.column);
}

/** `file:line:column: message`, with the hint on a second, indented line when there is one. */
export function formatIssue(issue: ValidationIssue): string {
  const head = `${issue.file}:${issue.line}:${issue.column}: ${issue.severity === 'warning' ? 'warning: ' : ''}${issue.message}`;
  return issue.hint ? `${head}\n  hint: ${issue.hint}` : head;
}

/** The issues that stop a mission from running (everything but warnings). */
export function errorsOf(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.filter((issue) => issue.severity !== 'warning');
}
