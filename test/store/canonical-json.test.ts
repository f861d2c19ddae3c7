import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../providers/errors.js';
import { eventBody } from '../../engine/store/chain.js';
import { canonicalJson, sha256Hex } from '../../engine/store/index.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 asks', () => {
    // U+00E9 (é) sorts before U+1F600 (a surrogate pair starting 0xD83D) and after "z".
    expect(canonicalJson({ '😀': 1, é: 2, z: 3, A: 4 })).toBe('{"A":4,"z":3,"é":2,"😀":1}');
  });

  it('omits undefined members and writes undefined array items as null', () => {
    expect(canonicalJson({ keep: 1, drop: undefined, list: [undefined, 2] })).toBe('{"keep":1,"list":[null,2]}');
  });

  it('formats numbers the ECMAScript way and escapes strings', () => {
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7, 'a"b\\c\n\u0001'])).toBe('[1e+21,0.1,0,1.5e-7,"a\\"b\\\\c\\n\\u0001"]');
  });

  it('serialises through toJSON (dates, coded errors)', () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2025, 0, 2)) })).toBe('{"at":"2025-01-02T00:00:00.000Z"}');
    expect(canonicalJson(new CodedError('X_CODE', 'boom'))).toBe('{"code":"X_CODE","isRetryable":false,"message":"boom"}');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects the non-finite number %s with a coded error naming where it is', (value) => {
    expect(() => canonicalJson({ outer: { inner: [1, value] } })).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE', message: expect.stringContaining('outer.inner[1]') }));
  });

  it('rejects bigints and cycles', () => {
    expect(() => canonicalJson({ big: 1n })).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE' }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE' }));
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('round-trips through JSON.parse and does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        const reparsed = JSON.parse(text) as unknown;
        expect(canonicalJson(reparsed)).toBe(text);
        // Rebuilding every object with reversed key order must not change the text.
        const reversed = JSON.parse(text, (_key, member: unknown) =>
          member !== null && typeof member === 'object' && !Array.isArray(member)
            ? Object.fromEntries(Object.entries(member as Record<string, unknown>).reverse())
            : member,
        ) as unknown;
        expect(canonicalJson(reversed)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sha256Hex', () => {
  it('hashes the UTF-8 bytes', () => {
    expect(sha256Hex('é')).toBe(createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('eventBody', () => {
  it('equals the canonical JSON of the chained fields', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            runId: fc.string(),
            index: fc.nat(),
            type: fc.string(),
            stepId: fc.string(),
            at: fc.string(),
            data: fc.dictionary(fc.string(), fc.jsonValue()),
            payloadHash: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
          },
          { requiredKeys: ['runId', 'index', 'type', 'at', 'data'] },
        ),
        (fields) => {
          expect(eventBody(fields)).toBe(canonicalJson(fields));
        },
      ),
      { numRuns: 300 },
    );
  });
});
