/**
 * Checks a raw mission document against `schemas/mission.schema.json` (the source of truth the
 * IDE integration also reads).
 */
import type { ErrorObject, Options } from 'ajv';
import { createRequire } from 'node:module';
import missionSchemaJson from '../../schemas/mission.schema.json' with { type: 'json' };
import { ajvIssues } from './ajv-issues.js';
import { referencedSchemas } from '../config/schema-files.js';
import * as generated from './generated/mission-schema-validator.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/** The mission JSON Schema (draft-07), as shipped in `schemas/`. */
export const missionSchema: Readonly<Record<string, unknown>> = missionSchemaJson;

/**
 * How the mission schema is compiled (at run time, or ahead of time by `npm run generate`).
 * `validateSchema: false` skips checking our own schema against the draft-07 meta-schema on every
 * start; a test checks it once instead.
 */
export const missionSchemaOptions: Options = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false };

/** A compiled validator: returns whether the data is valid, and leaves the errors on itself. */
interface MissionValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

let compiled: MissionValidator | undefined;

/**
 * The ahead-of-time compiled validator when it was generated from this very schema; otherwise
 * (the schema was edited and `npm run generate` not run yet) the schema compiled now, as before.
 * Compiling cost a third of `mission validate`'s own time, and loading ajv's compiler as much.
 */
function missionValidator(): MissionValidator {
  if (compiled) return compiled;
  if (typeof generated.validate === 'function' && generated.generatedFrom?.validate === JSON.stringify(missionSchemaJson)) {
    compiled = generated.validate as MissionValidator;
  } else {
    // Synchronous, and only on this path: ajv is CommonJS.
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    const ajv = new Ajv(missionSchemaOptions);
    // The mission's `llm:` block refers to the llm and policy schemas.
    for (const schema of referencedSchemas()) ajv.addSchema(schema);
    compiled = ajv.compile(missionSchemaJson) as MissionValidator;
  }
  return compiled;
}

/** Whether the ahead-of-time compiled validator is in use (false after an edit to the schema until `npm run generate`). */
export function usesGeneratedValidator(): boolean {
  return missionValidator() === (generated.validate as unknown);
}

/** Schema issues of a loaded mission; none when it carries no raw document. */
export function schemaIssues(loaded: LoadedMission): ValidationIssue[] {
  if (!('raw' in loaded)) return [];
  const raw = loaded.raw;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [{
      file: loaded.file, line: 1, column: 1, pointer: '',
      message: raw === null || raw === undefined ? 'the mission file is empty' : 'a mission must be a map, not a list or a single value',
      hint: 'start with version: "1.0", name: …, steps: […]',
    }];
  }
  const validate = missionValidator();
  if (validate(raw)) return [];
  return ajvIssues(validate.errors ?? [], loaded);
}
