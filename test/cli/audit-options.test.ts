/** The time and count options of the audit commands: what they accept and what they refuse. */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseLimitOption, parseTimeOption } from '../../engine/cli/audit-options.js';
import { buildSafetyReport } from '../../engine/cli/safety-report-command.js';

const now = new Date('2026-06-15T12:00:00.000Z');

describe('parseTimeOption', () => {
  it.each([
    ['90s', '2026-06-15T11:58:30.000Z'],
    ['30m', '2026-06-15T11:30:00.000Z'],
    ['12h', '2026-06-15T00:00:00.000Z'],
    ['7d', '2026-06-08T12:00:00.000Z'],
    ['2w', '2026-06-01T12:00:00.000Z'],
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T08:30:00Z', '2026-01-31T08:30:00.000Z'],
    ['2026-01-31T08:30:00+02:00', '2026-01-31T06:30:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect(parseTimeOption(text, now).toISOString()).toBe(expected);
  });

  it.each(['', 'yesterday', '7', '7 days', '-7d', '1.5d', '2026-13-01', '2026-02-30x', '99999999d', '36526d', 'Tue, 01 Dec 2026'])('refuses %j', (text) => {
    expect(() => parseTimeOption(text, now)).toThrow(InvalidArgumentError);
  });
});

describe('parseLimitOption', () => {
  it('accepts whole numbers from 1 to a million', () => {
    expect(parseLimitOption('1')).toBe(1);
    expect(parseLimitOption('1000000')).toBe(1_000_000);
  });
  it.each(['0', '-1', '1.5', '1e3', '1000001', 'ten', ''])('refuses %j', (text) => {
    expect(() => parseLimitOption(text)).toThrow(InvalidArgumentError);
  });
});

describe('buildSafetyReport', () => {
  it('bounds the number of distinct rule/action rows', () => {
    const events = Array.from({ length: 10_005 }, (_, index) => ({ runId: 'r', data: { rule: `rule-${index}`, action: 'block', where: 'input' } }));
    const report = buildSafetyReport(events);
    expect(report.total).toBe(10_005);
    expect(report.interventions).toHaveLength(10_001);
    expect(report.interventions[0]).toMatchObject({ rule: '(other)', action: '(other)', count: 5 });
  });
});
