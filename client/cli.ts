/**
 * The `caseclock` command. Each command lives in client/commands/<name>.ts and exports
 * `register(program)`; this file only wires them together and turns errors into one clear line.
 */
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-support';
import * as admin from './commands/admin';
import * as calendar from './commands/calendar';
import * as due from './commands/due';
import * as events from './commands/events';
import * as report from './commands/report';
import * as view from './commands/view';

export function buildProgram(): Command {
  const program = new Command('caseclock')
    .description('CaseClock: statutory clocks for children\'s social care')
    .exitOverride()
    .showHelpAfterError(false)
    // Commander puts "(Did you mean ...?)" on a second line; errors are one line.
    .showSuggestionAfterError(false)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const command of [admin, events, report, view, due, calendar]) command.register(program);
  return program;
}

/** Runs the command line and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version output exit 0; usage errors have already printed one line.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`caseclock: ${err.message}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`caseclock: unexpected error: ${message.split('\n')[0]}\n`);
    return 70;
  }
}
