/**
 * Scanning one text against a compiled policy: every rule that applies to the side (`input` or
 * `output`) finds its spans; the verdict is the strongest action; `redact` and `block` spans are
 * masked in the redacted text. Excerpts for the audit trail come from the masked text, so they
 * never carry the secret itself.
 */
import { SafetyInputTooLargeError } from './errors.js';
import type { CompiledRule, SafetyPolicy } from './policy.js';
import { strongerVerdict, type SafetyFinding, type SafetyScanResult, type SafetyVerdict } from './types.js';

/** Every finding of the policy's rules in `text`, sorted by start (then longest first). */
export function findAll(policy: SafetyPolicy, text: string, where: 'input' | 'output', rules: CompiledRule[] = policy.rules): SafetyFinding[] {
  if (text.length > policy.maxScanChars) throw new SafetyInputTooLargeError(text.length, policy.maxScanChars);
  const findings: SafetyFinding[] = [];
  for (const rule of rules) {
    if (rule.where !== 'both' && rule.where !== where) continue;
    for (const span of rule.detector.find(text)) {
      findings.push({ rule: rule.detector.id, category: rule.detector.category, start: span.start, end: span.end, action: rule.action, reason: rule.reason });
    }
  }
  return findings.sort((left, right) => left.start - right.start || right.end - left.end);
}

/** Whether a finding's span is masked in redacted text. */
export function masks(finding: SafetyFinding): boolean {
  return finding.action === 'redact' || finding.action === 'block';
}

/** The mask that replaces a finding. */
export function maskFor(policy: SafetyPolicy, rule: string): string {
  return policy.mask.replace(/\{rule\}/g, rule);
}

/**
 * `text` with the given findings' spans replaced by masks; overlapping spans merge into one,
 * named after the first.
 */
export function applyMasks(policy: SafetyPolicy, text: string, findings: SafetyFinding[], offset = 0): string {
  let out = '';
  let cursor = 0;
  for (const finding of findings) {
    const start = Math.max(finding.start - offset, 0);
    const end = finding.end - offset;
    if (end <= cursor) continue;
    // A span that overlaps the previous one only widens it: one mask for both.
    if (start >= cursor) out += text.slice(cursor, start) + maskFor(policy, finding.rule);
    cursor = end;
  }
  return out + text.slice(cursor);
}

/** The strongest action among findings. */
export function verdictOf(findings: SafetyFinding[]): SafetyVerdict {
  let verdict: SafetyVerdict = 'allow';
  for (const finding of findings) verdict = strongerVerdict(verdict, finding.action);
  return verdict;
}

/** Scans one text. */
export function scanText(policy: SafetyPolicy, text: string, where: 'input' | 'output' = 'input'): SafetyScanResult {
  const findings = policy.enabled ? findAll(policy, text, where) : [];
  const masked = findings.filter(masks);
  return { action: verdictOf(findings), findings, redacted: masked.length > 0 ? applyMasks(policy, text, masked) : text };
}

/** Characters of context either side of a finding in an excerpt. */
const excerptContext = 32;
/** Longest excerpt. */
const excerptMax = 160;

/**
 * A short excerpt around a finding for the audit trail, with every personal-data or secret span in
 * it masked whatever its action (a `warn` on an e-mail address must not copy the address into the
 * audit store). Injection and topic text is shown: it is the evidence, not a secret.
 */
export function excerptOf(policy: SafetyPolicy, text: string, finding: SafetyFinding, findings: SafetyFinding[]): string {
  const from = Math.max(0, finding.start - excerptContext);
  const to = Math.min(text.length, finding.end + excerptContext);
  const sensitive = findings.filter((other) => (other.category === 'pii' || other.category === 'secret' || (other.category === 'custom' && masks(other))) && other.end > from && other.start < to);
  const clipped = sensitive.map((other) => ({ ...other, start: Math.max(other.start, from), end: Math.min(other.end, to) }));
  let excerpt = applyMasks(policy, text.slice(from, to), clipped, from).replace(/\s+/g, ' ');
  if (excerpt.length > excerptMax) excerpt = `${excerpt.slice(0, excerptMax)}…`;
  return `${from > 0 ? '…' : ''}${excerpt}${to < text.length ? '…' : ''}`;
}
