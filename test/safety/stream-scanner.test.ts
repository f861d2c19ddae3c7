/**
 * The hold-back scanner: whatever the chunking, nothing a redact or block rule matches reaches the
 * consumer, the released text equals the one-piece scan's redacted text, and the hold-back is the
 * longest output rule's match.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSafetyPolicy } from '../../providers/layer/safety/policy.js';
import { scanText } from '../../providers/layer/safety/scanner.js';
import { StreamScanner } from '../../providers/layer/safety/stream-scanner.js';
import { samples } from './helpers.js';

function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((left, right) => left - right);
  const pieces: string[] = [];
  let previous = 0;
  for (const point of points) {
    pieces.push(text.slice(previous, point));
    previous = point;
  }
  pieces.push(text.slice(previous));
  return pieces;
}

function streamThrough(scanner: StreamScanner, pieces: string[]): { released: string[]; blocked: boolean; rules: string[] } {
  const released: string[] = [];
  const rules: string[] = [];
  for (const piece of pieces) {
    const step = scanner.push(piece);
    released.push(step.text);
    rules.push(...step.findings.map((finding) => finding.rule));
    if (step.blocked) return { released, blocked: true, rules: [...rules, step.blocked.rule] };
  }
  const last = scanner.flush();
  released.push(last.text);
  rules.push(...last.findings.map((finding) => finding.rule));
  return { released, blocked: Boolean(last.blocked), rules };
}

const policy = compileSafetyPolicy({ level: 'moderate' });

describe('stream scanner', () => {
  it('holds back exactly the longest output rule (injection rules, input-only, do not count)', () => {
    const lengths = policy.rules.filter((rule) => rule.where !== 'input').map((rule) => rule.detector.maxLength);
    expect(policy.holdBack).toBe(Math.max(...lengths));
    expect(policy.holdBack).toBeLessThan(500);
  });

  it('redacts a secret split across chunks before any of it is released, for every chunking', () => {
    const secrets = [samples.awsKey, samples.githubToken, samples.card, samples.email];
    const text = `Here you go: ${secrets[0]} and the token ${secrets[1]}; pay with ${secrets[2]}, mail ${secrets[3]}. Done.`;
    const expected = scanText(policy, text, 'output').redacted;
    fc.assert(
      fc.property(fc.array(fc.nat({ max: text.length }), { maxLength: 40 }), (cuts) => {
        const result = streamThrough(new StreamScanner(policy), chunked(text, cuts));
        const output = result.released.join('');
        expect(output).toBe(expected);
        for (const secret of secrets) expect(output).not.toContain(secret.slice(0, 8));
      }),
      { numRuns: 200 },
    );
  });

  it('masks a JWT and a private key to their end however long they run past the window', () => {
    const text = `token ${samples.jwt} then key\n${samples.privateKey}\nthanks, bye`;
    for (const size of [1, 3, 7, 50]) {
      const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      const output = streamThrough(new StreamScanner(policy), pieces).released.join('');
      expect(output).toBe('token [REDACTED:secret.jwt] then key\n[REDACTED:secret.private_key]\nthanks, bye');
    }
  });

  it('ends the stream at a block rule and releases nothing of the match', () => {
    const strict = compileSafetyPolicy({ level: 'strict' });
    const text = `first part of the answer, then ${samples.awsKey} and more text after it`;
    const result = streamThrough(new StreamScanner(strict), chunked(text, [5, 20, 33, 36, 40]));
    expect(result.blocked).toBe(true);
    expect(result.rules).toContain('secret.aws_access_key');
    expect(result.released.join('')).not.toContain('AKIA');
  });

  it('reports each finding once with offsets into the whole stream and a masked excerpt', () => {
    const text = `${'x'.repeat(900)} contact ${samples.email} now ${'y'.repeat(900)}`;
    const scanner = new StreamScanner(policy);
    const findings = [];
    for (const piece of text.match(/[\s\S]{1,13}/g)!) findings.push(...scanner.push(piece).findings);
    findings.push(...scanner.flush().findings);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'pii.email', start: 909, end: 909 + samples.email.length });
    expect(findings[0]!.excerpt).toContain('[REDACTED:pii.email]');
    expect(findings[0]!.excerpt).not.toContain('jane.roe');
  });

  it('releases text that matches nothing once it leaves the hold-back window', () => {
    const scanner = new StreamScanner(policy);
    const step = scanner.push('a'.repeat(policy.holdBack + 100));
    expect(step.text).toHaveLength(100);
    expect(scanner.heldChars).toBe(policy.holdBack);
  });
});
