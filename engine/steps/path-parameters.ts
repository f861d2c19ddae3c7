/** The parameter shapes file steps share: one workspace path, or a source and a destination. */

/** The opt-in that lets a step read or write a regular file that has more than one hard link. */
export const allowHardlinksProperty = {
  type: 'boolean',
  default: false,
  description: 'read or write a file even when it has other hard links (which may lie outside the workspace)',
};

/** Parameters of the steps that act on one workspace path (`read_file`, `list_directory`, `delete_file`). */
export interface PathParameters {
  path: string;
  /** See {@link allowHardlinksProperty}; only `read_file` reads it. */
  allow_hardlinks?: boolean;
}

/** The schema of {@link PathParameters} for steps that never read or write file content. */
export const pathSchema = {
  type: 'object',
  properties: { path: { type: 'string', minLength: 1 } },
  required: ['path'],
  additionalProperties: false,
};

/** The schema of {@link PathParameters} for `read_file`, which may opt in to hard-linked files. */
export const readPathSchema = {
  type: 'object',
  properties: { path: { type: 'string', minLength: 1 }, allow_hardlinks: allowHardlinksProperty },
  required: ['path'],
  additionalProperties: false,
};

/** Parameters of `copy_file` and `move_file`. */
export interface SourceDestinationParameters {
  source: string;
  destination: string;
  /** See {@link allowHardlinksProperty}. */
  allow_hardlinks?: boolean;
}

/** The schema of {@link SourceDestinationParameters}. */
export const sourceDestinationSchema = {
  type: 'object',
  properties: {
    source: { type: 'string', minLength: 1 },
    destination: { type: 'string', minLength: 1 },
    allow_hardlinks: allowHardlinksProperty,
  },
  required: ['source', 'destination'],
  additionalProperties: false,
};
