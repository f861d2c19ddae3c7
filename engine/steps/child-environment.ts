/**
 * The environment a `command` step's process gets: the mission's environment minus every
 * credential (provider keys, AWS secrets, the audit key, anything named like a key, token, secret
 * or password), so `command: env` cannot print them. A step passes one on purpose by naming it in
 * `inherit_env`; values it sets in `env` are passed as given.
 */
import { isCredentialName } from '../../providers/secret-scrub.js';

/** What the step asked for. */
export interface ChildEnvironmentRequest {
  /** Credential variables to pass through anyway, by exact name. */
  inherit?: readonly string[];
  /** Variables set explicitly by the step (win over inherited ones). */
  explicit?: Readonly<Record<string, string>>;
}

/** Builds the child's environment from the mission's `env`. */
export function childEnvironment(env: Readonly<Record<string, string | undefined>>, request: ChildEnvironmentRequest = {}): Record<string, string> {
  const inherit = new Set(request.inherit ?? []);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isCredentialName(name) && !inherit.has(name)) continue;
    result[name] = value;
  }
  for (const [name, value] of Object.entries(request.explicit ?? {})) result[name] = value;
  return result;
}
