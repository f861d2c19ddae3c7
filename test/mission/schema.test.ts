import { readFile } from 'node:fs/promises';
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
    const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(onDisk);
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
