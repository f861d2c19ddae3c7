/**
 * Checks a raw mission document against `schemas/mission.schema.json` (the source of truth the
 * IDE integration also reads).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import missionSchemaJson from '../../schemas/mission.schema.json' with { type: 'json' };
import { llmConfigSchema, schemaAjv } from '../config/schema-registry.js';
import { ajvIssues } from './ajv-issues.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/** The mission JSON Schema (draft-07), as shipped in `schemas/`. */
export const missionSchema: Readonly<Record<string, unknown>> = missionSchemaJson;

let compiled: ValidateFunction | undefined;

/**
 * Compiled lazily once: most processes load one mission, some (the LSP, tests) load hundreds.
 * The `llm:` block (a `$ref` to `llm-config.schema.json` and the policy schemas, most of the
 * schema's size) is checked apart, and only compiled for a mission that has one, so `mission
 * validate` of a mission without it does not pay for it.
 */
function missionValidator(): ValidateFunction {
  if (!compiled) {
    const { $id: _id, ...rest } = missionSchemaJson as Record<string, unknown> & { properties: Record<string, unknown> };
    const withoutLlm = { ...rest, properties: { ...rest.properties, llm: { type: 'object' } } };
    compiled = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(withoutLlm);
  }
  return compiled;
}

/** The `llm:` block's validator, from the instance that holds the policy schemas it refers to. */
function llmValidator(): ValidateFunction {
  return schemaAjv().getSchema(llmConfigSchema.$id as string)!;
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
  const issues = validate(raw) ? [] : ajvIssues(validate.errors ?? [], loaded);
  const llm = (raw as { llm?: unknown }).llm;
  if (typeof llm === 'object' && llm !== null && !Array.isArray(llm)) {
    const validateLlm = llmValidator();
    if (!validateLlm(llm)) issues.push(...ajvIssues(validateLlm.errors ?? [], loaded, { pointerPrefix: '/llm' }));
  }
  return issues;
}
