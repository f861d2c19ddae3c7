/** Money on the command line: integer micro-dollars shown as dollars, exact to the micro-dollar. */

/** `1234567` → `$1.234567`, `500000` → `$0.50`, `0` → `$0.00`: no rounding, at least two decimals. */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const absolute = Math.abs(Math.round(micros));
  const dollars = Math.floor(absolute / 1_000_000);
  const fraction = String(absolute % 1_000_000).padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${dollars}.${fraction}`;
}
