/**
 * Checks a raw mission document against `schemas/mission.schema.json` (the source of truth the
 * IDE integration also reads).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import missionSchemaJson from '../../schemas/mission.schema.json' with { type: 'json' };
import { ajvIssues } from './ajv-issues.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/** The mission JSON Schema (draft-07), as shipped in `schemas/`. */
export const missionSchema: Readonly<Record<string, unknown>> = missionSchemaJson;

let compiled: ValidateFunction | undefined;

/**
 * Compiled lazily once: most processes load one mission, some (the LSP, tests) load hundreds.
 * `validateSchema: false` skips checking our own schema against the draft-07 meta-schema on every
 * start (it doubles `mission validate`'s time); a test checks it once instead.
 */
function missionValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false }).compile(missionSchemaJson);
  return compiled;
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
