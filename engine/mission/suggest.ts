/** `did you mean …` suggestions for misspelt names. */

/**
 * Edit distance (insert, delete, substitute; adjacent swap counts 1) between two strings
 * (optimal string alignment). Keeps three rows, not the whole table: validation calls it for
 * every unknown key of a file.
 */
export function editDistance(left: string, right: string): number {
  const columns = right.length + 1;
  let beforePrevious = new Array<number>(columns).fill(0);
  let previous = Array.from({ length: columns }, (_, column) => column);
  let current = new Array<number>(columns).fill(0);
  for (let row = 1; row <= left.length; row++) {
    current[0] = row;
    for (let column = 1; column < columns; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + cost);
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        best = Math.min(best, beforePrevious[column - 2] + 1);
      }
      current[column] = best;
    }
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return previous[columns - 1];
}

/** `CreateFile` / `createFile` / `create-file` → `create_file`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();
}

/** Names longer than this get no suggestion. */
const maxSuggestedLength = 64;

/** Snake-case forms of candidate names, memoised: the same few names are compared thousands of times. */
const snakeCache = new Map<string, string>();
function snakeCaseOf(name: string): string {
  let snake = snakeCache.get(name);
  if (snake === undefined) {
    snake = toSnakeCase(name);
    if (snakeCache.size < 10_000) snakeCache.set(name, snake);
  }
  return snake;
}

/**
 * The closest candidate to `name`, if it is close enough to be a plausible typo: same name in
 * another case style, else within about a third of the name's length in edits.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  // No one misspells a 65-character name; and edit distance on hostile megabyte keys would not end.
  if (name.length > maxSuggestedLength) return undefined;
  const list = [...candidates];
  const normalized = toSnakeCase(name);
  const snakeCandidates = list.map(snakeCaseOf);
  const sameWordIndex = snakeCandidates.indexOf(normalized);
  const sameWord = sameWordIndex === -1 ? undefined : list[sameWordIndex];
  if (sameWord !== undefined && sameWord !== name) return sameWord;
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (let index = 0; index < list.length; index++) {
    const candidate = list[index];
    if (candidate === name) continue;
    const snake = snakeCandidates[index];
    // The distance is at least the difference in length: skip the quadratic computation.
    if (Math.abs(snake.length - normalized.length) > limit) continue;
    const distance = editDistance(normalized, snake);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `did you mean 'x'?`, or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const closest = closestName(name, candidates);
  return closest === undefined ? undefined : `did you mean '${closest}'?`;
}
