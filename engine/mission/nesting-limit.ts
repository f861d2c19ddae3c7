/**
 * A bound on how deeply a mission file nests maps and lists. The `yaml` composer and everything
 * after it (validation, templates, normalisation) walk documents recursively: a file nested a
 * thousand levels deep would overflow the stack ("Maximum call stack size exceeded"). So the
 * file's concrete syntax tree — built by yaml's iterative parser — is measured first, without
 * recursion, and an excessive depth is refused with its position.
 *
 * Depth counts maps and lists from the document's root: `steps: [{parameters: {a: [1]}}]` is 4.
 */
import type { CST } from 'yaml';

/** Deepest nesting of maps and lists a mission file may have (a real mission needs under 10). */
export const maxNestingDepth = 64;

/**
 * The offset of the first collection nested deeper than `limit`, or undefined when none is.
 * Linear in the file's size; uses an explicit stack, never recursion.
 */
export function excessiveNestingOffset(tokens: Iterable<CST.Token>, limit: number = maxNestingDepth): number | undefined {
  const pending: Array<{ token: CST.Token | null | undefined; depth: number }> = [];
  for (const token of tokens) pending.push({ token, depth: 0 });
  while (pending.length > 0) {
    const { token, depth } = pending.pop()!;
    if (!token) continue;
    switch (token.type) {
      case 'document':
        pending.push({ token: token.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > limit) return token.offset;
        for (const item of token.items) {
          pending.push({ token: item.key, depth: depth + 1 });
          pending.push({ token: item.value, depth: depth + 1 });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}
