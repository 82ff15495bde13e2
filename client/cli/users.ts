/**
 * Manages the web console's users file (CASECLOCK_USERS_FILE, default .data/users.json):
 *
 *   npx tsx client/cli/users.ts add <id> --role administrator|head-of-service|manager|viewer [--team T] [--teams T1,T2] [--name "Full Name"] [--must-change]
 *   npx tsx client/cli/users.ts passwd <id>
 *   npx tsx client/cli/users.ts remove <id>
 *   npx tsx client/cli/users.ts list
 *   npx tsx client/cli/users.ts first-run
 *
 * `add` asks for the password twice on a terminal (not echoed), or reads it from the first line of
 * standard input (`printf '%s\n' "$PW" | npx tsx client/cli/users.ts add sam --role viewer`).
 * Adding an existing id replaces that user (new role, team or password). `passwd` sets a new
 * password and clears "must change password"; `--must-change` makes the user choose their own at
 * their next sign-in (for a password given to them by someone else). Every new password is checked
 * by client/identity/password-policy.ts. Only the scrypt hash is written; the file is readable by its owner only.
 * A new password for the first administrator (passwd, or add over them) deletes the first-run
 * password file when it held their old password. `first-run` is what `npm start` runs before the
 * console: it creates the development users file when there is none (as the console would), then
 * prints one line, FIRST RUN and where the password is while it is unchanged, else how many users.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../../common/config';
import { loadEnvFile } from '../../common/env-file';
import { ConsoleUser, ensureFirstUser, hashPassword, LocalUserId, readUsersFile, retireFirstAdminPassword, Role, type UsersFile, UsersFileError, usersFileNotice, writeUsersFile } from '../identity/auth';
import { checkNewPassword } from '../identity/password-policy';

class UsageError extends Error {}

const USAGE = `usage:
  npx tsx client/cli/users.ts add <id> --role administrator|head-of-service|manager|viewer [--team T] [--teams T1,T2] [--name "Full Name"] [--must-change]
  npx tsx client/cli/users.ts passwd <id>
  npx tsx client/cli/users.ts remove <id>
  npx tsx client/cli/users.ts list
  npx tsx client/cli/users.ts first-run`;

/** Reads a password: hidden prompt on a terminal (asked twice), else the first line of stdin. */
async function readPassword(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) {
    const rl = createInterface({ input, terminal: false });
    for await (const l of rl) {
      rl.close();
      return l;
    }
    return '';
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      output.write(prompt);
      input.setRawMode(true);
      input.resume();
      let value = '';
      const onData = (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            input.setRawMode(false);
            input.pause();
            input.off('data', onData);
            output.write('\n');
            return resolve(value);
          }
          if (ch === '\u0003') process.exit(130);
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      input.on('data', onData);
    });
  const first = await ask('Password: ');
  const again = await ask('Password again: ');
  if (first !== again) throw new UsageError('the two passwords differ: nothing was written');
  return first;
}

/** Says so when a new password also deleted the first-run password file. */
async function retired(file: string, previous: ConsoleUser | undefined): Promise<string> {
  const deleted = previous ? await retireFirstAdminPassword(file, previous.id, previous.passwordHash) : undefined;
  return deleted ? ` (deleted ${deleted}: the first password no longer works)` : '';
}

export async function run(argv: string[], file: string, password: () => Promise<string> = () => readPassword(), nodeEnv = 'development'): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, team: { type: 'string' }, teams: { type: 'string' }, name: { type: 'string' }, 'must-change': { type: 'boolean' } },
  });
  const [command, id] = positionals;
  if (command === 'first-run') {
    await ensureFirstUser(file, nodeEnv);
    return (await usersFileNotice(file)).line;
  }
  const current: UsersFile = existsSync(file) ? readUsersFile(file) : { users: [] };
  if (command === 'list') {
    return (
      current.users.map((u) => `${u.id}\t${u.role}${u.team ? `\tteam ${u.team}` : ''}${u.teams ? `\tteams ${u.teams.join(',')}` : ''}\t${u.name}${u.mustChangePassword ? '\t(must change password)' : ''}`).join('\n') ||
      '(no users)'
    );
  }
  if (command === 'remove' && id) {
    if (!current.users.some((u) => u.id === id)) throw new UsageError(`no user ${id} in ${file}`);
    writeUsersFile(file, { users: current.users.filter((u) => u.id !== id) });
    return `removed ${id} from ${file}`;
  }
  if (command === 'passwd' && id) {
    const user = current.users.find((u) => u.id === id);
    if (!user) throw new UsageError(`no user ${id} in ${file}`);
    const pw = await password();
    const weak = checkNewPassword(pw, { userId: user.id, name: user.name, role: user.role });
    if (weak !== undefined) throw new UsageError(`${weak}: nothing was written`);
    // The user chose (or was told) a password that passed the policy: no forced change is pending.
    const { mustChangePassword: _cleared, ...rest } = user;
    const updated: ConsoleUser = { ...rest, passwordHash: await hashPassword(pw) };
    writeUsersFile(file, { users: current.users.map((u) => (u.id === id ? updated : u)) });
    return `changed the password of ${id} in ${file}${await retired(file, user)}`;
  }
  if (command !== 'add' || !id) throw new UsageError(USAGE);
  // Before the password is asked for: an id single sign-on could give is never a password account's.
  const localId = LocalUserId.safeParse(id);
  if (!localId.success) throw new UsageError(`<id>: ${localId.error.issues[0]?.message ?? 'invalid'}: nothing was written`);
  const role = Role.safeParse(values.role);
  if (!role.success) throw new UsageError(`--role ${values.role === undefined ? 'is required' : JSON.stringify(values.role)}: must be one of: ${Role.options.join(', ')}`);
  const pw = await password();
  const weak = checkNewPassword(pw, { userId: id, name: values.name ?? id, role: role.data });
  if (weak !== undefined) throw new UsageError(`${weak}: nothing was written`);
  const candidate = ConsoleUser.safeParse({
    id,
    name: values.name ?? id,
    role: role.data,
    ...(values.team !== undefined ? { team: values.team } : {}),
    // A head of service's service area: --teams LOCALITY-NORTH,LOCALITY-SOUTH
    ...(values.teams !== undefined
      ? {
          teams: values.teams
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== ''),
        }
      : {}),
    passwordHash: await hashPassword(pw),
    ...(values['must-change'] === true ? { mustChangePassword: true } : {}),
  });
  if (!candidate.success) {
    const issue = candidate.error.issues[0];
    const flag = issue?.path[0] === 'id' ? '<id>' : `--${String(issue?.path[0] ?? '')}`;
    throw new UsageError(`${flag}: ${issue?.message ?? 'invalid'}: nothing was written`);
  }
  const previous = current.users.find((u) => u.id === id);
  writeUsersFile(file, { users: [...current.users.filter((u) => u.id !== id), candidate.data] });
  const mustChange = candidate.data.mustChangePassword === true ? '; must change the password at first sign-in' : '';
  return `${previous ? 'updated' : 'added'} ${id} (${role.data}${candidate.data.team ? `, team ${candidate.data.team}` : ''}${candidate.data.teams ? `, teams ${candidate.data.teams.join(', ')}` : ''}) in ${file}${mustChange}${await retired(file, previous)}`;
}

if (require.main === module) {
  // The same settings as `npm start`: .env at the top of the checkout (the environment wins).
  loadEnvFile();
  const config = loadConfigOrExit();
  run(process.argv.slice(2), config.CASECLOCK_USERS_FILE, undefined, config.NODE_ENV).then(
    (message) => process.stdout.write(`${message}\n`),
    (err: unknown) => {
      const known = err instanceof UsageError || err instanceof UsersFileError || (err instanceof Error && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION');
      process.stderr.write(`users: ${known && err instanceof Error ? err.message : `failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
      process.exit(known ? 2 : 1);
    },
  );
}
