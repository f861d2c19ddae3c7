/**
 * The vocabulary of the content-safety policy: rules, what they find, and what the policy decides.
 * Everything here is plain data so a decision can go into the audit trail as it is.
 */

/** What a rule does when it matches, strongest first: `block` > `redact` > `warn` > `log`. */
export type SafetyAction = 'block' | 'redact' | 'warn' | 'log';

/** A scan's overall verdict: the strongest action among its findings, or `allow` when none. */
export type SafetyVerdict = SafetyAction | 'allow';

/** The family a rule belongs to. */
export type SafetyCategory = 'pii' | 'secret' | 'injection' | 'topic' | 'custom';

/** Which side of a call a rule looks at. */
export type SafetyDirection = 'input' | 'output' | 'both';

/** One match of one rule; `start`/`end` are UTF-16 offsets (JavaScript string indices). */
export interface SafetyFinding {
  /** Stable rule id, e.g. `pii.email`, `secret.aws_access_key`, `injection.instruction_override`. */
  rule: string;
  category: SafetyCategory;
  start: number;
  end: number;
  action: SafetyAction;
  /** Why, in plain words, without quoting the matched text. */
  reason: string;
}

/** The outcome of scanning one text. */
export interface SafetyScanResult {
  action: SafetyVerdict;
  findings: SafetyFinding[];
  /** The text with every `redact` finding masked (the input itself when there are none). */
  redacted: string;
}

/**
 * A detector: finds candidate spans in a text. Rules are compiled from detectors plus the
 * policy's action for them.
 */
export interface Detector {
  /** Stable id (`pii.email`). */
  readonly id: string;
  readonly category: SafetyCategory;
  /** Plain-words reason for a match. */
  readonly reason: string;
  /**
   * The longest span this detector can match, in UTF-16 units: the streaming scanner holds back
   * this much text so nothing it could match reaches the consumer unseen.
   */
  readonly maxLength: number;
  /** Which side it applies to by default (injection looks at input only). */
  readonly direction: SafetyDirection;
  /**
   * How a match may go on past the text seen so far, for the streaming scanner: `while` — the
   * secret continues as long as characters of this class follow (a JWT); `until` — it runs to an
   * end marker (a private key's footer), at most `maxLength` characters.
   */
  readonly continuation?: { kind: 'while'; chars: RegExp } | { kind: 'until'; end: RegExp; endMaxLength: number; maxLength: number };
  /** Spans found in `text`, in order. Must run in time linear in `text.length`. */
  find(text: string): Array<{ start: number; end: number }>;
}

/** Strength order of actions, for picking the strongest. */
export const actionRank: Record<SafetyVerdict, number> = { allow: 0, log: 1, warn: 2, redact: 3, block: 4 };

/** The stronger of two verdicts. */
export function strongerVerdict(left: SafetyVerdict, right: SafetyVerdict): SafetyVerdict {
  return actionRank[right] > actionRank[left] ? right : left;
}
