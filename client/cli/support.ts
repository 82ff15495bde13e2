/**
 * Shared plumbing for the `caseclock` command: user-facing errors print one line, never a stack.
 */

/** An error whose message is meant for the person at the console. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Writes a result either as readable text or as one JSON document (`--json`). */
export function output(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}
