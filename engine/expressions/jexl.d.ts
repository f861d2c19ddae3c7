/**
 * Minimal typings for the parts of `jexl` 2.x this project uses (the package ships none).
 * Kept beside the only module that imports jexl so the surface stays small and reviewed.
 */
declare module 'jexl' {
  /** A parsed jexl AST node; the shape depends on `type`. */
  interface JexlAstNode {
    type: string;
    [key: string]: unknown;
  }

  /** A compiled expression. */
  class Expression {
    compile(): this;
    evalSync(context?: Record<string, unknown>): unknown;
    /** Internal in jexl, but stable across 2.x; the validator walks it for references. */
    _getAst(): JexlAstNode;
  }

  /** An isolated jexl instance with its own transforms and functions. */
  class Jexl {
    constructor();
    addTransform(name: string, transform: (value: any, ...args: any[]) => unknown): void;
    addFunction(name: string, fn: (...args: any[]) => unknown): void;
    compile(expression: string): Expression;
    evalSync(expression: string, context?: Record<string, unknown>): unknown;
    _grammar: { transforms: Record<string, unknown>; functions: Record<string, unknown> };
  }

  const defaultInstance: Jexl & { Jexl: typeof Jexl; Expression: typeof Expression };
  export default defaultInstance;
}
