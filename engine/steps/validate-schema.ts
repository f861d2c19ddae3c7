/**
 * `validate_schema`: checks data against a JSON Schema (RustChain only checked JSON syntax and
 * ignored the schema). Drafts 2020-12 (the default), 2019-09 and 07 are understood, chosen by `$schema`.
 */
import { Ajv, type ErrorObject, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { parseJsonText } from './parse-json.js';
import { missionErrorWithOutput, throwIfAborted } from './step-errors.js';

/** Parameters of `validate_schema`. */
export interface ValidateSchemaParameters {
  /** A JSON string (parsed first) or any other value (validated as is). */
  data: unknown;
  /** A JSON Schema as an object or as JSON text. */
  schema: unknown;
}

/** One reason data failed its schema. `path` is a JSON pointer into the data ("" = the root). */
export interface SchemaViolation {
  path: string;
  message: string;
}

// ajv-formats is CommonJS whose `module.exports` is the plugin and also carries `.default`.
const addFormats = addFormatsModule.default;

type AjvInstance = Ajv | Ajv2019 | Ajv2020;

/*
 * A fresh instance per validation: user schemas carry `$id`s, and ajv refuses to compile a second
 * schema with an `$id` it already holds. `strict: false` because real schemas carry annotations
 * (`example`, vendor keys) that strict mode rejects; `validateSchema` still rejects broken schemas.
 */
function createValidator(schema: Record<string, unknown>): AjvInstance {
  const options: Options = { allErrors: true, strict: false, validateSchema: true, validateFormats: true };
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const ajv: AjvInstance = dialect.includes('draft-07')
    ? new Ajv(options)
    : dialect.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv2020(options);
  addFormats(ajv as Ajv);
  return ajv;
}

/** Ajv's error in our `{path, message}` shape (ajv's own message already names a missing property). */
function toViolation(error: ErrorObject): SchemaViolation {
  return { path: error.instancePath, message: error.message ?? `fails "${error.keyword}"` };
}

function readSchema(schema: unknown): Record<string, unknown> {
  const value = typeof schema === 'string' ? parseJsonText(schema, 'validate_schema', 'schema') : schema;
  if (typeof value === 'boolean') return value ? {} : { not: {} };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MissionError(MissionErrorCode.parameters, 'validate_schema: schema must be a JSON Schema object (or JSON text of one)');
  }
  return value as Record<string, unknown>;
}

/** The `validate_schema` step kind. Output: `{valid, errors: [{path, message}], validated}`. */
export const validateSchemaStep = defineStepKind<ValidateSchemaParameters>({
  name: 'validate_schema',
  description: 'Validate data against a JSON Schema',
  parameters: {
    type: 'object',
    properties: {
      data: {},
      schema: { type: ['object', 'string', 'boolean'] },
    },
    required: ['data', 'schema'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const schema = readSchema(parameters.schema);
    const data = typeof parameters.data === 'string' ? parseJsonText(parameters.data, 'validate_schema', 'data') : parameters.data;
    let validate;
    try {
      validate = createValidator(schema).compile(schema);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new MissionError(MissionErrorCode.parameters, `validate_schema: the schema is not a valid JSON Schema: ${detail}`, { cause: error });
    }
    if (validate(data)) return { valid: true, errors: [], validated: 'json_schema' };
    const errors = (validate.errors ?? []).map(toViolation);
    const shown = errors.slice(0, 10).map((error) => `${error.path || '(root)'} ${error.message}`);
    if (errors.length > shown.length) shown.push(`and ${errors.length - shown.length} more`);
    const listed = shown.join('; ');
    throw missionErrorWithOutput(
      MissionErrorCode.schemaMismatch,
      `validate_schema: data does not match the schema (${errors.length} error${errors.length === 1 ? '' : 's'}): ${listed}`,
      { valid: false, errors, validated: 'json_schema' },
    );
  },
});
