/**
 * The ahead-of-time compiled schema validators (start-up, issue 7) are current and agree with ajv
 * compiling the same schemas at run time.
 */
import { Ajv } from 'ajv';
import { referencedSchemas } from '../../engine/config/schema-files.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validate as generatedMissionValidate } from '../../engine/mission/generated/mission-schema-validator.js';
import { kindCheckOptions } from '../../engine/mission/kind-check.js';
import { missionSchema, missionSchemaOptions, usesGeneratedValidator } from '../../engine/mission/schema-check.js';
import { generatedModules } from '../../engine/mission/validator-source.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { parameterValidatorOptions } from '../../engine/steps/define-step.js';
import * as kindCheckValidators from '../../engine/steps/generated/kind-check-validators.js';
import * as kindRunValidators from '../../engine/steps/generated/kind-run-validators.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
type Validate = ((data: unknown) => boolean) & { errors?: Array<Record<string, unknown>> | null };

/** Outcome as comparable data: validity, errors (without the schema objects), and the data after defaults and coercion. */
function outcome(validate: Validate, input: unknown): unknown {
  const data = structuredClone(input);
  const valid = validate(data);
  return { valid, data, errors: (validate.errors ?? []).map(({ parentSchema: _parent, schema: _schema, ...rest }) => rest) };
}

/** Arbitrary JSON-ish values, keyed with names step parameters use. */
const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null),
    fc.array(tie('any'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('path', 'content', 'command', 'args', 'url', 'method', 'headers', 'prompt', 'objective', 'tools', 'timeout_seconds', 'x'), tie('any'), { maxKeys: 4 }),
  ),
})).any;

describe('the generated validators', () => {
  it('are generated from the current schemas (run `npm run generate` after editing one)', () => {
    for (const [file, source] of Object.entries(generatedModules())) {
      expect(readFileSync(path.join(root, file), 'utf8'), file).toBe(source);
    }
    expect(usesGeneratedValidator()).toBe(true);
  });

  it('check missions exactly as ajv compiling the schema at run time, on every example mission', () => {
    const runtime = missionRuntimeValidator();
    const files = [
      ...readdirSync(path.join(root, 'missions')).map((name) => path.join(root, 'missions', name)),
      ...readdirSync(path.join(root, 'test', 'fixtures', 'rustchain-missions')).map((name) => path.join(root, 'test', 'fixtures', 'rustchain-missions', name)),
    ];
    for (const file of files) {
      const data = parse(readFileSync(file, 'utf8'));
      expect(outcome(generatedMissionValidate as Validate, data), file).toEqual(outcome(runtime, data));
    }
  });

  it('check arbitrary missions exactly as ajv at run time', () => {
    const runtime = missionRuntimeValidator();
    const mission = fc.record(
      { version: value, name: value, steps: fc.array(fc.dictionary(fc.constantFrom('id', 'step_type', 'depends_on', 'retry', 'if', 'for_each', 'timeout_seconds', 'oops'), value), { maxLength: 3 }), config: value },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(mission, (data) => {
        expect(outcome(generatedMissionValidate as Validate, data)).toEqual(outcome(runtime, data));
      }),
      { numRuns: 300 },
    );
  });

  it("check every built-in kind's parameters exactly as ajv at run time, for validation and for execution", () => {
    const checking = new Ajv2020(kindCheckOptions);
    const running = new Ajv2020(parameterValidatorOptions);
    for (const kind of builtinStepKinds()) {
      const generatedCheck = (kindCheckValidators as Record<string, unknown>)[kind.name] as Validate;
      const generatedRun = (kindRunValidators as Record<string, unknown>)[kind.name] as Validate;
      expect(typeof generatedCheck, kind.name).toBe('function');
      const runtimeCheck = checking.compile(kind.parameters) as Validate;
      const runtimeRun = running.compile(kind.parameters) as Validate;
      fc.assert(
        fc.property(value, (parameters) => {
          expect(outcome(generatedCheck, parameters)).toEqual(outcome(runtimeCheck, parameters));
          // Execution coerces and fills defaults in place: the resulting data must agree too.
          expect(outcome(generatedRun, parameters)).toEqual(outcome(runtimeRun, parameters));
        }),
        { numRuns: 60 },
      );
    }
  });
});

/** The mission schema compiled now, with the schemas its `llm:` block refers to. */
function missionRuntimeValidator(): Validate {
  const ajv = new Ajv(missionSchemaOptions);
  for (const schema of referencedSchemas()) ajv.addSchema(schema);
  return ajv.compile(missionSchema) as Validate;
}
