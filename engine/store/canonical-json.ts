/**
 * Canonical JSON (RFC 8785 style) and the hashes built on it. Two values that mean the same JSON
 * serialise to the same text, so a hash of the text identifies the value: object keys sorted by
 * UTF-16 code units, no whitespace, ECMAScript number formatting, `undefined` members omitted.
 */
import { hash } from 'node:crypto';
import { MissionError, MissionErrorCode } from '../errors.js';

/**
 * Serialises `value` as canonical JSON.
 *
 * Objects with a `toJSON` method (dates, coded errors) are serialised through it, as
 * `JSON.stringify` would. `undefined`, functions and symbols are omitted from objects and become
 * `null` in arrays, again as in `JSON.stringify`.
 *
 * @throws MissionError `MISSION_ERR_AUDIT_STORE` for non-finite numbers, bigints and cycles:
 *   they have no JSON form that would hash stably.
 */
export function canonicalJson(value: unknown): string {
  const text = serialise(value, [], []);
  if (text === undefined) {
    throw new MissionError(MissionErrorCode.auditStore, 'Cannot serialise a value that has no JSON form (undefined, a function or a symbol) as canonical JSON.');
  }
  return text;
}

/** Returns the SHA-256 of a string (UTF-8) as lowercase hex. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * `path` and `ancestors` are stacks pushed and popped around each member: this runs for every
 * appended event, and building a path string per member would cost more than the JSON itself.
 */
function serialise(value: unknown, path: Array<string | number>, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes exactly what RFC 8785 asks for (and lone surrogates as \uXXXX).
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new MissionError(MissionErrorCode.auditStore, `Cannot record the non-finite number ${String(value)} at ${describePath(path)}: JSON has no form for it. Convert it to a string or null first.`);
      }
      // ECMAScript number-to-string is the RFC 8785 number form; -0 becomes "0".
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new MissionError(MissionErrorCode.auditStore, `Cannot record the bigint at ${describePath(path)}: JSON has no form for it. Convert it to a string first.`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as object;
  const withToJson = object as { toJSON?: (key: string) => unknown };
  if (typeof withToJson.toJSON === 'function') {
    return serialise(withToJson.toJSON(String(path.at(-1) ?? '')), path, ancestors);
  }
  // Depth is small in practice, so a linear scan beats a Set's allocation per call.
  if (ancestors.includes(object)) {
    throw new MissionError(MissionErrorCode.auditStore, `Cannot record a value with a cycle at ${describePath(path)}.`);
  }
  ancestors.push(object);
  let text: string;
  if (Array.isArray(object)) {
    text = '[';
    for (let index = 0; index < object.length; index += 1) {
      if (index > 0) text += ',';
      path.push(index);
      text += serialise(object[index], path, ancestors) ?? 'null';
      path.pop();
    }
    text += ']';
  } else {
    const record = object as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
    const keys = Object.keys(record).sort();
    text = '{';
    for (const key of keys) {
      path.push(key);
      const member = serialise(record[key], path, ancestors);
      path.pop();
      if (member === undefined) continue;
      if (text.length > 1) text += ',';
      text += JSON.stringify(key) + ':' + member;
    }
    text += '}';
  }
  ancestors.pop();
  return text;
}

function describePath(path: Array<string | number>): string {
  if (path.length === 0) return 'the top level';
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return `"${text}"`;
}
