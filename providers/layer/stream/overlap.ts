/**
 * Where a continuation's text starts to be new. A model asked to continue often restarts the cut
 * word or sentence ("…the quick bro" + "brown fox"), or, after a prefill that lost its trailing
 * space, writes the space again. This finds how much of the continuation's head repeats the
 * delivered tail, so that the consumer never sees text twice.
 */

/** How much delivered text is compared with a continuation's head. */
export const overlapWindowChars = 4096;

/** Overlaps at least this long are trimmed wherever they start. */
const confidentOverlapChars = 8;

const wordCharacter = /[\p{L}\p{N}_]/u;

/**
 * The number of leading characters of `head` to drop: the longest suffix of `deliveredTail` that
 * `head` starts with, when it is long enough to be a repetition rather than chance (8 characters,
 * or 2 when it starts a word, as in a restarted word), else the whitespace `head` opens with when
 * the delivered text already ended in whitespace.
 */
export function overlapLength(deliveredTail: string, head: string): number {
  const tail = deliveredTail.length > overlapWindowChars ? deliveredTail.slice(-overlapWindowChars) : deliveredTail;
  for (let length = Math.min(tail.length, head.length); length >= 2; length--) {
    if (!tail.endsWith(head.slice(0, length))) continue;
    if (length >= confidentOverlapChars) return length;
    const start = tail.length - length;
    const startsWord = (start === 0 || !wordCharacter.test(tail[start - 1])) && wordCharacter.test(tail[start]);
    if (startsWord) return length;
  }
  if (/\s$/.test(tail)) {
    const whitespace = /^[ \t]+/.exec(head);
    if (whitespace) return whitespace[0].length;
  }
  return 0;
}

/**
 * Whether more of the head is worth waiting for before deciding: while the head still occurs in
 * the delivered tail (and is shorter than it), the model may be repeating a longer stretch.
 */
export function mayStillOverlap(deliveredTail: string, head: string): boolean {
  const tail = deliveredTail.length > overlapWindowChars ? deliveredTail.slice(-overlapWindowChars) : deliveredTail;
  return head.length < tail.length && tail.includes(head);
}
