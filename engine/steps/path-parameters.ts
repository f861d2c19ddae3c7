/** The parameter shapes file steps share: one workspace path, or a source and a destination. */

/** Parameters of the steps that act on one workspace path (`read_file`, `list_directory`, `delete_file`). */
export interface PathParameters {
  path: string;
}

/** The schema of {@link PathParameters}. */
export const pathSchema = {
  type: 'object',
  properties: { path: { type: 'string', minLength: 1 } },
  required: ['path'],
  additionalProperties: false,
};

/** Parameters of `copy_file` and `move_file`. */
export interface SourceDestinationParameters {
  source: string;
  destination: string;
}

/** The schema of {@link SourceDestinationParameters}. */
export const sourceDestinationSchema = {
  type: 'object',
  properties: {
    source: { type: 'string', minLength: 1 },
    destination: { type: 'string', minLength: 1 },
  },
  required: ['source', 'destination'],
  additionalProperties: false,
};
