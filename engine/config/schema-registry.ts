/**
 * One ajv instance that knows every schema in `schemas/`: the mission, the `llm:` block
 * (`llm-config.schema.json`), the project file (`mission-config.schema.json`) and whatever the
 * policies put in `schemas/llm/` (budgets, cache, safety, pricing, …). The last are read from the
 * directory, so a policy's schema applies as soon as its file is there, without a change here.
 */
import { Ajv } from 'ajv';
import missionConfigSchemaJson from '../../schemas/mission-config.schema.json' with { type: 'json' };
import { referencedSchemas } from './schema-files.js';

export { llmConfigSchema, policySchemaDirectory, policySchemas } from './schema-files.js';
/** `mission.config.yaml`'s JSON Schema. */
export const missionConfigSchema: Readonly<Record<string, unknown>> = missionConfigSchemaJson;

let shared: Ajv | undefined;

/** The shared ajv instance (created on first use: `mission validate` pays for it only once). */
export function schemaAjv(): Ajv {
  if (shared) return shared;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  for (const schema of referencedSchemas()) ajv.addSchema(schema);
  ajv.addSchema(missionConfigSchemaJson);
  shared = ajv;
  return ajv;
}
