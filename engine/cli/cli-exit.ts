/**
 * How a command ends the process: exit codes and the error that carries one. Kept apart from
 * everything heavy, so any command module can import it without slowing start-up.
 */

/** Process exit codes of the `mission` command. */
export const ExitCode = { succeeded: 0, failed: 1, invalid: 2, interrupted: 130, terminated: 143 } as const;

/** The code of a command line the CLI cannot act on (bad option value, missing store or directory). */
export const usageErrorCode = 'MISSION_ERR_USAGE';

/**
 * Thrown by subcommands to end the process with `exitCode` after printing `CODE: message` to
 * stderr. `code` defaults to `MISSION_ERR_USAGE` for exit 2; a message that already starts with a
 * code (`MISSION_ERR_RUN_NOT_FOUND: …`) is printed as it is.
 */
export class CliExit extends Error {
  readonly code: string | undefined;

  constructor(
    readonly exitCode: number,
    message = '',
    code?: string,
  ) {
    super(message);
    this.code = code ?? (exitCode === ExitCode.invalid ? usageErrorCode : undefined);
  }

  /** The line printed on stderr: `CODE: message`. */
  describe(): string {
    if (!this.message) return '';
    if (this.code === undefined || /^[A-Z][A-Z0-9_]*: /.test(this.message)) return this.message;
    return `${this.code}: ${this.message}`;
  }
}
