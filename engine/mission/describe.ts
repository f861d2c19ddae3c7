/**
 * Human wording for validation messages: where a pointer is ("'timeout_seconds' in step
 * 'greet'") and what a value is ("the string \"30\"").
 */
import { pointerSegments } from './source-positions.js';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `step 'greet'`, or `step 3` when the step has no usable id. */
export function stepLabel(raw: unknown, index: number): string {
  const steps = isMap(raw) && Array.isArray(raw.steps) ? raw.steps : [];
  const step = steps[index];
  const id = isMap(step) ? step.id : undefined;
  return typeof id === 'string' && id !== '' ? `step '${id}'` : `step ${index + 1}`;
}

/** Where a pointer is, in words: `'timeout_seconds' in step 'greet'`, `'config.fail_fast'`, `the mission`. */
export function describeLocation(pointer: string, raw: unknown): string {
  const segments = pointerSegments(pointer);
  const dotted = (parts: string[]) => parts.map((part, position) =>
    /^\d+$/.test(part) ? `[${part}]` : `${position === 0 ? '' : '.'}${part}`).join('');
  if (segments[0] === 'steps' && segments.length >= 2 && /^\d+$/.test(segments[1])) {
    const step = stepLabel(raw, Number(segments[1]));
    return segments.length === 2 ? step : `'${dotted(segments.slice(2))}' in ${step}`;
  }
  return segments.length === 0 ? 'the mission' : `'${dotted(segments)}'`;
}

/** The container a pointer is in, in words (for "unknown property 'x' in …"). */
export function describeContainer(pointer: string, raw: unknown): string {
  const segments = pointerSegments(pointer);
  if (segments.length === 0) return 'the mission';
  if (segments[0] === 'steps' && segments.length === 2 && /^\d+$/.test(segments[1])) {
    return stepLabel(raw, Number(segments[1]));
  }
  return describeLocation(pointer, raw);
}

/** A value in words, short and without dumping large data. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a map';
}

/** The value at a pointer in a plain document. */
export function valueAt(document: unknown, pointer: string): unknown {
  let current = document;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isMap(current)) current = current[segment];
    else return undefined;
  }
  return current;
}
