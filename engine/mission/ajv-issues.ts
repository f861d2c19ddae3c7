/**
 * Turns ajv's errors into {@link ValidationIssue}s with positions and plain wording (ajv's own
 * text — "must NOT have additional properties" — says neither which property nor what to do).
 */
import type { ErrorObject } from 'ajv';
import { describeContainer, describeLocation, describeValue, stepLabel } from './describe.js';
import { looksLikeMisnaming, unknownPropertyHint } from './property-hints.js';
import { toPointer } from './source-positions.js';
import { didYouMean } from './suggest.js';
import type { LoadedMission, ValidationIssue } from './types.js';

function typeWords(type: unknown): string {
  const words: Record<string, string> = {
    string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false',
    array: 'a list', object: 'a map', null: 'null',
  };
  const types = Array.isArray(type) ? type : [type];
  return types.map((name) => words[String(name)] ?? String(name)).join(' or ');
}

function branchWords(branch: unknown): string {
  if (typeof branch !== 'object' || branch === null) return 'something else';
  const schema = branch as Record<string, unknown>;
  if (schema.type === 'object' && Array.isArray(schema.required) && schema.required.length > 0) {
    return `a map with ${schema.required.map((name) => `'${name}'`).join(', ')}`;
  }
  const range = typeof schema.minimum === 'number' && typeof schema.maximum === 'number'
    ? ` from ${schema.minimum} to ${schema.maximum}` : '';
  return `${typeWords(schema.type)}${range}`;
}

/** Ajv errors for the branches of a failed `anyOf`/`oneOf` repeat what the summary says; drop them. */
function withoutBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf');
  return errors.filter((error) =>
    !combinators.some((combinator) => combinator !== error && error.schemaPath.startsWith(`${combinator.schemaPath}/`)));
}

/** Provider ids, for hints on `llm.limits` keys. */
const providerIds = ['openai', 'azure', 'anthropic', 'gemini', 'bedrock', 'ollama', 'shimmy'];

/** Hints for a few properties whose fix is always the same. */
const requiredHints: Record<string, string> = {
  version: 'add version: "1.0"',
  name: 'add a name: "…" line',
  steps: 'add a steps: list',
  id: 'give the step a unique id: …',
  step_type: 'add step_type: <kind>, e.g. create_file, command, llm',
};

interface MappingOptions {
  /** Prepended to ajv's instance paths (e.g. `/steps/2/parameters`). */
  pointerPrefix?: string;
  /** Skip an error when this returns true for the offending value (template strings). */
  ignoreValue?: (value: unknown) => boolean;
}

/** Maps ajv errors to issues; positions come from `loaded`, labels from its raw document. */
export function ajvIssues(errors: ErrorObject[], loaded: LoadedMission, options: MappingOptions = {}): ValidationIssue[] {
  const prefix = options.pointerPrefix ?? '';
  const issues: ValidationIssue[] = [];
  const issue = (pointer: string, message: string, hint?: string, atKey = false): void => {
    const position = atKey && loaded.keyPositionOf ? loaded.keyPositionOf(pointer) : loaded.positionOf(pointer);
    issues.push({ file: loaded.file, ...position, message, pointer, ...(hint ? { hint } : {}) });
  };
  for (const error of withoutBranchNoise(errors)) {
    const pointer = prefix + error.instancePath;
    if (options.ignoreValue?.(error.data) && error.keyword !== 'required' && error.keyword !== 'additionalProperties') continue;
    const where = describeLocation(pointer, loaded.raw);
    const params = error.params as Record<string, any>;
    const schema = error.parentSchema as Record<string, any> | undefined;
    switch (error.keyword) {
      case 'required': {
        const name = String(params.missingProperty);
        issue(pointer, parametersStep(pointer, loaded)
          ? `${parametersStep(pointer, loaded)} is missing required parameter '${name}'`
          : `${describeContainer(pointer, loaded.raw)} is missing required property '${name}'`,
        prefix ? undefined : requiredHints[name]);
        break;
      }
      case 'additionalProperties': {
        const name = String(params.additionalProperty);
        const allowed = Object.keys(schema?.properties ?? {});
        const step = parametersStep(pointer, loaded);
        const hint = unknownPropertyHint(name, pointer, allowed);
        // RustChain ignores unknown keys at the top level and in `config`; so do we, with a warning,
        // unless the key looks like a misspelling of one we know (then it is probably a mistake).
        const ignorable = !prefix && (pointer === '' || pointer === '/config') && !looksLikeMisnaming(name, pointer, allowed);
        if (ignorable) {
          issue(pointer + toPointer([name]), `unknown property '${name}' in ${describeContainer(pointer, loaded.raw)} is ignored`, hint, true);
          issues[issues.length - 1].severity = 'warning';
          break;
        }
        issue(
          pointer + toPointer([name]),
          step ? `unknown parameter '${name}' in ${step}` : `unknown property '${name}' in ${describeContainer(pointer, loaded.raw)}`,
          hint,
          true,
        );
        break;
      }
      case 'type': {
        const quoteHint = typeof error.data === 'number' && params.type === 'string'
          ? (pointer === '/version' ? 'write it in quotes, e.g. "1.0" (unquoted, YAML reads a number)' : 'write it in quotes to make it a string')
          : undefined;
        issue(pointer, `${where} must be ${typeWords(params.type)}, got ${describeValue(error.data)}`, quoteHint);
        break;
      }
      case 'anyOf':
      case 'oneOf': {
        const branches = Array.isArray(schema?.[error.keyword]) ? schema![error.keyword] as unknown[] : [];
        issue(pointer, `${where} must be ${branches.map(branchWords).join(' or ')}, got ${describeValue(error.data)}`);
        break;
      }
      case 'minimum':
        issue(pointer, `${where} must be at least ${params.limit}, got ${describeValue(error.data)}`);
        break;
      case 'exclusiveMinimum':
        issue(pointer, `${where} must be greater than ${params.limit}, got ${describeValue(error.data)}`);
        break;
      case 'maximum':
        issue(pointer, `${where} must be at most ${params.limit}, got ${describeValue(error.data)}`);
        break;
      case 'minItems':
        issue(pointer, pointer === '/steps' ? 'the mission has no steps' : `${where} must have at least ${params.limit} item(s)`,
          pointer === '/steps' ? 'add at least one step under steps:' : undefined);
        break;
      case 'minLength':
        issue(pointer, `${where} must not be empty`);
        break;
      case 'enum':
        issue(pointer, `${where} must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}, got ${describeValue(error.data)}`);
        break;
      case 'propertyNames': {
        const name = String(params.propertyName);
        issue(pointer + toPointer([name]), `'${name}' in ${where} is not a valid name`,
          pointer.endsWith('/limits')
            ? `${didYouMean(name.split('/')[0], providerIds) ?? 'a limit is keyed by a provider'} (${providerIds.join(', ')}), or provider/model such as openai/gpt-4o-mini`
            : pointer === '/vars' || pointer.endsWith('/vars')
              ? 'use letters, digits and _ (not starting with a digit), so templates can write vars.<name>'
              : undefined,
          true);
        break;
      }
      case 'pattern':
        // Reported by the enclosing propertyNames error for var names; elsewhere worded plainly.
        if (!error.propertyName) issue(pointer, `${where} does not match the pattern ${params.pattern}`);
        break;
      default:
        issue(pointer, `${where} ${error.message ?? 'is invalid'}`);
    }
  }
  return issues;
}

/** `step 'x'` when `pointer` is a step's `parameters` map itself, else undefined. */
function parametersStep(pointer: string, loaded: LoadedMission): string | undefined {
  const match = /^\/steps\/(\d+)\/parameters$/.exec(pointer);
  return match ? stepLabel(loaded.raw, Number(match[1])) : undefined;
}
