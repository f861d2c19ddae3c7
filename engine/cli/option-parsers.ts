/**
 * One set of parsers for commander options, so every numeric option of every command refuses
 * `abc`, `1e400` or `-5` the same way (exit 2, naming the option) and shows its default as a
 * number, not a quoted string. Light on purpose: command modules load it at start-up.
 */
import { InvalidArgumentError, Option } from 'commander';

/** Bounds of a whole-number option. */
export interface WholeNumberBounds {
  /** Smallest accepted value (default 0). */
  min?: number;
  /** Largest accepted value (default `Number.MAX_SAFE_INTEGER`). */
  max?: number;
}

/**
 * A commander argument parser for a whole number within `bounds`: `1_000`-style or
 * exponent spellings, fractions, `NaN`, out-of-range values are refused with
 * `InvalidArgumentError` (commander prints it and exits 2).
 */
export function wholeNumber(bounds: WholeNumberBounds = {}): (value: string) => number {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  return (value: string): number => {
    const trimmed = value.trim();
    const parsed = /^[+-]?\d{1,16}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`expected a whole number ${range}, got '${shown(value)}'.`);
    }
    return parsed;
  };
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Where the store is when `--db` is not given, as help text. */
export const defaultDatabaseDescription = '$MISSION_DB, else .mission/state.db';

/** The `--db <path>` option every store-using command takes, its default shown in `--help`. */
export function databaseOption(): Option {
  // In the description rather than as commander's default, so `options.db` stays undefined and
  // the environment is read when the command runs, not when it is declared.
  return new Option('--db <path>', `audit database (default: ${defaultDatabaseDescription})`);
}

/** The levels `--log-level` accepts. */
export const logLevels: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The `--log-level <level>` option (logs go to stderr). */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', `log level on stderr: ${logLevels.join(', ')} (default: $MISSION_LOG_LEVEL, else warn)`).argParser(
    (value: string) => {
      if (!logLevels.includes(value)) throw new InvalidArgumentError(`expected one of ${logLevels.join(', ')}, got '${shown(value)}'.`);
      return value;
    },
  );
}

/** A user's value, cut short so a pasted megabyte does not come back in the message. */
function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}
