/**
 * The `caseclock` command. Each command lives in client/cli/commands/<name>.ts and exports
 * `register(program)`; this file only wires them together and turns errors into one clear line.
 */
import { Command, CommanderError } from 'commander';
import { configureProcessLogger } from '../../common/log';
import { CliError } from './support';
import * as admin from './commands/admin';
import * as calendar from './commands/calendar';
import { oneLine, quoted } from './commands/common';
import * as due from './commands/due';
import * as events from './commands/events';
import * as importCases from './commands/import';
import * as report from './commands/report';
import * as ssd from './commands/ssd';
import * as summaries from './commands/summaries';
import * as staff from './commands/staff';
import * as teams from './commands/teams';
import * as view from './commands/view';

export function buildProgram(): Command {
  const program = new Command('caseclock')
    .description("CaseClock: statutory clocks for children's social care")
    .exitOverride()
    .showHelpAfterError(false)
    // Commander puts "(Did you mean ...?)" on a second line; errors are one line.
    .showSuggestionAfterError(false)
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // Commander's own usage errors ("error: unknown option '--x'") read like every other error.
      outputError: (s, write) => write(`caseclock: ${oneLine(s.trim().replace(/^error: /, ''))}\n`),
    });
  for (const command of [admin, importCases, events, report, view, teams, staff, ssd, summaries, due, calendar]) command.register(program);
  for (const group of [program, ...program.commands]) if (group.commands.length > 0) requireSubcommand(group);
  return program;
}

/**
 * Commander answers a group (`caseclock`, `caseclock meeting`) given no command, or one it does not
 * know, by printing the whole help on stderr: here that is one line naming the commands instead.
 */
function requireSubcommand(group: Command): void {
  const path = group.parent ? `${group.parent.name()} ${group.name()}` : group.name();
  const names = group.commands.map((c) => c.name()).join(', ');
  group
    .helpCommand(true)
    .allowExcessArguments()
    .action((_options: unknown, self: Command) => {
      const given = self.args[0];
      if (given === undefined) throw new CliError(`${group.parent ? `${path} needs` : 'give'} a command: ${names} (see ${path} --help)`);
      throw new CliError(`unknown command ${quoted(given)}${group.parent ? ` for ${path}` : ''}; use one of: ${names}`);
    });
}

/** Runs the command line and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // stdout is the command's answer (tables, --json): the log's lines, warnings included, go to stderr.
  configureProcessLogger({ to: 'stderr' });
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
      process.stderr.write(`caseclock: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`caseclock: unexpected error: ${oneLine(message.split('\n')[0] ?? '')}\n`);
    return 70;
  }
}
