/** `file_search`: finds entries of one directory whose names contain a substring. */
import { defineStepKind } from './define-step.js';
import { readDirectoryEntries } from './list-directory.js';
import { throwIfAborted } from './step-errors.js';

/** Parameters of `file_search`. */
export interface FileSearchParameters {
  path: string;
  /** A plain substring (as in RustChain), matched case-sensitively against entry names. */
  pattern: string;
}

/** The `file_search` step kind. Output: `{pattern, results: [{name, path}], matches}`. */
export const fileSearchStep = defineStepKind<FileSearchParameters>({
  name: 'file_search',
  description: 'Find entries of a workspace directory whose names contain a substring',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1 },
      pattern: { type: 'string' },
    },
    required: ['path', 'pattern'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const entries = await readDirectoryEntries(context.workspace, parameters.path, context.signal);
    const results = entries
      .filter((entry) => entry.name.includes(parameters.pattern))
      .map((entry) => ({ name: entry.name, path: entry.path }));
    return { pattern: parameters.pattern, results, matches: results.length };
  },
});
