/**
 * What every case command shares: who is acting (`--as`), option validation that names the
 * option at fault, a Temporal connection that is always closed, and refusals turned into one line.
 * Not a command itself (cli.ts does not register it).
 */
import { CaseRecordInvalid, redactUrl, type CaseRecordStore } from '../../../store/case-record-store';
import { openStore } from '../../case-record';
import { type CaseSummaries, openCaseSummaries } from '../../../store/case-summaries';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { z } from 'zod';
import { UserId } from '../../../domain/facts';
import { quoted, readUkDateTime, withoutInvisibles } from '../../../domain/as-typed';
import { loadCaseSnapshot, PolicyError } from '../../../domain/policy-loader';
import type { PolicySnapshot } from '../../../domain/policy';
import { CaseActionError } from '../../../common/cases';
import { CliError } from '../support';
import { type Config, ConfigError, ConfigSchema, parseConfig } from '../../../common/config';
import { configureProcessLogger } from '../../../common/log';
import { REPO_ROOT } from '../../../common/env-file';
import { readUsersFile, UsersFileError } from '../../identity/auth';
import { mayManageStaff, mayManageTeams } from '../../identity/access';
import { DirectoryInvalid } from '../../../store/directory';
import { openTeamDirectory } from '../../../store/team-directory';
import { knownTeams, type KnownTeams, unknownTeam } from '../../../common/teams';
import { valueAt } from '../../actions/fields';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { connectClient } from '../../../common/temporal';

/** How long a command waits for Temporal (and the case's worker) to answer before giving up. */
export const ANSWER_TIMEOUT_MS = 30_000;

/** The options every case command takes. */
export interface CommonOptions {
  as?: string;
  json?: boolean;
  /** Act as an operator: the `--as` name is recorded without being looked up in the console's users. */
  operator?: boolean;
}

/**
 * Validates raw command-line values with a zod schema; the first problem becomes one line naming
 * the option (`--at "2026-02-30T10:00Z": must be ...`). `names` maps schema paths to option names.
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown, names: Record<string, string> = {}): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new CliError('invalid input');
  const key = issue.path.map(String).join('.');
  let name = key === '' ? (names[''] ?? '') : `--${key}`;
  for (let n = issue.path.length; n > 0; n--) {
    const known = names[issue.path.slice(0, n).map(String).join('.')];
    if (known !== undefined) {
      name = known;
      break;
    }
  }
  const given = valueAt(raw, issue.path);
  // Nothing given where the schema wants a value (zod says invalid_type, invalid_value for an enum, invalid_union for 1|2).
  if (given === undefined && issue.code !== 'custom') throw new CliError(`${name} is required`);
  const shown = typeof given === 'string' || typeof given === 'number' ? ` ${quoted(String(given))}` : '';
  const message = issue.code === 'invalid_value' ? `must be one of: ${issue.values.map(String).join(', ')}` : issue.message;
  throw new CliError(`${name}${shown}: ${message}`.trim());
}

/** Longest error line printed. */
const MAX_LINE = 1000;

/**
 * A value the user typed, as an error shows it (domain/as-typed.ts, as the import quotes a cell):
 * quoted, cut to its first characters, with control and bidirectional-override characters written
 * as `\uXXXX`, so an echo can neither flood the terminal nor forge or disguise the line.
 */
export { quoted };

/** Any message as one bounded line with nothing invisible in it (the last guard before stderr). */
export function oneLine(message: string): string {
  const line = withoutInvisibles(message);
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

/** The web console's users file as the console started by `npm start` finds it (a relative path is from the checkout's top). */
export function consoleUsersFile(env: Record<string, string | undefined> = process.env): string {
  const parsed = ConfigSchema.shape.CASECLOCK_USERS_FILE.safeParse(env['CASECLOCK_USERS_FILE']);
  return path.resolve(REPO_ROOT, parsed.success ? parsed.data : '.data/users.json');
}

const OPERATOR_ENV = /^(1|true|yes)$/i;

/**
 * Who made the change: `--as`, else CASECLOCK_USER, else a clear refusal. The name goes on the
 * case's timeline, so it must be someone the web console knows (its users file): a typo or a
 * stranger is refused, and a viewer may not change anything, as in the console. Whoever runs the
 * command line can reach Temporal directly, so this guards the record, not the cases: `--operator`
 * (or CASECLOCK_OPERATOR=1) records the name unchecked, and with no users file at all the command
 * says it acts as an operator.
 */
export function actor(options: CommonOptions, env: Record<string, string | undefined> = process.env, warn: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): string {
  const raw = options.as ?? (env['CASECLOCK_USER'] === '' ? undefined : env['CASECLOCK_USER']);
  if (raw === undefined) throw new CliError('who is making this change? pass --as <userId> or set CASECLOCK_USER');
  const source = options.as !== undefined ? '--as' : 'CASECLOCK_USER';
  const parsed = UserId.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(`${source} ${quoted(raw)}: ${parsed.error.issues[0]?.message ?? 'is not a user id'}`);
  }
  const id = parsed.data;
  if (options.operator === true || OPERATOR_ENV.test(env['CASECLOCK_OPERATOR'] ?? '')) return id;
  const file = consoleUsersFile(env);
  if (!existsSync(file)) {
    warn(`caseclock: note: no web console users file at ${file}: acting as operator ${quoted(id)}, a name not checked against any user (--operator says so and hides this note)`);
    return id;
  }
  let user;
  try {
    user = readUsersFile(file).users.find((u) => u.id === id);
  } catch (err) {
    if (err instanceof UsersFileError) throw new CliError(`cannot check ${source} ${quoted(id)}: ${err.message}`, 78);
    throw err;
  }
  if (user === undefined) {
    throw new CliError(
      `${source} ${quoted(id)} is not a user of the web console (${file}): give your own user id, add it with \`npx tsx client/cli/users.ts add\`, or pass --operator to record the change under this name as an operator`,
    );
  }
  if (user.role === 'viewer') throw new CliError(`${source} ${quoted(id)} has read-only access in the web console (role viewer): nothing was changed`);
  return id;
}

/**
 * Who is changing something only administrators may change (the team or staff directory): `actor`,
 * and then, when the console's users file is there and no operator is acting, an administrator.
 */
export function administratorActor(options: CommonOptions, env: Record<string, string | undefined> = process.env, warn?: (line: string) => void, directory: 'team' | 'staff' | 'summaries' = 'team'): string {
  const id = actor(options, env, warn);
  if (options.operator === true || OPERATOR_ENV.test(env['CASECLOCK_OPERATOR'] ?? '')) return id;
  const file = consoleUsersFile(env);
  if (!existsSync(file)) return id;
  const user = readUsersFile(file).users.find((u) => u.id === id);
  if (user !== undefined && !(directory === 'staff' ? mayManageStaff(user) : mayManageTeams(user))) {
    const source = options.as !== undefined ? '--as' : 'CASECLOCK_USER';
    const what = directory === 'summaries' ? 'ask cases to write their summaries' : `change the ${directory} directory`;
    throw new CliError(`${source} ${quoted(id)} is not an administrator: only an administrator may ${what}, nothing was changed`);
  }
  return id;
}

/**
 * The team directory's teams, read once for the command: a case, an incident or an import row in a
 * team it does not list is refused (common/teams.ts). A directory that cannot be read refuses the
 * command rather than let an unchecked team through.
 */
export async function directoryTeams(): Promise<KnownTeams> {
  const config = loadConfig();
  const directory = openTeamDirectory(config.CASECLOCK_STORE_URL);
  try {
    return await knownTeams(directory);
  } catch (err) {
    throw new CliError(`cannot check the team against the team directory at ${redactUrl(config.CASECLOCK_STORE_URL)}: ${firstLine(err)}: nothing was changed`, 69);
  } finally {
    await directory.close().catch(() => undefined);
  }
}

/** `--team`, refused by name when the team directory does not list it. */
export function checkTeamOption(known: KnownTeams, team: string, flag = '--team'): void {
  const problem = unknownTeam(known, team);
  if (problem !== undefined) throw new CliError(`${flag} ${quoted(team)} ${problem}: nothing was changed`);
}

/**
 * `--at` (and every other date and time option), read as the import reads a date
 * (domain/as-typed.ts): UK local time as typed, `30/11/2026 10:30` or `2026-11-30T10:30`, or an
 * instant with an offset; a date alone is the start of that day. Now when absent.
 */
export function instantOption(value: string | undefined, flag = '--at', now: Date = new Date()): string {
  if (value === undefined) return now.toISOString();
  const read = readUkDateTime(value);
  if (read.ok) return read.instant;
  throw new CliError(`${flag} ${quoted(value)} ${read.problem}`);
}

/** The configuration, or one line naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  try {
    const config = parseConfig(env);
    configureProcessLogger({ level: config.LOG_LEVEL });
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      const problems = err.message
        .split('\n')
        .slice(1)
        .map((l) => l.trim());
      throw new CliError(`configuration is not valid: ${problems.join('; ')}`, 78);
    }
    throw err;
  }
}

/**
 * Connects to Temporal, runs `fn`, always closes the connection. Refusals from the case become
 * CliError; a case that does not answer in time (no worker running) says so instead of hanging.
 */
export async function withClient<T>(fn: (client: Client, config: Config) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const config = loadConfig();
  const timeoutMs = options.timeoutMs ?? ANSWER_TIMEOUT_MS;
  let connection: Awaited<ReturnType<typeof connectClient>>;
  try {
    connection = await connectClient(config, { warnIfUnencrypted: false });
  } catch (err) {
    throw new CliError(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${firstLine(err)}`, 69);
  }
  try {
    return await connection.client.withDeadline(Date.now() + timeoutMs, () => fn(connection.client, config));
  } catch (err) {
    throw asCliError(err, timeoutMs);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Opens the case-record store, runs `fn`, always closes it. A store that cannot be reached says
 * where it was looked for (without its password).
 */
export async function withStore<T>(fn: (store: CaseRecordStore, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = openStore(config);
  try {
    return await fn(store, config);
  } catch (err) {
    if (err instanceof CliError || err instanceof CaseRecordInvalid) throw err instanceof CaseRecordInvalid ? new CliError(err.message) : err;
    throw new CliError(`cannot read the case record at ${redactUrl(config.CASECLOCK_STORE_URL)}: ${firstLine(err)}`, 69);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/**
 * Opens the case summaries (in the case-record store, at the same URL), runs `fn`, always closes
 * them: every read command and what a change prints read the cases there, never the workflows.
 */
export async function withSummaries<T>(fn: (summaries: CaseSummaries, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const summaries = openCaseSummaries(config.CASECLOCK_STORE_URL);
  try {
    return await fn(summaries, config);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof CaseRecordInvalid) throw new CliError(err.message);
    throw new CliError(`cannot read the case summaries at ${redactUrl(config.CASECLOCK_STORE_URL)}: ${firstLine(err)}`, 69);
  } finally {
    await summaries.close().catch(() => undefined);
  }
}

/**
 * Opens one of the store's directories (staff, teams), runs `fn`, always closes it. A refusal is one
 * line naming the option (`flags`: field to option) it came from; a store that cannot be reached
 * says where it was looked for (without its password), exit 69.
 */
export async function withDirectory<D extends { close(): Promise<void> }, T>(what: string, open: (url: string) => D, flags: Record<string, string>, fn: (directory: D) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const directory = open(config.CASECLOCK_STORE_URL);
  try {
    return await fn(directory);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof DirectoryInvalid) throw new CliError(`${flags[err.field] ?? err.field}: ${err.problem}: nothing was changed`);
    throw new CliError(`cannot reach the ${what} at ${redactUrl(config.CASECLOCK_STORE_URL)}: ${firstLine(err)}`, 69);
  } finally {
    await directory.close().catch(() => undefined);
  }
}

/** Turns whatever a case action threw into the one line a person needs. */
export function asCliError(err: unknown, timeoutMs = ANSWER_TIMEOUT_MS): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof CaseActionError) return new CliError(firstLine(err), 1);
  if (err instanceof PolicyError) return new CliError(err.message);
  const message = firstLine(err);
  if (/deadline exceeded|DEADLINE_EXCEEDED/i.test(message)) {
    return new CliError(`no answer within ${Math.round(timeoutMs / 1000)} s: is a CaseClock worker running? (a change sent may still be applied when it is)`, 75);
  }
  return err;
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/**
 * The policy a case is frozen with: `--policy`, else CASECLOCK_POLICY, else the national
 * baseline, with the England and Wales bank holidays (plus the policy's extras).
 */
export function policySnapshot(file: string | undefined, config: Config): PolicySnapshot {
  const chosen = file ?? config.CASECLOCK_POLICY;
  try {
    return loadCaseSnapshot(chosen);
  } catch (err) {
    if (err instanceof PolicyError) throw new CliError(err.message);
    throw err;
  }
}

/** The options every command that changes a case takes. */
export function commonOptions(command: Command, changes = true): Command {
  if (changes) {
    command
      .option('--as <userId>', 'who is making the change, a web console user (default: $CASECLOCK_USER)')
      .option('--operator', 'record --as unchecked, as an operator without a console account (default: $CASECLOCK_OPERATOR)');
  }
  return command.option('--json', 'print one JSON document for scripts').showSuggestionAfterError(false);
}

/** `"2"` → 2 for schemas that want a number; anything else is passed on for the schema to refuse by name. */
export function numeric(value: string | undefined): number | string | undefined {
  return value !== undefined && /^\d{1,3}$/.test(value) ? Number(value) : value;
}
