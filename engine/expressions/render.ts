/**
 * Renders `{{ }}` templates and legacy `{key}` substitutions in mission values, and evaluates
 * `if:` conditions.
 */
import { MissionError, MissionErrorCode } from '../errors.js';
import { evaluateExpression } from './jexl-engine.js';
import { expressionContext, type TemplateScope } from './scope.js';
import { hasTemplate, scanTemplate, soleExpression } from './template-scan.js';

const legacyPattern = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A value as text inside a larger string: objects as JSON, null/undefined as nothing. */
function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Replaces `{key}` only where `key` is in the legacy map, so braces in JSON or code that happen to
 * be in a string stay as they are.
 */
function substituteLegacy(text: string, legacy: Record<string, string> | undefined): string {
  if (!legacy || !text.includes('{')) return text;
  return text.replace(legacyPattern, (match, key: string) =>
    Object.prototype.hasOwnProperty.call(legacy, key) ? legacy[key] : match,
  );
}

/**
 * Renders one string: every `{{ expr }}` replaced by its value as text, legacy `{key}`s
 * substituted in the text between. Throws `MISSION_ERR_TEMPLATE` naming the expression.
 */
export function renderString(text: string, scope: TemplateScope): string {
  if (!hasTemplate(text)) return substituteLegacy(text, scope.legacy);
  const { parts, errors } = scanTemplate(text);
  if (errors.length > 0) {
    throw new MissionError(MissionErrorCode.template, `template error in "${excerpt(text)}": ${errors[0].message}`);
  }
  const context = expressionContext(scope);
  let rendered = '';
  for (const part of parts) {
    rendered += part.kind === 'text'
      ? substituteLegacy(part.text, scope.legacy)
      : stringify(evaluateExpression(part.expression, context));
  }
  return rendered;
}

/**
 * Renders a value deeply. A string that is exactly one `{{ expr }}` becomes the expression's raw
 * value (number, object, list…), so `count: "{{ vars.n }}"` stays a number; other strings render
 * to strings. Object keys are not rendered.
 */
export function renderValue(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') {
    const sole = soleExpression(value);
    return sole === undefined ? renderString(value, scope) : evaluateExpression(sole, expressionContext(scope));
  }
  if (Array.isArray(value)) return value.map((element) => renderValue(element, scope));
  if (value !== null && typeof value === 'object') {
    const rendered: Record<string, unknown> = {};
    for (const [key, element] of Object.entries(value)) rendered[key] = renderValue(element, scope);
    return rendered;
  }
  return value;
}

/**
 * The expression of an `if:` condition: `{{ expr }}` or a bare `expr`. Mixing text with
 * `{{ }}` is refused, because the result would be a string and always true (a GitHub Actions trap).
 * Returns undefined for that mixed form.
 */
export function conditionExpression(condition: string): string | undefined {
  const trimmed = condition.trim();
  if (!hasTemplate(trimmed)) return trimmed;
  return soleExpression(trimmed);
}

/** Evaluates an `if:` condition to a boolean (JavaScript truthiness of the expression's value). */
export function evaluateCondition(condition: string | boolean, scope: TemplateScope): boolean {
  if (typeof condition === 'boolean') return condition;
  const expression = conditionExpression(condition);
  if (expression === undefined) {
    throw new MissionError(
      MissionErrorCode.template,
      `condition "${excerpt(condition)}" must be one expression, written bare or as a single {{ }}`,
    );
  }
  if (expression === '') {
    throw new MissionError(MissionErrorCode.template, 'condition is empty');
  }
  return Boolean(evaluateExpression(expression, expressionContext(scope)));
}

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
