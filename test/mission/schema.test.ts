import { readdir, readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { missionSchema } from '../../engine/mission/index.js';

const schemaFile = new URL('../../schemas/mission.schema.json', import.meta.url);

/** Every `properties` entry in the schema, with its path, for the description check. */
function properties(schema: unknown, path = '#'): Array<[string, Record<string, unknown>]> {
  if (typeof schema !== 'object' || schema === null) return [];
  const found: Array<[string, Record<string, unknown>]> = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value)) found.push([`${path}/properties/${name}`, property as Record<string, unknown>]);
    }
    found.push(...properties(value, `${path}/${key}`));
  }
  return found;
}

describe('schemas/mission.schema.json', () => {
  it('is the schema the validator uses, and compiles with the default (draft-07) Ajv', async () => {
    const onDisk = JSON.parse(await readFile(schemaFile, 'utf8'));
    expect(missionSchema).toEqual(onDisk);
    // The llm: block is a $ref to schemas/llm-config.schema.json, which refers to schemas/llm/*.
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    const llmDirectory = new URL('../../schemas/llm/', import.meta.url);
    for (const name of (await readdir(llmDirectory)).filter((file) => file.endsWith('.schema.json'))) {
      ajv.addSchema(JSON.parse(await readFile(new URL(name, llmDirectory), 'utf8')));
    }
    ajv.addSchema(JSON.parse(await readFile(new URL('../../schemas/llm-config.schema.json', import.meta.url), 'utf8')));
    const validate = ajv.compile(onDisk);
    expect(validate({ version: '1.0', name: 'x', steps: [{ id: 'a', step_type: 'noop' }] })).toBe(true);
    expect(validate({ version: '1.0', name: 'x', steps: [{ id: 'a', step_type: 'noop', timeout: 3 }] })).toBe(false);
  });

  it('describes every property', () => {
    const all = properties(missionSchema);
    expect(all.length).toBeGreaterThan(30);
    const undocumented = all.filter(([, property]) => typeof property.description !== 'string' || property.description === '');
    expect(undocumented.map(([path]) => path)).toEqual([]);
  });
});

describe('schemas/llm-config.schema.json', () => {
  it('describes every property', async () => {
    const schema = JSON.parse(await readFile(new URL('../../schemas/llm-config.schema.json', import.meta.url), 'utf8'));
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(30);
    // A property that is only a $ref takes its description from where it points.
    const undocumented = all.filter(([, property]) => property.$ref === undefined && (typeof property.description !== 'string' || property.description === ''));
    expect(undocumented.map(([path]) => path)).toEqual([]);
  });
});
