import { describe, expect, it } from 'vitest';
import { evaluateCondition, renderString, renderValue, type TemplateScope } from '../../engine/expressions/index.js';
import { MissionError } from '../../engine/errors.js';

function scope(overrides: Partial<TemplateScope> = {}): TemplateScope {
  return {
    steps: {
      fetch: { status: 'succeeded', output: { count: 5, items: ['a', 'b'], title: 'Hello', nested: { ok: true } } },
      broken: { status: 'failed', error: 'boom' },
    },
    vars: { mode: 'full', limit: 3, empty: '' },
    env: { HOME_DIR: '/home/me' },
    mission: { name: 'demo', version: '1.0', file: 'demo.yaml' },
    run: { id: 'run-1', workspace: 'ws' },
    now: '2025-01-02T03:04:05.000Z',
    ...overrides,
  };
}

describe('renderValue', () => {
  it('returns the raw value when the string is exactly one template', () => {
    expect(renderValue('{{ steps.fetch.output.count }}', scope())).toBe(5);
    expect(renderValue('{{ steps.fetch.output.items }}', scope())).toEqual(['a', 'b']);
    expect(renderValue('{{steps.fetch.output.nested}}', scope())).toEqual({ ok: true });
  });

  it('renders mixed strings to text, JSON-stringifying objects', () => {
    expect(renderValue('n={{ steps.fetch.output.count }} items={{ steps.fetch.output.items }}', scope()))
      .toBe('n=5 items=["a","b"]');
    // Trailing text (even a newline) keeps the result a string.
    expect(renderValue('{{ vars.limit }}\n', scope())).toBe('3\n');
  });

  it('renders deeply through lists and maps but leaves keys and non-strings alone', () => {
    const rendered = renderValue({ '{{ vars.mode }}': ['{{ vars.mode }}', 7, true, null] }, scope());
    expect(rendered).toEqual({ '{{ vars.mode }}': ['full', 7, true, null] });
  });

  it('exposes env, mission, run, now, timestamp, item and index', () => {
    const text = '{{ env.HOME_DIR }}|{{ mission.name }}@{{ mission.version }}|{{ run.id }}|{{ now }}|{{ timestamp }}|{{ item }}#{{ index }}';
    expect(renderString(text, scope({ item: 'x', index: 2 })))
      .toBe('/home/me|demo@1.0|run-1|2025-01-02T03:04:05.000Z|2025-01-02T03:04:05.000Z|x#2');
  });

  it('renders missing values as empty text and null as nothing', () => {
    expect(renderString('[{{ steps.fetch.output.missing }}]', scope())).toBe('[]');
    expect(renderValue('{{ steps.fetch.output.missing }}', scope())).toBeUndefined();
  });

  it('applies the registered transforms', () => {
    const s = scope();
    expect(renderString('{{ steps.fetch.output.title | upper }}', s)).toBe('HELLO');
    expect(renderString('{{ steps.fetch.output.title | lower }}', s)).toBe('hello');
    expect(renderValue('{{ steps.fetch.output.items | length }}', s)).toBe(2);
    expect(renderString("{{ steps.fetch.output.items | join('+') }}", s)).toBe('a+b');
    expect(renderString("{{ vars.empty | default('none') }}", s)).toBe('none');
    expect(renderString("{{ vars.mode | default('none') }}", s)).toBe('full');
    expect(renderString('{{ steps.fetch.output.nested | json }}', s)).toBe('{"ok":true}');
    expect(renderValue("{{ '{\"a\":1}' | fromJson }}", s)).toEqual({ a: 1 });
  });

  it('writes a literal {{ through a quoted string expression', () => {
    expect(renderString("uses: {{ '${{ secrets.TOKEN }}' }}", scope())).toBe('uses: ${{ secrets.TOKEN }}');
  });
});

describe('legacy single-brace substitution', () => {
  const legacy = { previous_result: 'PREV', fetch_response: 'RESP' };

  it('replaces {key} only for keys in the legacy map', () => {
    expect(renderString('a {previous_result} b {fetch_response} c {unknown}', scope({ legacy })))
      .toBe('a PREV b RESP c {unknown}');
  });

  it('leaves JSON braces alone and does not touch {{ }} templates', () => {
    const json = '{"key": {previous_result}, "n": {{ vars.limit }}}';
    expect(renderString(json, scope({ legacy }))).toBe('{"key": PREV, "n": 3}');
    expect(renderString('{ "a": 1 }', scope({ legacy }))).toBe('{ "a": 1 }');
  });
});

describe('errors', () => {
  it('throws MISSION_ERR_TEMPLATE naming the expression on a syntax error', () => {
    try {
      renderString('x {{ vars.mode == }} y', scope());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MissionError);
      expect((error as MissionError).code).toBe('MISSION_ERR_TEMPLATE');
      expect((error as MissionError).message).toContain('`vars.mode ==`');
    }
  });

  it('throws on an unknown transform, an unclosed template, and never leaks values', () => {
    expect(() => renderString('{{ env.HOME_DIR | nope }}', scope())).toThrowError(/cannot evaluate `env.HOME_DIR \| nope`/);
    expect(() => renderString('{{ env.HOME_DIR | nope }}', scope())).not.toThrowError(/\/home\/me/);
    expect(() => renderString('start {{ vars.mode', scope())).toThrowError(/unclosed/);
  });
});

describe('evaluateCondition', () => {
  it('accepts bare expressions and {{ }} alike', () => {
    const s = scope();
    expect(evaluateCondition("steps.fetch.output.count > 3 && vars.mode == 'full'", s)).toBe(true);
    expect(evaluateCondition("{{ steps.fetch.output.count > 3 && vars.mode == 'quick' }}", s)).toBe(false);
    expect(evaluateCondition("steps.broken.status == 'failed'", s)).toBe(true);
    expect(evaluateCondition('steps.fetch.output.missing', s)).toBe(false);
    expect(evaluateCondition(false, s)).toBe(false);
  });

  it('refuses text mixed with {{ }} (it would always be true)', () => {
    expect(() => evaluateCondition('{{ vars.limit }} > 1', scope())).toThrowError(/must be one expression/);
  });
});

describe('member access by a computed or quoted key', () => {
  const keyed = (key: string) => scope({ vars: { key, data: { a: 1 }, text: 'abc', list: [{ n: 1 }, { n: 2 }] } });

  it('cannot reach prototypes or constructors, however the key is written', () => {
    expect(renderValue('{{ vars.data[vars.key] }}', keyed('__proto__'))).toBeUndefined();
    expect(renderValue('{{ vars.data[vars.key] }}', keyed('constructor'))).toBeUndefined();
    expect(renderValue('{{ vars.text[vars.key] }}', keyed('constructor'))).toBeUndefined();
    expect(renderValue("{{ env['constructor'] }}", scope())).toBeUndefined();
    expect(renderValue("{{ vars['__proto__'] }}", scope())).toBeUndefined();
  });

  it('still reads own members, list positions and filters', () => {
    expect(renderValue('{{ vars.data[vars.key] }}', keyed('a'))).toBe(1);
    expect(renderValue("{{ vars.data['a'] }}", keyed('a'))).toBe(1);
    expect(renderValue('{{ vars.list[1].n }}', keyed('a'))).toBe(2);
    expect(renderValue('{{ vars.list[.n > 1] }}', keyed('a'))).toEqual([{ n: 2 }]);
    expect(renderValue('{{ vars.data[1 == 1] }}', keyed('a'))).toEqual({ a: 1 });
    expect(renderValue('{{ vars.text[0] }}', keyed('a'))).toBe('a');
  });
});
