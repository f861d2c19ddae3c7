import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecords, parseCsv } from '../../engine/steps/csv-parser.js';
import { csvProcessStep } from '../../engine/steps/csv-process.js';
import { createTestContext } from './context.js';

const { context } = createTestContext('.');

/** An RFC 4180 writer used only to generate inputs: quotes every field that needs it. */
function writeCsv(rows: string[][], lineBreak: string): string {
  const quote = (field: string): string => (/[",\r\n]/.test(field) || field === '' ? `"${field.replaceAll('"', '""')}"` : field);
  return rows.map((row) => row.map(quote).join(',')).join(lineBreak);
}

describe('parseCsv', () => {
  it('parses plain rows, with or without a final line break', () => {
    expect(parseCsv('a,b\n1,2\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('handles quoted fields with delimiters, escaped quotes and embedded line breaks', () => {
    const text = 'name,quote\r\n"Smith, J","He said ""hi"""\r\n"multi\nline","crlf\r\ninside"\r\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'quote'],
      ['Smith, J', 'He said "hi"'],
      ['multi\nline', 'crlf\r\ninside'],
    ]);
  });

  it('keeps empty fields, including a trailing one and a quoted empty one', () => {
    expect(parseCsv('a,b,c\n,,\n"",x,\n')).toEqual([['a', 'b', 'c'], ['', '', ''], ['', 'x', '']]);
  });

  it('accepts CR-only line breaks, skips a BOM and blank lines', () => {
    expect(parseCsv('\uFEFFa,b\r1,2\r\r3,4')).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
  });

  it('keeps a quote inside an unquoted field literally', () => {
    expect(parseCsv('a\n5" pipe\n')).toEqual([['a'], ['5" pipe']]);
  });

  it('supports another delimiter', () => {
    expect(parseCsv('a;b\n"x;y";2', { delimiter: ';' })).toEqual([['a', 'b'], ['x;y', '2']]);
  });

  it('reports an unclosed quote with the line it started on', () => {
    expect(() => parseCsv('a,b\n1,"open\nstill open')).toThrow(/quoted field starting on line 2 is never closed/);
  });

  it('reports text after a closing quote', () => {
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/unexpected "y" after a closing quote on line 2/);
  });

  it('round-trips any table written by an RFC 4180 writer', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '\r\n'), maxLength: 8 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((width) => fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 })),
        fc.constantFrom('\n', '\r\n'),
        (rows, lineBreak) => {
          expect(parseCsv(writeCsv(rows, lineBreak))).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('csvRecords', () => {
  it('refuses rows whose width differs from the header', () => {
    expect(() => csvRecords([['a', 'b'], ['1']])).toThrow(/record 1 has 1 field but the header has 2/);
  });

  it('refuses duplicate header names', () => {
    expect(() => csvRecords([['a', 'a']])).toThrow(/names column "a" twice/);
  });

  it('keeps a "__proto__" column as data', () => {
    const { records } = csvRecords([['__proto__'], ['x']]);
    expect(Object.keys(records[0])).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(records[0])).toBe(Object.prototype);
  });
});

describe('csv_process', () => {
  it('returns headers, header-keyed records and row_count', async () => {
    const content = 'id,name,note\r\n1,Ada,"likes ""maths"", a lot"\r\n2,Grace,"line one\nline two"\r\n';
    expect(await csvProcessStep.execute({ content }, context)).toEqual({
      headers: ['id', 'name', 'note'],
      records: [
        { id: '1', name: 'Ada', note: 'likes "maths", a lot' },
        { id: '2', name: 'Grace', note: 'line one\nline two' },
      ],
      row_count: 2,
    });
  });

  it('handles an empty document and a header-only document', async () => {
    expect(await csvProcessStep.execute({ content: '' }, context)).toEqual({ headers: [], records: [], row_count: 0 });
    expect(await csvProcessStep.execute({ content: 'a,b\n' }, context)).toEqual({ headers: ['a', 'b'], records: [], row_count: 0 });
  });

  it('uses the delimiter parameter and rejects a multi-character one', async () => {
    expect(await csvProcessStep.execute({ content: 'a\tb\n1\t2', delimiter: '\t' }, context)).toMatchObject({ records: [{ a: '1', b: '2' }] });
    await expect(csvProcessStep.execute({ content: 'a', delimiter: '::' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
  });

  it('fails with MISSION_ERR_PARSE on malformed CSV', async () => {
    await expect(csvProcessStep.execute({ content: 'a,b\n1,2,3\n' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARSE' });
  });
});
