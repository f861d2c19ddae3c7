/**
 * The ahead-of-time compiled mission schema validator (start-up, issue 7) is current and agrees
 * with ajv compiling the schema at run time.
 */
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validate as generatedValidate } from '../../engine/mission/generated/mission-schema-validator.js';
import { missionSchema, missionSchemaOptions, usesGeneratedValidator } from '../../engine/mission/schema-check.js';
import { missionValidatorSource } from '../../engine/mission/validator-source.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const generatedFile = path.join(root, 'engine', 'mission', 'generated', 'mission-schema-validator.ts');
const runtimeValidate = new Ajv(missionSchemaOptions).compile(missionSchema);

/** Errors as comparable data (the schema objects they point at are compared by path). */
function errorsOf(validate: (data: unknown) => boolean, data: unknown): unknown {
  const valid = validate(data);
  const errors = (validate as unknown as { errors?: Array<Record<string, unknown>> | null }).errors ?? [];
  return { valid, errors: errors.map(({ parentSchema: _parent, schema: _schema, ...rest }) => rest) };
}

describe('the generated mission schema validator', () => {
  it('is generated from the current schema (run `npm run generate` after editing it)', () => {
    expect(readFileSync(generatedFile, 'utf8')).toBe(missionValidatorSource());
    expect(usesGeneratedValidator()).toBe(true);
  });

  it('finds exactly what ajv finds at run time, on every example mission', () => {
    const files = [
      ...readdirSync(path.join(root, 'missions')).map((name) => path.join(root, 'missions', name)),
      ...readdirSync(path.join(root, 'test', 'fixtures', 'rustchain-missions')).map((name) => path.join(root, 'test', 'fixtures', 'rustchain-missions', name)),
    ];
    for (const file of files) {
      const data = parse(readFileSync(file, 'utf8'));
      expect(errorsOf(generatedValidate, data), file).toEqual(errorsOf(runtimeValidate, data));
    }
  });

  it('finds exactly what ajv finds at run time, on arbitrary documents', () => {
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('any'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('id', 'step_type', 'steps', 'retry', 'x', 'max_attempts', 'jitter', 'vars', 'a-b'), tie('any'), { maxKeys: 4 })),
    })).any;
    const mission = fc.record({ version: value, name: value, steps: fc.array(fc.dictionary(fc.constantFrom('id', 'step_type', 'depends_on', 'retry', 'if', 'for_each', 'timeout_seconds', 'oops'), value), { maxLength: 3 }), config: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(mission, (data) => {
        expect(errorsOf(generatedValidate, data)).toEqual(errorsOf(runtimeValidate, data));
      }),
      { numRuns: 300 },
    );
  });
});
