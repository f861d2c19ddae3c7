/**
 * Keeps credential values out of everything a run lets leave: step errors, audit rows, results,
 * CLI output and logs. The values are collected once from the run's environment (by variable
 * name, see `isCredentialName`) and replaced wherever they appear — whichever step echoed them.
 */
import { boundText, credentialValues, scrubSecrets } from '../providers/secret-scrub.js';

/** Largest error message recorded or shown, in UTF-8 bytes; longer ones are cut with a note. */
export const maxMessageBytes = 2048;

/** Deeper than this, a value is scrubbed through its JSON text rather than walked. */
const maxWalkDepth = 64;

/** Scrubs one environment's credential values out of text and values. */
export interface CredentialScrubber {
  /** The values masked, longest first. */
  readonly secrets: readonly string[];
  /** `text` with every credential value masked. */
  text(text: string): string;
  /** A step error message: masked, then bounded to {@link maxMessageBytes}. */
  message(text: string): string;
  /** A copy of `value` with every string in it masked (the value itself when nothing matched). */
  value<T>(value: T): T;
}

function scrubDeep(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > maxWalkDepth) {
    try {
      return JSON.parse(scrubSecrets(JSON.stringify(value), secrets)) as unknown;
    } catch {
      return value; // No JSON form: the audit store refuses it with its own error.
    }
  }
  if (Array.isArray(value)) {
    let changed = false;
    const copy = value.map((element) => {
      const scrubbed = scrubDeep(element, secrets, depth + 1);
      if (scrubbed !== element) changed = true;
      return scrubbed;
    });
    return changed ? copy : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  let changed = false;
  const copy: Record<string, unknown> = {};
  for (const [key, element] of Object.entries(value)) {
    const scrubbed = scrubDeep(element, secrets, depth + 1);
    if (scrubbed !== element) changed = true;
    copy[key] = scrubbed;
  }
  return changed ? copy : value;
}

/** Builds a scrubber for the credential values in `env`. */
export function createCredentialScrubber(env: Readonly<Record<string, string | undefined>>): CredentialScrubber {
  const secrets = credentialValues(env);
  return {
    secrets,
    text: (text) => (secrets.length === 0 ? text : scrubSecrets(text, secrets)),
    message: (text) => boundText(secrets.length === 0 ? text : scrubSecrets(text, secrets), maxMessageBytes),
    value: <T>(value: T): T => (secrets.length === 0 ? value : (scrubDeep(value, secrets, 0) as T)),
  };
}
