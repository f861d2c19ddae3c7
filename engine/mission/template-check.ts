/**
 * Static checks of templates and conditions: syntax, names, and that a step only reads steps it
 * waits for (else it would read a result that may not exist yet).
 */
import {
  conditionExpression, expressionReferences, scanTemplate, scopeRoots, stepScopeFields, transformNames,
} from '../expressions/index.js';
import { describeJexlError, excerpt } from '../expressions/jexl-engine.js';
import { MissionErrorCode } from '../errors.js';
import { stepIndexById, upstreamLookup } from './graph.js';
import { didYouMean } from './suggest.js';
import { toPointer } from './source-positions.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/** Options of the template checks. */
export interface TemplateCheckOptions {
  /** Variable names supplied from outside (`--var name=…`), counted as declared. */
  providedVars?: Iterable<string>;
}

/** Where an expression sits, which decides what it may read. */
interface Place {
  pointer: string;
  /** Offset of the template inside the string at `pointer`, for a precise position. */
  offset?: number;
  /** The step it belongs to; undefined for mission `outputs`. */
  stepId?: string;
  /** Whether `item`/`index` exist here (inside a for_each step, but not in for_each itself). */
  allowItem: boolean;
}

/** Template and condition issues for a whole mission. */
export function templateIssues(loaded: LoadedMission, options: TemplateCheckOptions = {}): ValidationIssue[] {
  const { mission } = loaded;
  const issues: ValidationIssue[] = [];
  const stepIds = stepIndexById(mission);
  const isUpstream = upstreamLookup(mission);
  const declaredVars = new Set([...Object.keys(mission.vars), ...(options.providedVars ?? [])]);
  const positionOf = (place: Place) => place.offset !== undefined && loaded.positionInValue
    ? loaded.positionInValue(place.pointer, place.offset)
    : loaded.positionOf(place.pointer);
  const add = (place: Place, message: string, hint?: string) => issues.push({
    file: loaded.file, ...positionOf(place), pointer: place.pointer, message, ...(hint ? { hint } : {}),
  });

  const checkExpression = (expression: string, place: Place, shown: string, expressionOffset?: number): void => {
    let references;
    try {
      references = expressionReferences(expression);
    } catch (error) {
      const coded = error as { code?: string; message?: string; offset?: number };
      if (coded.code === MissionErrorCode.templateTooComplex) {
        const offset = expressionOffset === undefined ? place.offset : expressionOffset + (coded.offset ?? 0);
        add({ ...place, offset }, `template too complex in ${shown}: ${coded.message}`, 'split the computation over several steps or vars');
        return;
      }
      const cause = error instanceof Error && error.cause ? error.cause : error;
      const liquidFilter = /\|\s*[A-Za-z_]\w*\s*:/.test(expression);
      add(place, `template syntax error in ${shown}: ${describeJexlError(cause)}`,
        liquidFilter ? "transform arguments go in parentheses: value | default('x')" : undefined);
      return;
    }
    for (const root of new Set(references.roots)) {
      if ((root === 'item' || root === 'index') && !place.allowItem) {
        add(place, `${shown} reads '${root}', which exists only inside a step with for_each`);
      } else if (!scopeRoots.includes(root)) {
        const hint = declaredVars.has(root)
          ? `did you mean 'vars.${root}'?`
          : didYouMean(root, scopeRoots) ?? `templates read ${scopeRoots.join(', ')}; declare inputs under vars: and write vars.${root}`;
        add(place, `unknown name '${root}' in ${shown}`, hint);
      }
    }
    for (const reference of references.steps) {
      const { id, field } = reference;
      if (!stepIds.has(id)) {
        add(place, `${shown} reads steps.${id}, but there is no step '${id}'`, didYouMean(id, stepIds.keys()));
        continue;
      }
      if (place.stepId !== undefined) {
        if (id === place.stepId) {
          add(place, `step '${id}' reads its own result in ${shown}`, 'a step can only read steps that finished before it');
          continue;
        }
        if (!isUpstream(place.stepId, id)) {
          add(place, `step '${place.stepId}' reads steps.${id}, but does not depend on '${id}'`, `add '${id}' to depends_on`);
        }
      }
      if (field !== undefined && !stepScopeFields.includes(field)) {
        add(place, `steps.${id}.${field} is not part of a step result (${stepScopeFields.join(', ')})`,
          `did you mean steps.${id}.output.${field}?`);
      }
    }
    for (const name of new Set(references.vars)) {
      if (!declaredVars.has(name)) {
        add(place, `vars.${name} is not declared`, `declare it under vars: (${name}: <default>) or pass --var ${name}=…`);
      }
    }
    for (const name of new Set(references.transforms)) {
      if (!transformNames.includes(name)) {
        add(place, `unknown transform '${name}' in ${shown}`, didYouMean(name, transformNames) ?? `transforms: ${transformNames.join(', ')}`);
      }
    }
    for (const name of new Set(references.functions)) {
      add(place, `unknown function '${name}' in ${shown}`, `no functions are defined; use a transform: value | name (${transformNames.join(', ')})`);
    }
  };

  const checkString = (text: string, place: Place): void => {
    const { parts, errors } = scanTemplate(text);
    for (const error of errors) add({ ...place, offset: error.offset }, `template syntax error: ${error.message}`);
    for (const part of parts) {
      if (part.kind !== 'expression') continue;
      // Shown as written (one line, cut short), so the author can search for it.
      const written = excerpt(text.slice(part.offset, part.offset + Math.min(part.length, 400)));
      checkExpression(part.expression, { ...place, offset: part.offset }, written, text.indexOf(part.expression, part.offset));
    }
  };

  const walk = (value: unknown, segments: Array<string | number>, place: Omit<Place, 'pointer'>): void => {
    if (typeof value === 'string') checkString(value, { ...place, pointer: toPointer(segments) });
    else if (Array.isArray(value)) value.forEach((element, index) => walk(element, [...segments, index], place));
    else if (value !== null && typeof value === 'object') {
      for (const [key, element] of Object.entries(value)) walk(element, [...segments, key], place);
    }
  };

  mission.steps.forEach((step, position) => {
    if (step.id === '') return;
    const base = { stepId: step.id, allowItem: step.forEach !== undefined };
    walk(step.parameters, ['steps', position, 'parameters'], base);
    if (step.condition !== undefined) {
      const place = { ...base, pointer: toPointer(['steps', position, 'if']) };
      const expression = conditionExpression(step.condition);
      if (expression === undefined) {
        add(place, `condition of step '${step.id}' mixes text and {{ }}`, "write one expression, e.g. if: steps.check.output.ok && vars.mode == 'full'");
      } else if (expression === '') {
        add(place, `condition of step '${step.id}' is empty`);
      } else {
        checkExpression(expression, place, `if: ${excerpt(expression)}`);
      }
    }
    if (typeof step.forEach === 'string' && !step.forEach.includes('{{')) {
      add({ ...base, pointer: toPointer(['steps', position, 'for_each']) },
        `for_each of step '${step.id}' must be a list or a {{ }} template that renders to one`);
    } else if (step.forEach !== undefined) {
      walk(step.forEach, ['steps', position, 'for_each'], { ...base, allowItem: false });
    }
  });
  walk(mission.outputs, ['outputs'], { allowItem: false });
  return issues;
}
