/**
 * Validates a raw `safety:` block: the JSON Schema (`schemas/llm/safety.schema.json`) first, then
 * a trial compilation, which catches what a schema cannot (a regular expression that does not
 * compile or could backtrack without end). Issues carry JSON pointers relative to the block, so a
 * loader that knows positions can print `file:line:col`.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import safetySchemaJson from '../../../schemas/llm/safety.schema.json' with { type: 'json' };
import type { SafetyConfig } from './config.js';
import { SafetyConfigError } from './errors.js';
import { compileSafetyPolicy } from './policy.js';

/** One problem of a safety block. */
export interface SafetyConfigIssue {
  /** JSON pointer into the block (`/rules/custom.ids/pattern`). */
  pointer: string;
  message: string;
}

// ajv-formats is CommonJS whose `module.exports` is the plugin and also carries `.default`.
const addFormats = addFormatsModule.default;

let validator: ValidateFunction | undefined;

/** The safety schema, for loaders that validate with their own positions. */
export const safetySchema: Readonly<Record<string, unknown>> = safetySchemaJson;

/** Every issue of a raw safety block; empty means it compiles. */
export function validateSafetyConfig(raw: unknown): SafetyConfigIssue[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validator = ajv.compile(safetySchemaJson);
  }
  if (!validator(raw)) {
    return (validator.errors ?? []).map((error) => {
      const extra = error.keyword === 'additionalProperties' ? ` '${(error.params as { additionalProperty: string }).additionalProperty}'` : error.keyword === 'enum' ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
      return { pointer: error.instancePath, message: `${error.message ?? 'is invalid'}${extra}` };
    });
  }
  try {
    compileSafetyPolicy(raw as SafetyConfig);
  } catch (error) {
    if (error instanceof SafetyConfigError) return [{ pointer: error.pointer, message: error.message.replace(/^safety\s\S*: /, '') }];
    throw error;
  }
  return [];
}
