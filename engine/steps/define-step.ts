/**
 * Builds a built-in {@link StepKind} whose `execute` re-checks the rendered parameters against the
 * kind's own JSON Schema. Mission validation checks parameters before the run, but templates may
 * stand for any type there; only after rendering do we know a `path` really is a string.
 */
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { MissionError, MissionErrorCode } from '../errors.js';
import type { JsonSchema, StepContext, StepKind } from './types.js';

/** What {@link defineStepKind} needs: a kind minus the validation it adds. */
export interface StepKindDefinition<Parameters> {
  name: string;
  description: string;
  parameters: JsonSchema;
  /** Runs with parameters that passed the schema (defaults filled in, scalars coerced). */
  run(parameters: Parameters, context: StepContext): Promise<unknown>;
}

/*
 * One validator for all built-in schemas. `coerceTypes` lets a template that rendered "30" fill a
 * numeric `timeout_seconds`; `useDefaults` fills documented defaults so `run` need not repeat them.
 */
// `validateSchema: false`: these are our own schemas, checked against the meta-schema by a test;
// compiling the 2020-12 meta-schema at every process's first step would cost more than the step.
export const parameterValidatorOptions: Options = { allErrors: true, coerceTypes: true, useDefaults: true, strict: true, allowUnionTypes: true, validateSchema: false };
let parameterValidator: Ajv2020 | undefined;

/**
 * The validator of a kind's rendered parameters: compiled ahead of time for the built-in kinds
 * (`npm run generate`), else compiled now — loading ajv's compiler only then. The generated module
 * (some 200 kB) loads at the first step a process runs, so `mission validate` never parses it.
 */
async function compileParameters(name: string, schema: JsonSchema): Promise<ValidateFunction> {
  const generated = await import('./generated/kind-run-validators.js');
  const ahead = (generated as Record<string, unknown>)[name];
  if (typeof ahead === 'function' && (generated.generatedFrom as Record<string, string>)[name] === JSON.stringify(schema)) return ahead as ValidateFunction;
  parameterValidator ??= new (createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020(parameterValidatorOptions);
  return parameterValidator.compile(schema);
}

/** Turns ajv's findings into one sentence a mission author can act on. */
export function describeParameterErrors(kind: string, errors: ErrorObject[], schema: JsonSchema): string {
  const allowed = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  const parts = errors.map((error) => {
    const where = error.instancePath ? `parameter "${error.instancePath.slice(1).replaceAll('/', '.')}"` : 'parameters';
    if (error.keyword === 'required') return `missing required parameter "${String(error.params.missingProperty)}"`;
    if (error.keyword === 'additionalProperties') {
      const extra = String(error.params.additionalProperty);
      const scope = error.instancePath ? ` in ${where}` : '';
      return `unknown parameter "${extra}"${scope}${error.instancePath ? '' : ` (allowed: ${allowed.join(', ') || 'none'})`}`;
    }
    return `${where} ${error.message ?? 'is invalid'}`;
  });
  return `${kind}: ${[...new Set(parts)].join('; ')}`;
}

/**
 * Wraps a definition into a {@link StepKind} that validates its rendered parameters first. The kind
 * takes parameters as a mission writes them (defaults not yet filled in), hence `Partial`.
 */
export function defineStepKind<Parameters>(definition: StepKindDefinition<Parameters>): StepKind<Partial<Parameters>> {
  let validate: ValidateFunction | undefined;
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.parameters,
    async execute(parameters: Partial<Parameters>, context: StepContext): Promise<unknown> {
      validate ??= await compileParameters(definition.name, definition.parameters);
      // A copy, because coercion and defaults write into the object and the caller's stays theirs.
      const checked = structuredClone(parameters ?? {}) as Parameters;
      if (!validate(checked)) {
        throw new MissionError(MissionErrorCode.parameters, describeParameterErrors(definition.name, validate.errors ?? [], definition.parameters));
      }
      return definition.run(checked, context);
    },
  };
}
