/**
 * Bounds on one `{{ }}` expression, checked before jexl sees it. jexl's parser is recursive and,
 * on deep nesting, slow beyond reason: 5,000 nested parentheses in a 10 KB file took 91 s and
 * 900 MB to reject. A linear scan refuses such input first, with a typed error.
 */
import { MissionError, MissionErrorCode } from '../errors.js';

/** Longest expression (between `{{` and `}}`, or an `if:`), in characters. */
export const maxExpressionLength = 4096;

/** Deepest nesting of `()`, `[]` and `{}` inside one expression. */
export const maxExpressionDepth = 32;

/**
 * Most operators (`.`, `|`, `+`, `&&`, `?`, … outside strings) in one expression. jexl builds and
 * walks its syntax tree recursively, and a chain of 2,000 `.a` overflows the stack.
 */
export const maxExpressionOperators = 256;

const operatorCharacters = new Set(['.', '[', '|', '+', '-', '*', '/', '%', '?', ':', '&', '=', '<', '>', '!', ',', '^']);

/** What is wrong with an expression's size, with the offset (into the expression) where it shows. */
export interface ExpressionLimitProblem {
  message: string;
  offset: number;
}

/**
 * The first bound `expression` breaks, or undefined. Brackets inside string literals do not
 * count. Linear time, no recursion.
 */
export function expressionLimitProblem(expression: string): ExpressionLimitProblem | undefined {
  if (expression.length > maxExpressionLength) {
    return { message: `the expression is ${expression.length.toLocaleString('en-US')} characters long; at most ${maxExpressionLength.toLocaleString('en-US')} are allowed (compute large values in a step instead)`, offset: 0 };
  }
  let depth = 0;
  let operators = 0;
  let quote: string | undefined;
  for (let index = 0; index < expression.length; index++) {
    const character = expression[index];
    // A run of operator characters (`&&`, `==`, `|`) is one operator.
    if (!quote && operatorCharacters.has(character) && !operatorCharacters.has(expression[index - 1])) {
      if (++operators > maxExpressionOperators) {
        return { message: `the expression has more than ${maxExpressionOperators} operators (member accesses, transforms, arithmetic); at most ${maxExpressionOperators} are allowed`, offset: index };
      }
    }
    if (quote) {
      if (character === '\\') index++;
      else if (character === quote) quote = undefined;
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '(' || character === '[' || character === '{') {
      if (++depth > maxExpressionDepth) {
        return { message: `the expression nests brackets more than ${maxExpressionDepth} levels deep; at most ${maxExpressionDepth} are allowed`, offset: index };
      }
    } else if (character === ')' || character === ']' || character === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** Throws `MISSION_ERR_TEMPLATE_TOO_COMPLEX` when `expression` breaks a bound. */
export function assertExpressionWithinLimits(expression: string): void {
  const problem = expressionLimitProblem(expression);
  if (problem) throw Object.assign(new MissionError(MissionErrorCode.templateTooComplex, problem.message), { offset: problem.offset });
}
