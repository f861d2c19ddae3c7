/**
 * RustChain's single-brace context: after each successful step, `{previous_result}` and the
 * kind's own keys (`{<step>_response}`, …) become available to later steps as text.
 */
import type { StepKind } from '../steps/types.js';

/**
 * The legacy variables a successful step sets. Throws when the output has no JSON form (a cycle,
 * a BigInt): the caller fails the step, since it would fail the same way again.
 */
export function legacyValuesAfter(kind: StepKind, stepId: string, output: unknown): Record<string, string> {
  return {
    ...kind.legacyContext?.(stepId, output),
    previous_result: typeof output === 'string' ? output : JSON.stringify(output ?? null),
  };
}
