/**
 * An RFC 4180 CSV parser: quoted fields, doubled quotes inside them, delimiters and line breaks
 * (LF, CRLF or CR) inside quotes, and a final line with or without a line break.
 *
 * Deliberate leniencies, each common in real files: a byte-order mark is skipped, completely
 * empty lines are skipped, and a quote inside an unquoted field is kept literally.
 */
import { MissionError, MissionErrorCode } from '../errors.js';

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /** One character; default `,`. */
  delimiter?: string;
}

/** Parses CSV text into rows of fields. Throws `MISSION_ERR_PARSE` naming the line of a malformed row. */
export function parseCsv(text: string, options: CsvOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new MissionError(MissionErrorCode.parameters, `csv delimiter must be one character other than a quote or line break (got ${JSON.stringify(delimiter)})`);
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  // Whether the current row has begun: distinguishes an empty line from a row of one empty field.
  let rowStarted = false;
  // Only a quote at the very start of a field opens quoting; elsewhere it is an ordinary character.
  let atFieldStart = true;
  let line = 1;
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endRow = (): void => {
    if (rowStarted) rows.push([...row, field]);
    row = [];
    field = '';
    rowStarted = false;
  };

  while (index < text.length) {
    const character = text[index];
    if (character === '"' && atFieldStart) {
      const startLine = line;
      index += 1;
      let closed = false;
      while (index < text.length) {
        const inner = text[index];
        if (inner === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          closed = true;
          index += 1;
          break;
        }
        if (inner === '\n' || (inner === '\r' && text[index + 1] !== '\n')) line += 1;
        field += inner;
        index += 1;
      }
      if (!closed) throw new MissionError(MissionErrorCode.parse, `csv: the quoted field starting on line ${startLine} is never closed`);
      rowStarted = true;
      atFieldStart = false;
      const next = text[index];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new MissionError(MissionErrorCode.parse, `csv: unexpected ${JSON.stringify(next)} after a closing quote on line ${line} (a quote inside a quoted field must be doubled)`);
      }
      continue;
    }
    if (character === delimiter) {
      row.push(field);
      field = '';
      rowStarted = true;
      atFieldStart = true;
      index += 1;
      continue;
    }
    if (character === '\r' || character === '\n') {
      endRow();
      atFieldStart = true;
      index += character === '\r' && text[index + 1] === '\n' ? 2 : 1;
      line += 1;
      continue;
    }
    field += character;
    rowStarted = true;
    atFieldStart = false;
    index += 1;
  }
  endRow();
  return rows;
}

/** The outcome of {@link csvRecords}. */
export interface CsvTable {
  headers: string[];
  /** One object per data row, keyed by header. */
  records: Record<string, string>[];
}

/**
 * Turns parsed rows into header-keyed records. Rows whose field count differs from the header's
 * and duplicate header names are errors: silently padding or overwriting would hide broken data.
 */
export function csvRecords(rows: string[][]): CsvTable {
  const [headers = [], ...dataRows] = rows;
  const seen = new Set<string>();
  for (const header of headers) {
    if (seen.has(header)) throw new MissionError(MissionErrorCode.parse, `csv: the header names column "${header}" twice`);
    seen.add(header);
  }
  const records = dataRows.map((fields, rowIndex) => {
    if (fields.length !== headers.length) {
      throw new MissionError(
        MissionErrorCode.parse,
        `csv: record ${rowIndex + 1} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${headers.length}`,
      );
    }
    const record: Record<string, string> = {};
    headers.forEach((header, column) => {
      // defineProperty, so a column named "__proto__" becomes data rather than a prototype change.
      Object.defineProperty(record, header, { value: fields[column], enumerable: true, writable: true, configurable: true });
    });
    return record;
  });
  return { headers, records };
}
