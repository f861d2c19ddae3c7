/**
 * The one jexl instance the engine uses: its transforms, and a bounded cache of compiled
 * expressions. jexl is an expression language with no access to JavaScript beyond the values it
 * is handed (no `eval`, no calls except registered transforms), which is why templates use it.
 */
import jexlPackage from 'jexl';
import { MissionError, MissionErrorCode } from '../errors.js';
import { assertExpressionWithinLimits } from './expression-limits.js';

const { Jexl } = jexlPackage;

/** A node of a parsed expression (jexl's AST). */
export interface ExpressionNode {
  type: string;
  [key: string]: unknown;
}

/** A compiled, reusable expression. */
export interface CompiledExpression {
  /** The expression text, as written. */
  source: string;
  evaluate(context: Record<string, unknown>): unknown;
  ast(): ExpressionNode;
}

const jexl = new Jexl();

function lengthOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return 0;
}

/**
 * Transforms users reach for first (`x | upper`, `x | default('n/a')`). Each is total: a
 * surprising input yields a sensible value rather than an exception mid-run.
 */
const transforms: Record<string, (value: any, ...args: any[]) => unknown> = {
  json: (value: unknown, indent?: number) => JSON.stringify(value, null, indent),
  fromJson: (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value),
  length: lengthOf,
  upper: (value: unknown) => String(value ?? '').toUpperCase(),
  lower: (value: unknown) => String(value ?? '').toLowerCase(),
  trim: (value: unknown) => String(value ?? '').trim(),
  default: (value: unknown, fallback: unknown) =>
    value === undefined || value === null || value === '' ? fallback : value,
  join: (value: unknown, separator = ',') => (Array.isArray(value) ? value.join(String(separator)) : String(value ?? '')),
  split: (value: unknown, separator = ',') => String(value ?? '').split(String(separator)),
  keys: (value: unknown) => (value !== null && typeof value === 'object' ? Object.keys(value) : []),
  first: (value: unknown) => (Array.isArray(value) ? value[0] : undefined),
  last: (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : undefined),
  string: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)),
  number: (value: unknown) => Number(value),
};
for (const [name, transform] of Object.entries(transforms)) jexl.addTransform(name, transform);

/** Names of the registered transforms, for `did you mean` hints. */
export const transformNames: readonly string[] = Object.keys(transforms).sort();

/**
 * jexl reads `subject[key]` unchecked, so `data[steps.llm.output]` with the output `__proto__`
 * would hand `Object.prototype` (or `constructor` a class, and on to `Function`) to a step kind.
 * Every bracketed key passes through this transform first; a key leading to that machinery
 * becomes a symbol no value has. The name holds a space, so no expression can call it.
 */
const guardedKeyTransform = 'guarded key';
const unsafeMemberNames: ReadonlySet<unknown> = new Set(['__proto__', 'constructor', 'prototype']);
const noSuchMember = Symbol('no such member');
jexl.addTransform(guardedKeyTransform, (key: unknown) => (unsafeMemberNames.has(key) ? noSuchMember : key));

/** Routes the key of every `subject[key]` in a parsed expression through the guard, in place. */
function guardMemberKeys(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  for (const child of Object.values(node)) guardMemberKeys(child);
  const record = node as Record<string, unknown>;
  if (record.type === 'FilterExpression' && !record.relative) {
    record.expr = { type: 'FunctionCall', name: guardedKeyTransform, pool: 'transforms', args: [record.expr] };
  }
}

/** Bounded so a long-running embedder rendering generated expressions cannot grow memory forever. */
const cacheLimit = 2000;
const cache = new Map<string, CompiledExpression>();

/**
 * Parses an expression once and caches it. Throws {@link MissionError} `MISSION_ERR_TEMPLATE`
 * naming the expression when it does not parse.
 */
export function compileExpression(source: string): CompiledExpression {
  const cached = cache.get(source);
  if (cached) return cached;
  assertExpressionWithinLimits(source);
  let expression: ReturnType<typeof jexl.compile>;
  try {
    expression = jexl.compile(source);
  } catch (error) {
    // The limits above keep jexl's recursion shallow; should one still overflow, it is a bound, not a crash.
    if (error instanceof RangeError) throw new MissionError(MissionErrorCode.templateTooComplex, `the expression \`${excerpt(source)}\` is nested too deeply to parse`);
    throw new MissionError(
      MissionErrorCode.template,
      `cannot parse expression \`${excerpt(source)}\`: ${describeJexlError(error)}`,
      { cause: error },
    );
  }
  // Analysis (which steps and vars an expression reads) sees the expression as written.
  const writtenAst = structuredClone(expression._getAst());
  guardMemberKeys(expression._getAst());
  const compiled: CompiledExpression = {
    source,
    evaluate: (context) => expression.evalSync(context),
    ast: () => writtenAst,
  };
  if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
}

/** Evaluates an expression against a context; errors name the expression, never the values. */
export function evaluateExpression(source: string, context: Record<string, unknown>): unknown {
  const compiled = compileExpression(source);
  try {
    return compiled.evaluate(context);
  } catch (error) {
    throw new MissionError(
      MissionErrorCode.template,
      `cannot evaluate \`${excerpt(source)}\`: ${describeJexlError(error)}`,
      { cause: error },
    );
  }
}

/** An expression as shown in a message: whole when short, else its start (never kilobytes). */
export function excerpt(source: string, limit = 120): string {
  const oneLine = source.length > limit * 2 ? source.slice(0, limit * 2).replace(/\s+/g, ' ') : source.replace(/\s+/g, ' ');
  return oneLine.length > limit ? `${oneLine.slice(0, limit - 3)}...` : oneLine;
}

/** jexl's messages repeat the whole expression; the caller already shows it, so trim that off. */
export function describeJexlError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return excerpt(message.replace(/ in expression: [\s\S]*$/, '').replace(/^Token /, 'token '), 200);
}
