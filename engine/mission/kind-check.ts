/**
 * Step kinds: is each `step_type` known, and do its parameters match the kind's JSON Schema?
 */
import type { Options, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import * as generated from '../steps/generated/kind-check-validators.js';
import { unsupportedRustchainKinds, type StepKindRegistry } from '../steps/registry.js';
import type { StepKind } from '../steps/types.js';
import { ajvIssues } from './ajv-issues.js';
import { didYouMean, toSnakeCase } from './suggest.js';
import { toPointer } from './source-positions.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/**
 * A string that stands for a value decided at run time: a `{{ }}` template or a legacy `{key}`.
 * Its rendered type is unknown, so type checks do not apply to it.
 */
export function isTemplateString(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  // indexOf rather than /\{\{[\s\S]*\}\}/, whose backtracking is quadratic on a long run of `{{`.
  const open = value.indexOf('{{');
  return (open !== -1 && value.indexOf('}}', open + 2) !== -1) || /\{[A-Za-z_][A-Za-z0-9_]*\}/.test(value);
}

// Kind schemas are written against draft 2020-12 (see StepKind.parameters), by many authors:
// not strict, so a vendor keyword in a custom kind's schema does not break validation. Compiling
// the 2020-12 meta-schema to check each kind's schema first costs more than all the rest of
// `mission validate`; the built-in schemas are checked by a test, and a broken custom schema still
// fails to compile.
export const kindCheckOptions: Options = { allErrors: true, verbose: true, strict: false, validateSchema: false };
let ajv: Ajv2020 | undefined;
/** Compiled once per kind object; a WeakMap so re-registered kinds do not leak. */
const compiledByKind = new WeakMap<StepKind, ValidateFunction>();

/**
 * The built-in kinds' validators are compiled ahead of time (`npm run generate`); a custom kind's
 * schema, or an edited built-in one, is compiled here, loading ajv's compiler only then.
 */
function validatorFor(kind: StepKind): ValidateFunction {
  let validate = compiledByKind.get(kind);
  if (!validate) {
    const ahead = (generated as Record<string, unknown>)[kind.name];
    if (typeof ahead === 'function' && (generated.generatedFrom as Record<string, string>)[kind.name] === JSON.stringify(kind.parameters)) {
      validate = ahead as ValidateFunction;
    } else {
      ajv ??= new (createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020(kindCheckOptions);
      validate = ajv.compile(kind.parameters);
    }
    compiledByKind.set(kind, validate);
  }
  return validate;
}

/** Unknown, unsupported and mis-parameterised step kinds. */
export function kindIssues(loaded: LoadedMission, registry: StepKindRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const rawSteps = (loaded.raw as { steps?: unknown[] } | undefined)?.steps;
  loaded.mission.steps.forEach((step, position) => {
    // An empty kind is a schema problem (missing or wrong type), reported there.
    if (step.kind === '') return;
    const rawStep = Array.isArray(rawSteps) ? rawSteps[position] as Record<string, unknown> | undefined : undefined;
    const typePointer = toPointer(['steps', position, 'step_type', ...(typeof rawStep?.step_type === 'object' ? ['type'] : [])]);
    const add = (pointer: string, message: string, hint?: string) =>
      issues.push({ file: loaded.file, ...loaded.positionOf(pointer), pointer, message, ...(hint ? { hint } : {}) });
    const kind = registry.get(step.kind);
    if (!kind) {
      if (unsupportedRustchainKinds.has(step.kind)) {
        add(typePointer, `step kind '${step.kind}' is a RustChain kind not supported yet`,
          'replace it with a supported kind (see `mission kinds`) or register a custom kind of that name');
        return;
      }
      const snake = toSnakeCase(step.kind);
      const unsupportedSpelling = unsupportedRustchainKinds.has(snake) && snake !== step.kind;
      add(typePointer, unsupportedSpelling
        ? `unknown step kind '${step.kind}' (step kinds are snake_case; '${snake}' is a RustChain kind not supported yet)`
        : `unknown step kind '${step.kind}'`,
        unsupportedSpelling ? undefined : didYouMean(step.kind, registry.names())
          ?? (registry.names().length > 0 ? `known kinds: ${registry.names().join(', ')}` : undefined));
      return;
    }
    const rawParameters = rawStep?.parameters;
    // Parameters that are not a map at all are a schema problem, already reported.
    if (rawParameters !== undefined && (typeof rawParameters !== 'object' || rawParameters === null || Array.isArray(rawParameters))) return;
    const validate = validatorFor(kind);
    if (!validate(step.parameters)) {
      issues.push(...ajvIssues(validate.errors ?? [], loaded, {
        pointerPrefix: toPointer(['steps', position, 'parameters']),
        ignoreValue: isTemplateString,
      }));
      return;
    }
    for (const found of kind.checkParameters?.(step.parameters, registry) ?? []) {
      add(toPointer(['steps', position, 'parameters', ...found.path]), found.message, found.hint);
    }
  });
  return issues;
}
