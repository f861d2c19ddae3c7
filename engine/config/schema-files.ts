/**
 * The schemas the mission schema and the project file's schema refer to: the `llm:` block
 * (`llm-config.schema.json`) and whatever the policies put in `schemas/llm/` (budgets, cache,
 * safety, pricing, …), read from the directory so that a policy's schema applies as soon as its
 * file is there. No ajv here: the mission validator compiled ahead of time needs none of it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import llmConfigSchemaJson from '../../schemas/llm-config.schema.json' with { type: 'json' };

/** The `llm:` block's JSON Schema, as shipped in `schemas/`. */
export const llmConfigSchema: Readonly<Record<string, unknown>> = llmConfigSchemaJson;

/** A policy schema larger than this is not loaded (it is not a schema someone wrote by hand). */
const maxSchemaBytes = 1024 * 1024;

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

/** Every schema the mission schema refers to, in the order an ajv instance should add them. */
export function referencedSchemas(): Record<string, unknown>[] {
  return [...policySchemas(), llmConfigSchemaJson];
}
