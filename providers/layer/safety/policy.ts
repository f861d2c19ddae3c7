/**
 * Compiles a {@link SafetyConfig} into a {@link SafetyPolicy}: the detectors that are on, each with
 * its action and side. Compilation is where bad policies fail (with a JSON pointer to the value),
 * so it happens once, at startup, never per call.
 */
import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js';
import { defaultRules, levelPresets, type ModerationConfig, type RuleObject, type RuleSetting, type SafetyConfig } from './config.js';
import { configuredDetector, customPattern, keywordPattern, offTopicDetector } from './detectors/custom.js';
import { injectionDetectors } from './detectors/injection.js';
import { piiDetectors } from './detectors/pii.js';
import { secretDetectors } from './detectors/secrets.js';
import { SafetyConfigError } from './errors.js';
import type { Detector, SafetyAction, SafetyDirection } from './types.js';

/** A detector with the policy's decision for it. */
export interface CompiledRule {
  detector: Detector;
  action: SafetyAction;
  where: SafetyDirection;
  reason: string;
}

/** A compiled, ready-to-scan policy. */
export interface SafetyPolicy {
  enabled: boolean;
  rules: CompiledRule[];
  /** Characters the output stream holds back: the longest match of any output rule. */
  holdBack: number;
  maxScanChars: number;
  mask: string;
  moderation?: ModerationConfig;
}

const defaultMaxScanChars = 2_000_000;
/**
 * The countries libphonenumber-js knows (its `getCountries()`), read from its metadata file on first
 * use: loading the library itself costs start-up time (over a hundred modules) that `mission validate`
 * and runs without the personal-data detectors should not pay.
 */
let knownCountries: Set<string> | undefined;
function countries(): Set<string> {
  if (!knownCountries) {
    const metadata = createRequire(import.meta.url)('libphonenumber-js/metadata.min.json') as { countries: Record<string, unknown> };
    knownCountries = new Set(Object.keys(metadata.countries).filter((country) => country !== '001'));
  }
  return knownCountries;
}

function settingFor(id: string, rules: Record<string, RuleSetting> | undefined): RuleSetting | undefined {
  if (!rules) return undefined;
  return rules[id] ?? rules[`${id.slice(0, id.indexOf('.'))}.*`];
}

function asObject(setting: RuleSetting): RuleObject {
  return typeof setting === 'string' ? { action: setting } : setting;
}

/** Compiles a configuration (merge layers first with `mergeSafetyConfigs`). */
export function compileSafetyPolicy(config: SafetyConfig = {}): SafetyPolicy {
  const preset = config.level === undefined ? defaultRules : levelPresets[config.level];
  if (!preset) throw new SafetyConfigError('/level', `unknown level '${String(config.level)}': use strict, moderate or permissive`);
  const country = (config.default_country ?? 'US').toUpperCase();
  if (!countries().has(country)) throw new SafetyConfigError('/default_country', `unknown country '${config.default_country}': use an ISO 3166 two-letter code such as US, GB, DE`);
  const maxScanChars = config.max_scan_chars ?? defaultMaxScanChars;
  if (!Number.isInteger(maxScanChars) || maxScanChars < 1 || maxScanChars > 100_000_000) {
    throw new SafetyConfigError('/max_scan_chars', 'must be an integer from 1 to 100000000');
  }

  const detectors: Detector[] = [...piiDetectors(country as CountryCode), ...secretDetectors(), ...injectionDetectors()];
  const builtinIds = new Set(detectors.map((detector) => detector.id));
  for (const [key, setting] of Object.entries(config.rules ?? {})) {
    const pointer = `/rules/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const object = asObject(setting);
    if (key.startsWith('custom.')) {
      if (!/^custom\.[a-z0-9_-]{1,64}$/i.test(key)) throw new SafetyConfigError(pointer, 'a custom rule is named custom.<name> (letters, digits, _ and -)');
      if ((object.pattern === undefined) === (object.keywords === undefined)) throw new SafetyConfigError(pointer, 'a custom rule needs exactly one of pattern or keywords');
      const maxLength = object.max_length ?? 256;
      const pattern = object.pattern !== undefined ? customPattern(object.pattern, object.flags, `${pointer}/pattern`) : keywordPattern(object.keywords!, `${pointer}/keywords`);
      const longestKeyword = Math.max(0, ...(object.keywords ?? []).map((keyword) => keyword.length * 2));
      detectors.push(configuredDetector(key, 'custom', object.reason ?? `matches the custom rule ${key}`, pattern, Math.max(maxLength, longestKeyword)));
    } else if (!key.endsWith('.*') && !builtinIds.has(key) && !key.startsWith('topic.')) {
      throw new SafetyConfigError(pointer, `no rule named ${key}; rules are ${[...builtinIds].join(', ')}, custom.<name>, topic.<name> or a family with .* (pii.*, secret.*, injection.*)`);
    } else if (key.endsWith('.*') && !['pii.*', 'secret.*', 'injection.*', 'topic.*', 'custom.*'].includes(key)) {
      throw new SafetyConfigError(pointer, `no family ${key}; use pii.*, secret.*, injection.*, topic.* or custom.*`);
    }
  }
  const topics = config.topics ?? {};
  for (const [name, keywords] of Object.entries(topics.blocked ?? {})) {
    const pattern = keywordPattern(keywords, `/topics/blocked/${name}`);
    detectors.push(configuredDetector(`topic.${name}`, 'topic', `the text is about a blocked topic (${name})`, pattern, Math.max(...keywords.map((keyword) => keyword.length * 2))));
  }
  if (topics.allowed && Object.keys(topics.allowed).length > 0) detectors.push(offTopicDetector(topics.allowed, '/topics/allowed'));

  const rules: CompiledRule[] = [];
  for (const detector of detectors) {
    const configured = settingFor(detector.id, config.rules);
    const fromPreset = settingFor(detector.id, preset);
    const topicDefault = detector.id === 'topic.off_topic' ? topics.off_topic_action ?? 'warn' : detector.category === 'topic' ? topics.action : undefined;
    const object = { ...asObject(fromPreset ?? 'log'), ...(topicDefault ? { action: topicDefault } : {}), ...(configured ? asObject(configured) : {}) };
    const action = object.action ?? 'log';
    if (action === 'off') continue;
    rules.push({ detector, action, where: object.where ?? detector.direction, reason: object.reason ?? detector.reason });
  }
  const outputRules = rules.filter((rule) => rule.where !== 'input');
  return {
    enabled: config.enabled !== false,
    rules,
    holdBack: Math.max(0, ...outputRules.map((rule) => rule.detector.maxLength)),
    maxScanChars,
    mask: config.mask ?? '[REDACTED:{rule}]',
    moderation: config.moderation,
  };
}
