/**
 * Scrubbing credentials out of text by value: servers echo keys, steps echo environment
 * variables, and messages reach logs, the audit store and terminals. Also which environment
 * variable names hold credentials, and a size bound for messages that never splits a character.
 */

/** What a scrubbed secret is replaced with. */
export const secretMask = '[redacted]';

/** Shortest value {@link scrubSecrets} replaces: shorter ones would mangle ordinary words. */
export const minimumSecretLength = 4;

/** Shortest environment value treated as a credential when collected by name. */
export const minimumCredentialValueLength = 8;

/** Provider and engine credentials named outright (besides what {@link isCredentialName}'s patterns catch). */
export const knownCredentialNames: readonly string[] = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
  'MISSION_AUDIT_KEY',
];

/**
 * Name patterns of credential variables: `*_API_KEY` and any `*_KEY` word, `*_TOKEN` (as a word:
 * `TOKENIZERS_PARALLELISM` is not one), `*SECRET*`, `*PASSWORD*`/`*PASSWD*`, `*CREDENTIAL*`.
 */
const credentialNamePattern = /(^|_)(API_?)?KEY(_|$)|(^|_)TOKEN(_|$)|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

/** Whether an environment variable's name says it holds a credential. */
export function isCredentialName(name: string): boolean {
  return knownCredentialNames.includes(name.toUpperCase()) || credentialNamePattern.test(name);
}

/**
 * The values of credential variables in `env` (by {@link isCredentialName}, at least
 * {@link minimumCredentialValueLength} characters, surrounding whitespace ignored), longest first
 * so a secret containing another is masked whole.
 */
export function credentialValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string' || !isCredentialName(name)) continue;
    const trimmed = value.trim();
    if (trimmed.length >= minimumCredentialValueLength) values.add(trimmed);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every secret (of at least {@link minimumSecretLength} characters) replaced by
 * {@link secretMask}. Secrets are also matched in their JSON-escaped and URL-encoded spellings,
 * since messages carry values inside JSON and URLs.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < minimumSecretLength) continue;
    for (const spelling of spellingsOf(secret)) if (result.includes(spelling)) result = result.split(spelling).join(secretMask);
  }
  return result;
}

function spellingsOf(secret: string): string[] {
  const spellings = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  return [...spellings];
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, never inside a character (nor between the
 * halves of a surrogate pair), and says how much was cut.
 */
export function boundText(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const total = Buffer.byteLength(text);
  const note = (kept: number): string => ` … [cut: ${total - kept} of ${total} bytes]`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(note(maxBytes)));
  let kept = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (kept + size > budget) break;
    kept += size;
    end += character.length;
  }
  return text.slice(0, end) + note(kept);
}
