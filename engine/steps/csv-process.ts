/** `csv_process`: parses CSV text with a header row into records. */
import { csvRecords, parseCsv } from './csv-parser.js';
import { defineStepKind } from './define-step.js';
import { throwIfAborted } from './step-errors.js';

/** Parameters of `csv_process`. */
export interface CsvProcessParameters {
  /** CSV text whose first row is the header. */
  content: string;
  /** Field separator, one character; default `,` (`;` and tab are common too). */
  delimiter: string;
}

/** The `csv_process` step kind. Output: `{headers, records, row_count}`; values stay strings. */
export const csvProcessStep = defineStepKind<CsvProcessParameters>({
  name: 'csv_process',
  description: 'Parse CSV text (first row = header) into records',
  parameters: {
    type: 'object',
    properties: {
      content: { type: 'string' },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, default: ',' },
    },
    required: ['content'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const { headers, records } = csvRecords(parseCsv(parameters.content, { delimiter: parameters.delimiter }));
    return { headers, records, row_count: records.length };
  },
});
