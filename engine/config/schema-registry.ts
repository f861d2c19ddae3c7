/**
 * One ajv instance that knows every schema in `schemas/`: the mission, the `llm:` block
 * (`llm-config.schema.json`), the project file (`mission-config.schema.json`) and whatever the
 * policies put in `schemas/llm/` (budgets, cache, safety, pricing, …). The last are read from the
 * directory, so a policy's schema applies as soon as its file is there, without a change here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import llmConfigSchemaJson from '../../schemas/llm-config.schema.json' with { type: 'json' };
import missionConfigSchemaJson from '../../schemas/mission-config.schema.json' with { type: 'json' };

/** The `llm:` block's JSON Schema, as shipped in `schemas/`. */
export const llmConfigSchema: Readonly<Record<string, unknown>> = llmConfigSchemaJson;
/** `mission.config.yaml`'s JSON Schema. */
export const missionConfigSchema: Readonly<Record<string, unknown>> = missionConfigSchemaJson;

/** A policy schema larger than this is not loaded (it is not a schema someone wrote by hand). */
const maxSchemaBytes = 1024 * 1024;

let shared: Ajv | undefined;

/**
 * The package's `schemas/llm` directory: found from this module upwards (the source tree and the
 * built `dist/` sit at different depths), at the first directory holding a `package.json`.
 */
export function policySchemaDirectory(): string | undefined {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 6; level++) {
    if (existsSync(path.join(directory, 'package.json'))) {
      const candidate = path.join(directory, 'schemas', 'llm');
      return existsSync(candidate) ? candidate : undefined;
    }
    const parent = path.dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return undefined;
}

/** The policy schemas (`schemas/llm/*.schema.json`), parsed. */
export function policySchemas(): Record<string, unknown>[] {
  const directory = policySchemaDirectory();
  if (!directory) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.schema.json'))
    .sort()
    .map((name) => {
      const file = path.join(directory, name);
      const text = readFileSync(file, 'utf8');
      if (text.length > maxSchemaBytes) throw new RangeError(`${name} is larger than ${maxSchemaBytes} bytes`);
      return JSON.parse(text) as Record<string, unknown>;
    });
}

/** The shared ajv instance (created on first use: `mission validate` pays for it only once). */
export function schemaAjv(): Ajv {
  if (shared) return shared;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  for (const schema of policySchemas()) ajv.addSchema(schema);
  ajv.addSchema(llmConfigSchemaJson);
  ajv.addSchema(missionConfigSchemaJson);
  shared = ajv;
  return ajv;
}
