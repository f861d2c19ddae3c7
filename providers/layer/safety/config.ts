/**
 * The `safety:` block as users write it (mission `llm.safety`, `mission.config.yaml`), the
 * presets behind `level`, and how layers of configuration inherit: defaults → level preset →
 * project → mission, each later layer overriding rule by rule. `schemas/llm/safety.schema.json`
 * is the source of truth for the shape; these types follow it.
 */
import type { SafetyAction, SafetyDirection } from './types.js';

/** The presets. */
export type SafetyLevel = 'strict' | 'moderate' | 'permissive';

/** A rule's setting: an action, `off`, or an object. */
export type RuleSetting = SafetyAction | 'off' | RuleObject;

/** A rule written as an object; `pattern` or `keywords` make it a `custom.<name>` rule. */
export interface RuleObject {
  action?: SafetyAction | 'off';
  where?: SafetyDirection;
  /** Replaces the rule's built-in reason in decisions. */
  reason?: string;
  /** A regular expression (custom rules). */
  pattern?: string;
  /** Flags for `pattern`: any of `i`, `m`, `s`, `u`. */
  flags?: string;
  /** Words or phrases, matched whole and case-insensitively (custom rules). */
  keywords?: string[];
  /** Longest text `pattern` can match (what the stream holds back for it); default 256. */
  max_length?: number;
}

/** Blocked topics (`topic.<name>`) and, optionally, the only topics allowed (`topic.off_topic`). */
export interface TopicsConfig {
  blocked?: Record<string, string[]>;
  allowed?: Record<string, string[]>;
  /** Action for blocked topics (default `block`). */
  action?: SafetyAction;
  /** Action for input that mentions none of the allowed topics (default `warn`). */
  off_topic_action?: SafetyAction;
}

/** External moderation, called once per message set (input) and once per answer (output). */
export interface ModerationConfig {
  /** `openai`: OpenAI's moderation API format; `judge`: an LLM judge (Llama Guard style). */
  mode: 'openai' | 'judge';
  /** Endpoint of an OpenAI-format moderation API (default OpenAI's). */
  url?: string;
  model?: string;
  /** Name of the environment variable that holds the API key (the value never appears in config). */
  api_key_env?: string;
  timeout_ms?: number;
  on_error?: 'fail_open' | 'fail_closed';
  where?: SafetyDirection;
  action?: SafetyAction;
  /** OpenAI format: only these categories count (default: any flagged category). */
  categories?: string[];
}

/** The whole `safety:` block. */
export interface SafetyConfig {
  enabled?: boolean;
  level?: SafetyLevel;
  rules?: Record<string, RuleSetting>;
  topics?: TopicsConfig;
  moderation?: ModerationConfig;
  /** Country whose numbering plan applies to phone numbers written without `+` (default `US`). */
  default_country?: string;
  /** Longest text scanned in one piece; longer is refused with a typed error (default 2,000,000). */
  max_scan_chars?: number;
  /** Replacement for redacted text; `{rule}` is replaced with the rule id. */
  mask?: string;
}

/**
 * The actions that apply with no `safety` block: secrets redacted both ways, and so are the
 * personal data that are as good as money (payment cards, IBANs, US social security numbers: a
 * prompt carrying a customer's card never leaves the machine with it); other personal data and
 * injection logged as warnings.
 */
export const defaultRules: Record<string, RuleSetting> = {
  'secret.*': 'redact',
  'pii.*': 'warn',
  'pii.card': 'redact',
  'pii.iban': 'redact',
  'pii.us_ssn': 'redact',
  'injection.*': 'warn',
  'topic.*': 'block',
  'custom.*': 'warn',
};

/** What each level sets before the configuration's own `rules`. */
export const levelPresets: Record<SafetyLevel, Record<string, RuleSetting>> = {
  strict: { 'secret.*': 'block', 'pii.*': 'redact', 'injection.*': 'block', 'topic.*': 'block', 'custom.*': 'block' },
  moderate: { 'secret.*': 'redact', 'pii.*': 'redact', 'injection.*': 'warn', 'topic.*': 'block', 'custom.*': 'warn' },
  permissive: { 'secret.*': 'redact', 'pii.*': 'log', 'injection.*': 'log', 'topic.*': 'warn', 'custom.*': 'log' },
};

/**
 * Merges layers of configuration, later over earlier: scalars replace, `rules` merge rule by rule
 * (a custom rule's object replaces the earlier one whole), `topics` merge topic by topic,
 * `moderation` merges key by key.
 */
export function mergeSafetyConfigs(...layers: Array<SafetyConfig | undefined>): SafetyConfig {
  const merged: SafetyConfig = {};
  for (const layer of layers) {
    if (!layer) continue;
    const { rules, topics, moderation, ...scalars } = layer;
    Object.assign(merged, scalars);
    if (rules) merged.rules = { ...merged.rules, ...rules };
    if (topics) {
      merged.topics = {
        ...merged.topics,
        ...topics,
        blocked: topics.blocked || merged.topics?.blocked ? { ...merged.topics?.blocked, ...topics.blocked } : undefined,
        allowed: topics.allowed || merged.topics?.allowed ? { ...merged.topics?.allowed, ...topics.allowed } : undefined,
      };
    }
    if (moderation) merged.moderation = { ...merged.moderation, ...moderation };
  }
  return merged;
}
