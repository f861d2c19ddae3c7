/**
 * Credentials by value: debug logs show rendered parameters, and a template may have put a token
 * from the environment into one (`Authorization: "Bearer {{ env.API_TOKEN }}"`). Field-name
 * redaction cannot catch that, so the values themselves are found and blanked out.
 */

/** Environment variable names that hold credentials. */
const secretName = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|SESSION|COOKIE|PRIVATE/i;

/** Shorter values are not scrubbed: blanking `1` or `true` everywhere would wreck the log, not protect it. */
const minimumSecretLength = 6;

/** The values of credential-like environment variables, longest first (so a value containing another is blanked whole). */
export function secretValuesOf(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= minimumSecretLength && secretName.test(name)) values.add(value);
  }
  return [...values].sort((left, right) => right.length - left.length);
}

/** `text` with every occurrence of each secret replaced by `[redacted]`. */
export function withoutSecretValues(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join('[redacted]');
  return scrubbed;
}
