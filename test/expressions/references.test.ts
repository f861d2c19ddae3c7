import { describe, expect, it } from 'vitest';
import { expressionReferences, scanTemplate, soleExpression, templateReferences } from '../../engine/expressions/index.js';

describe('templateReferences', () => {
  it('collects steps and vars from templates anywhere in a value', () => {
    const references = templateReferences({
      prompt: 'Summarise {{ steps.fetch.output.body }} for {{ vars.audience }}',
      list: ["{{ steps['second-step'].status }}", 3],
      nested: { deeper: '{{ steps.fetch.output | json }}' },
    });
    expect(references.steps).toEqual(['fetch', 'second-step']);
    expect(references.vars).toEqual(['audience']);
    expect(references.roots).toEqual(['steps', 'vars']);
    expect(references.errors).toEqual([]);
  });

  it('reports syntax errors with the expression', () => {
    const references = templateReferences('a {{ risk | default: "LOW" }} b {{ ok');
    expect(references.errors).toHaveLength(2);
    expect(references.errors.filter((error) => error.includes('`risk | default: "LOW"`'))).toHaveLength(1);
    expect(references.errors.filter((error) => error.includes('unclosed'))).toHaveLength(1);
  });

  it('finds reads inside dynamic member access, filters and ternaries', () => {
    const references = expressionReferences("steps[vars.which].output[.size > vars.min] ? env.A : unknown_name | upper");
    expect(references.vars.sort()).toEqual(['min', 'which']);
    expect(new Set(references.roots)).toEqual(new Set(['steps', 'vars', 'env', 'unknown_name']));
    expect(references.transforms).toEqual(['upper']);
    expect(references.steps).toEqual([]);
  });

  it('records the field read after the step id', () => {
    expect(expressionReferences('steps.a.analysis').steps).toEqual([{ id: 'a', field: 'analysis' }]);
    expect(expressionReferences('steps.a').steps).toEqual([{ id: 'a', field: undefined }]);
  });
});

describe('scanTemplate', () => {
  it('splits text and expressions with offsets, honouring quotes', () => {
    const { parts, errors } = scanTemplate("ab{{ 'x}}y' }}cd{{z}}");
    expect(errors).toEqual([]);
    expect(parts).toEqual([
      { kind: 'text', text: 'ab', offset: 0 },
      { kind: 'expression', expression: "'x}}y'", offset: 2, length: 12 },
      { kind: 'text', text: 'cd', offset: 14 },
      { kind: 'expression', expression: 'z', offset: 16, length: 5 },
    ]);
  });

  it('flags empty templates', () => {
    expect(scanTemplate('a {{  }} b').errors).toEqual([{ message: 'empty `{{ }}`', offset: 2 }]);
  });

  it('knows a sole expression from one surrounded by text', () => {
    expect(soleExpression('{{ a }}')).toBe('a');
    expect(soleExpression('{{ a }} ')).toBeUndefined();
    expect(soleExpression('{{ a }}{{ b }}')).toBeUndefined();
  });
});
