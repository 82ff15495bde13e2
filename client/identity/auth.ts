/**
 * CaseClock's password accounts: the users who sign in to the console (and, with the same session,
 * to the codec server) and under whose ids the command line records changes; their passwords.
 *
 * - Passwords: scrypt with a random 16-byte salt per user, stored as
 *   `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`; compared in constant time. No password is
 *   ever stored or logged.
 * - Users: a JSON file validated by zod (id, display name, role, team for managers, hash).
 * - Sessions, CSRF and who may do what: session.ts, access.ts and the console's app (client/console/app.tsx).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FreeText, SafeId, UserId } from '../../domain/facts';
import { isReservedForSso, SSO_ID_PREFIX } from '../../common/sso-identity';
import { API_ID_PREFIX, isReservedForApi } from '../../common/api-identity';

// --- passwords ---------------------------------------------------------------------------

const SCRYPT = { log2N: 15, r: 8, p: 1, keyLength: 32 } as const;
const HASH_FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]{16,64})\$([A-Za-z0-9+/=]{32,128})$/;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const scryptOptions = (log2N: number, r: number, p: number): ScryptOptions => ({ N: 2 ** log2N, r, p, maxmem: 256 * 1024 * 1024 });

export const MIN_PASSWORD_LENGTH = 12;

/** A new salted hash of a password, in the users-file format. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keyLength, scryptOptions(SCRYPT.log2N, SCRYPT.r, SCRYPT.p));
  return `scrypt$${SCRYPT.log2N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches `stored` (constant-time comparison; false for a malformed hash). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = HASH_FORMAT.exec(stored);
  if (!m) return false;
  const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (log2N < 14 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(m[4] ?? '', 'base64');
  const expected = Buffer.from(m[5] ?? '', 'base64');
  const actual = await scrypt(password, salt, expected.length, scryptOptions(log2N, r, p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of nothing anyone knows: checked against when the user id is unknown, so timing tells nothing. */
let decoyHash: Promise<string> | undefined;
export function decoy(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(18).toString('base64'));
  return decoyHash;
}

// --- users -------------------------------------------------------------------------------

export const ROLES = ['administrator', 'head-of-service', 'manager', 'viewer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** A password account's id: one that single sign-on (`sso.`) and the integration API (`api.`) can never give. */
export const LocalUserId = UserId.refine((id) => !isReservedForSso(id), `must not begin with "${SSO_ID_PREFIX}": those ids are kept for people who sign in through single sign-on`).refine(
  (id) => !isReservedForApi(id),
  `must not begin with "${API_ID_PREFIX}": those ids are kept for the integration API's clients (docs/api-clients.md)`,
);

export const ConsoleUser = z
  .object({
    id: LocalUserId,
    name: FreeText(200),
    role: Role,
    /** A manager steers, and a viewer reads, this team's cases (a team code, e.g. LOCALITY-NORTH). */
    team: SafeId.optional(),
    /** A head of service reads and acknowledges across these teams: their service area. */
    teams: z.array(SafeId).min(1).max(100).optional(),
    passwordHash: z.string().regex(HASH_FORMAT, 'must be a scrypt hash written by `npx tsx client/cli/users.ts add`'),
    /** The password was set by someone else (first run, `users.ts add --must-change`): the user must choose a new one at sign-in. */
    mustChangePassword: z.boolean().optional(),
  })
  .strict()
  .check((ctx) => {
    if (ctx.value.role === 'manager' && ctx.value.team === undefined) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: ['team'], message: 'a manager needs a team' });
    }
    if (ctx.value.role === 'head-of-service' && ctx.value.teams === undefined) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: ['teams'], message: 'a head of service needs the teams of their service area' });
    }
  });
export type ConsoleUser = z.infer<typeof ConsoleUser>;

export const UsersFile = z
  .object({ users: z.array(ConsoleUser) })
  .strict()
  .check((ctx) => {
    const seen = new Set<string>();
    ctx.value.users.forEach((u, i) => {
      if (seen.has(u.id)) ctx.issues.push({ code: 'custom', input: u.id, path: ['users', i, 'id'], message: `user id "${u.id}" appears more than once` });
      seen.add(u.id);
    });
  });
export type UsersFile = z.infer<typeof UsersFile>;

export class UsersFileError extends Error {
  override name = 'UsersFileError';
}

/** Reads and validates a users file; a mistake is one message naming the file, the field and why. */
export function readUsersFile(file: string): UsersFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsersFileError(`users file ${file}: ${code === 'ENOENT' ? 'no such file' : err instanceof SyntaxError ? `not valid JSON (${err.message})` : 'cannot be read'}`);
  }
  const parsed = UsersFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new UsersFileError(`users file ${file}: ${problems}`);
  }
  return parsed.data;
}

/** Writes a users file atomically, readable by its owner only. */
export function writeUsersFile(file: string, users: UsersFile): void {
  const valid = UsersFile.parse(users);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The users file, re-read whenever it changes on disk (so `users.ts add` needs no restart). */
export class UserDirectory {
  private cached: { mtimeMs: number; size: number; byId: Map<string, ConsoleUser> } | undefined;
  constructor(readonly file: string) {}

  find(id: string): ConsoleUser | undefined {
    const st = statSync(this.file);
    if (!this.cached || this.cached.mtimeMs !== st.mtimeMs || this.cached.size !== st.size) {
      const { users } = readUsersFile(this.file);
      this.cached = { mtimeMs: st.mtimeMs, size: st.size, byId: new Map(users.map((u) => [u.id, u])) };
    }
    return this.cached.byId.get(id);
  }
}

/** Where the first administrator's password is written, beside the users file. */
export const firstAdminPasswordFile = (usersFile: string): string => path.join(path.dirname(usersFile), 'first-admin-password.txt');

/**
 * First run in development: when the users file does not exist, creates it with one
 * administrator, `admin`, who must change the password at first sign-in. The random password is
 * written to a file readable by its owner only (firstAdminPasswordFile), never to a log, which
 * anyone reading logs could see. Never in production.
 */
export async function ensureFirstUser(file: string, nodeEnv: string): Promise<{ created: false } | { created: true; id: string; password: string; passwordFile: string }> {
  if (existsSync(file)) return { created: false };
  if (nodeEnv === 'production') {
    throw new UsersFileError(`users file ${file} does not exist: create it with \`npx tsx client/cli/users.ts add <id> --role administrator\` (CASECLOCK_USERS_FILE)`);
  }
  const password = randomBytes(15).toString('base64url');
  const passwordFile = firstAdminPasswordFile(file);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  // The password file first: a users file without it would lock everyone out.
  const tmp = `${passwordFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `user: admin\npassword: ${password}\n(sign in once with it, then choose your own: this file is deleted when you do)\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, passwordFile);
  writeUsersFile(file, {
    users: [{ id: 'admin', name: 'First administrator', role: 'administrator', passwordHash: await hashPassword(password), mustChangePassword: true }],
  });
  return { created: true, id: 'admin', password, passwordFile };
}

/** The user and password in the first administrator's password file, as ensureFirstUser wrote them; undefined when there is no such file. */
function readFirstAdminPasswordFile(passwordFile: string): { user: string; password: string } | undefined {
  let text: string;
  try {
    text = readFileSync(passwordFile, 'utf8');
  } catch {
    return undefined;
  }
  const user = /^user: (.+)$/m.exec(text)?.[1];
  const password = /^password: (.+)$/m.exec(text)?.[1];
  return user !== undefined && password !== undefined ? { user, password } : undefined;
}

/**
 * Whether the first administrator's password file still signs its user in: the file exists and
 * its password is still that user's. Once they have chosen their own, the file is stale (or gone).
 */
export async function firstAdminPasswordPending(usersFile: string, users: UsersFile = readUsersFile(usersFile)): Promise<{ user: string; passwordFile: string } | undefined> {
  const passwordFile = firstAdminPasswordFile(usersFile);
  const first = readFirstAdminPasswordFile(passwordFile);
  const user = first && users.users.find((u) => u.id === first.user);
  if (!first || !user || !(await verifyPassword(first.password, user.passwordHash))) return undefined;
  return { user: user.id, passwordFile };
}

/**
 * After `userId`'s password was changed from `previousHash` (the console's account page, users.ts
 * passwd or add): deletes the first administrator's password file, but only that file and only
 * if it held `userId`'s previous password, the first one. A password that no longer signs anyone
 * in is not left lying on disk, and a file that says something else is not ours to remove.
 * Returns the file deleted, if any.
 */
export async function retireFirstAdminPassword(usersFile: string, userId: string, previousHash: string): Promise<string | undefined> {
  const passwordFile = firstAdminPasswordFile(usersFile);
  const first = readFirstAdminPasswordFile(passwordFile);
  if (!first || first.user !== userId || !(await verifyPassword(first.password, previousHash))) return undefined;
  try {
    unlinkSync(passwordFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return passwordFile;
}

/**
 * What a start says about the users file, in one line: while the first administrator's password is
 * unchanged, FIRST RUN and where it is (never the password); otherwise how many users the file
 * holds. The console's log and `npm start` (users.ts first-run) print it.
 */
export async function usersFileNotice(usersFile: string): Promise<{ firstRun: boolean; line: string }> {
  const users = readUsersFile(usersFile);
  const pending = await firstAdminPasswordPending(usersFile, users);
  if (pending) {
    return {
      firstRun: true,
      line: `FIRST RUN: the console's first user is ${pending.user}, its password in ${pending.passwordFile} (readable by you only). Sign in with it and choose your own (the file is then deleted); add staff with \`npx tsx client/cli/users.ts add\`.`,
    };
  }
  const n = users.users.length;
  return { firstRun: false, line: `users file ${usersFile}: ${n} ${n === 1 ? 'user' : 'users'}` };
}

// --- roles ---------------------------------------------------------------------------------

export type { Decision, Permission } from './access';
