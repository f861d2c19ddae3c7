/**
 * Splits a string into literal text and `{{ expression }}` parts. The scan honours quotes inside
 * an expression, so `{{ '}}' }}` is one expression — which is also how a literal `{{` is written.
 */

/** A piece of a scanned string. */
export type TemplatePart =
  | { kind: 'text'; text: string; offset: number }
  | { kind: 'expression'; expression: string; offset: number; length: number };

/** The parts of a string, plus any structural error (an unclosed or empty `{{ }}`). */
export interface ScannedTemplate {
  parts: TemplatePart[];
  errors: Array<{ message: string; offset: number }>;
}

/** True when the string contains at least one `{{`. */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** Offset of the `}}` closing an expression whose text starts at `start` (after `{{`), or -1. */
export function findClose(text: string, start: number): number {
  let quote: string | undefined;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (quote) {
      if (character === '\\') index++;
      else if (character === quote) quote = undefined;
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '}' && text[index + 1] === '}') {
      return index;
    }
  }
  return -1;
}

/** Splits `text` into literal and expression parts (offsets are into `text`). */
export function scanTemplate(text: string): ScannedTemplate {
  const parts: TemplatePart[] = [];
  const errors: ScannedTemplate['errors'] = [];
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('{{', position);
    if (open < 0) break;
    const close = findClose(text, open + 2);
    if (close < 0) {
      errors.push({ message: 'unclosed `{{` (no matching `}}`)', offset: open });
      break;
    }
    if (open > position) parts.push({ kind: 'text', text: text.slice(position, open), offset: position });
    const expression = text.slice(open + 2, close).trim();
    if (expression === '') errors.push({ message: 'empty `{{ }}`', offset: open });
    else parts.push({ kind: 'expression', expression, offset: open, length: close + 2 - open });
    position = close + 2;
  }
  if (position < text.length) parts.push({ kind: 'text', text: text.slice(position), offset: position });
  return { parts, errors };
}

/**
 * The expression when the whole string is exactly one `{{ expr }}` (no text around it, not even
 * whitespace — so a block scalar's trailing newline keeps it a string), else undefined.
 */
export function soleExpression(text: string): string | undefined {
  if (!text.startsWith('{{')) return undefined;
  const { parts, errors } = scanTemplate(text);
  if (errors.length > 0 || parts.length !== 1) return undefined;
  const [part] = parts;
  return part.kind === 'expression' && part.length === text.length ? part.expression : undefined;
}
