/** A seeded random source, so the generated corpus is the same on every run. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: ArrayLike<T>): T => items[int(0, items.length - 1)]!;
  const chars = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[int(0, alphabet.length - 1)]).join('');
  const digits = (length: number): string => chars('0123456789', length);
  return { next, int, pick, chars, digits };
}

export type Random = ReturnType<typeof seeded>;

export const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const lower = 'abcdefghijklmnopqrstuvwxyz';
export const alnum = `${upper}${lower}0123456789`;
export const hex = '0123456789abcdef';
export const base64url = `${alnum}_-`;
