/**
 * Static analysis of expressions and templates: which steps, vars and other names they read. The
 * validator uses it to catch typos and missing `depends_on` before anything runs.
 */
import { compileExpression, describeJexlError, type ExpressionNode } from './jexl-engine.js';
import { scanTemplate } from './template-scan.js';
import { MissionError } from '../errors.js';

/** One `steps.<id>…` read. */
export interface StepReference {
  id: string;
  /** The name after the id (`output`, `status`, …), when written statically. */
  field?: string;
}

/** What one expression reads. */
export interface ExpressionReferences {
  steps: StepReference[];
  vars: string[];
  /** Every root name read (`steps`, `vars`, `env`, `item`, or an unknown one like `name`). */
  roots: string[];
  /** Transforms used (`x | upper` → `upper`). */
  transforms: string[];
  /** Functions called (`max(1, 2)` → `max`). */
  functions: string[];
}

/** A static member path (`steps.a.output` → ['steps', 'a', 'output']), or undefined. */
function memberPath(node: ExpressionNode): string[] | undefined {
  if (node.type === 'Identifier') {
    if (node.relative) return undefined;
    if (!node.from) return [String(node.value)];
    const head = memberPath(node.from as ExpressionNode);
    return head ? [...head, String(node.value)] : undefined;
  }
  if (node.type === 'FilterExpression' && !node.relative) {
    const expression = node.expr as ExpressionNode;
    if (expression.type !== 'Literal' || typeof expression.value === 'object') return undefined;
    const head = memberPath(node.subject as ExpressionNode);
    return head ? [...head, String(expression.value)] : undefined;
  }
  return undefined;
}

/** The root identifier a member chain starts from, even when part of it is dynamic. */
function chainRoot(node: ExpressionNode): ExpressionNode | undefined {
  let current: ExpressionNode | undefined = node;
  while (current) {
    if (current.type === 'Identifier') {
      if (current.relative) return undefined;
      if (!current.from) return current;
      current = current.from as ExpressionNode;
    } else if (current.type === 'FilterExpression' && !current.relative) {
      current = current.subject as ExpressionNode;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function childNodes(node: ExpressionNode): ExpressionNode[] {
  const children: unknown[] = [];
  for (const key of ['left', 'right', 'test', 'consequent', 'alternate', 'expr', 'subject', 'from']) {
    if (node[key]) children.push(node[key]);
  }
  if (Array.isArray(node.args)) children.push(...node.args);
  if (node.type === 'ArrayLiteral' && Array.isArray(node.value)) children.push(...node.value);
  if (node.type === 'ObjectLiteral' && node.value && typeof node.value === 'object') {
    children.push(...Object.values(node.value));
  }
  return children.filter((child): child is ExpressionNode =>
    typeof child === 'object' && child !== null && typeof (child as ExpressionNode).type === 'string');
}

/** Walks an AST collecting reads. Visits each member chain once, from its outermost node. */
function collect(node: ExpressionNode, references: ExpressionReferences, seen: Set<ExpressionNode>): void {
  if (seen.has(node)) return;
  seen.add(node);
  if (node.type === 'FunctionCall') {
    (node.pool === 'transforms' ? references.transforms : references.functions).push(String(node.name));
  }
  if (node.type === 'Identifier' || node.type === 'FilterExpression') {
    const path = memberPath(node);
    const root = path ? undefined : chainRoot(node);
    if (path) {
      references.roots.push(path[0]);
      if (path[0] === 'steps' && path.length > 1) references.steps.push({ id: path[1], field: path[2] });
      if (path[0] === 'vars' && path.length > 1) references.vars.push(path[1]);
      // A static chain has no expressions inside it: mark the whole chain visited.
      for (let current: ExpressionNode | undefined = node; current; ) {
        seen.add(current);
        current = (current.from ?? current.subject) as ExpressionNode | undefined;
      }
      return;
    }
    if (root && !seen.has(root)) {
      references.roots.push(String(root.value));
      seen.add(root);
    }
  }
  for (const child of childNodes(node)) collect(child, references, seen);
}

/** What an expression reads. Throws `MISSION_ERR_TEMPLATE` when it does not parse. */
export function expressionReferences(expression: string): ExpressionReferences {
  const references: ExpressionReferences = { steps: [], vars: [], roots: [], transforms: [], functions: [] };
  collect(compileExpression(expression).ast(), references, new Set());
  return references;
}

/** What every template inside a value (deeply) reads, and the syntax errors found. */
export interface TemplateReferences {
  /** Step ids read through `steps.<id>`. */
  steps: string[];
  /** Names read through `vars.<name>`. */
  vars: string[];
  /** Root names read (see {@link ExpressionReferences.roots}). */
  roots: string[];
  /** Syntax errors, each naming its expression. */
  errors: string[];
}

/** Collects the reads of all `{{ }}` templates in a value (strings, lists and maps, deeply). */
export function templateReferences(value: unknown): TemplateReferences {
  const result: TemplateReferences = { steps: [], vars: [], roots: [], errors: [] };
  const visit = (element: unknown): void => {
    if (typeof element === 'string') {
      const { parts, errors } = scanTemplate(element);
      result.errors.push(...errors.map((error) => error.message));
      for (const part of parts) {
        if (part.kind !== 'expression') continue;
        try {
          const references = expressionReferences(part.expression);
          result.steps.push(...references.steps.map((reference) => reference.id));
          result.vars.push(...references.vars);
          result.roots.push(...references.roots);
        } catch (error) {
          result.errors.push(error instanceof MissionError ? error.message : describeJexlError(error));
        }
      }
    } else if (Array.isArray(element)) {
      element.forEach(visit);
    } else if (element !== null && typeof element === 'object') {
      Object.values(element).forEach(visit);
    }
  };
  visit(value);
  const unique = (names: string[]) => [...new Set(names)];
  return { steps: unique(result.steps), vars: unique(result.vars), roots: unique(result.roots), errors: result.errors };
}
