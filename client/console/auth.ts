/**
 * Who is signed in to the web console, and what they may do.
 *
 * - Passwords: scrypt with a random 16-byte salt per user, stored as
 *   `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`; compared in constant time. No password is
 *   ever stored or logged.
 * - Users: a JSON file validated by zod (id, display name, role, team for managers, hash).
 * - Sessions: a signed cookie (HMAC-SHA256 with the session secret) carrying the user id, a random
 *   session id and an expiry; the user's role and team are read from the users file on every
 *   request, so a change of role or a removed user takes effect at once.
 * - CSRF: every form carries a token derived from the session id (HMAC), checked on every POST.
 * - Roles: administrator does everything; a manager steers the cases of their own team and
 *   acknowledges escalations there; a viewer reads only.
 */
import { createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FreeText, SafeId, UserId } from '../../domain/facts';

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

export const ROLES = ['administrator', 'manager', 'viewer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const ConsoleUser = z
  .object({
    id: UserId,
    name: FreeText(200),
    role: Role,
    /** Managers steer this team's cases (a team code, e.g. LOCALITY-NORTH). */
    team: SafeId.optional(),
    passwordHash: z.string().regex(HASH_FORMAT, 'must be a scrypt hash written by `npx tsx client/console/users.ts add`'),
    /** The password was set by someone else (first run, `users.ts add --must-change`): the user must choose a new one at sign-in. */
    mustChangePassword: z.boolean().optional(),
  })
  .strict()
  .check((ctx) => {
    if (ctx.value.role === 'manager' && ctx.value.team === undefined) {
      ctx.issues.push({ code: 'custom', input: ctx.value, path: ['team'], message: 'a manager needs a team' });
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
export async function ensureFirstUser(
  file: string,
  nodeEnv: string,
): Promise<{ created: false } | { created: true; id: string; password: string; passwordFile: string }> {
  if (existsSync(file)) return { created: false };
  if (nodeEnv === 'production') {
    throw new UsersFileError(
      `users file ${file} does not exist: create it with \`npx tsx client/console/users.ts add <id> --role administrator\` (CASECLOCK_USERS_FILE)`,
    );
  }
  const password = randomBytes(15).toString('base64url');
  const passwordFile = firstAdminPasswordFile(file);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  // The password file first: a users file without it would lock everyone out.
  const tmp = `${passwordFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `user: admin\npassword: ${password}\n(sign in once with it, then choose your own; delete this file afterwards)\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, passwordFile);
  writeUsersFile(file, {
    users: [{ id: 'admin', name: 'First administrator', role: 'administrator', passwordHash: await hashPassword(password), mustChangePassword: true }],
  });
  return { created: true, id: 'admin', password, passwordFile };
}

// --- sessions and CSRF ---------------------------------------------------------------------

export const SESSION_COOKIE = 'caseclock_session';
export const LOGIN_COOKIE = 'caseclock_login';

export interface Session {
  /** User id. */
  uid: string;
  /** Random session id: the CSRF token is derived from it. */
  sid: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

const SessionPayload = z.object({ uid: UserId, sid: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/), exp: z.number().int().positive() }).strict();

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function mac(secret: string, purpose: string, value: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\n${value}`).digest();
}

function sameMac(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const EndedSessionsFile = z.object({ ended: z.record(z.string(), z.number()) }).strict();

/**
 * Sessions signed out before they expired. Kept in a file when one is given, so that every
 * process checking sessions refuses them: the console after a restart, another console replica,
 * and the codec server (which accepts console sign-ins from the Web UI). The file holds random
 * session ids and expiry times only; entries are dropped once expired.
 */
class EndedSessions {
  private readonly inMemory = new Map<string, number>();
  private cached: { mtimeMs: number; size: number; ended: Map<string, number> } | undefined;

  constructor(private readonly file?: string) {}

  has(sid: string): boolean {
    return this.inMemory.has(sid) || this.fromFile().has(sid);
  }

  add(sid: string, exp: number, now: number): void {
    for (const [id, until] of this.inMemory) if (until <= now) this.inMemory.delete(id);
    this.inMemory.set(sid, exp);
    if (!this.file) return;
    // Read again just before writing, so a sign-out another process wrote a moment ago is kept.
    this.cached = undefined;
    const ended = new Map([...this.fromFile()].filter(([, until]) => until > now));
    ended.set(sid, exp);
    mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ended: Object.fromEntries(ended) })}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  private fromFile(): Map<string, number> {
    if (!this.file) return new Map();
    let st: { mtimeMs: number; size: number };
    try {
      st = statSync(this.file);
    } catch {
      return new Map(); // nobody has signed out yet
    }
    if (!this.cached || this.cached.mtimeMs !== st.mtimeMs || this.cached.size !== st.size) {
      let ended = new Map<string, number>();
      try {
        ended = new Map(Object.entries(EndedSessionsFile.parse(JSON.parse(readFileSync(this.file, 'utf8'))).ended));
      } catch {
        // A damaged file is rewritten whole at the next sign-out; meanwhile only this process's
        // sign-outs count (refusing everyone instead would lock staff out of the console).
      }
      this.cached = { mtimeMs: st.mtimeMs, size: st.size, ended };
    }
    return this.cached.ended;
  }
}

/** Where the signed-out sessions are kept: next to the users file, which every checking process reads. */
export function endedSessionsFile(usersFile: string): string {
  return path.join(path.dirname(usersFile), 'signed-out-sessions.json');
}

/** Signs and checks session cookies, CSRF tokens and the sign-in form's token with one secret. */
export class SessionKeeper {
  private readonly ended: EndedSessions;

  /** `endedFile`: where sign-outs are shared with other processes (see endedSessionsFile). */
  constructor(
    private readonly secret: string,
    readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
    endedFile?: string,
  ) {
    if (secret.length < 32) throw new Error('session secret must be at least 32 characters');
    this.ended = new EndedSessions(endedFile);
  }

  issue(uid: string): { session: Session; cookie: string } {
    const session: Session = { uid, sid: randomBytes(18).toString('base64url'), exp: this.now() + this.lifetimeMs };
    const body = b64url(JSON.stringify(session));
    return { session, cookie: `${body}.${b64url(mac(this.secret, 'session', body))}` };
  }

  /** The session a cookie value proves, or undefined (bad signature, malformed, expired, signed out). */
  verify(cookie: string | undefined): Session | undefined {
    if (!cookie || cookie.length > 1024) return undefined;
    const dot = cookie.indexOf('.');
    if (dot <= 0) return undefined;
    const body = cookie.slice(0, dot);
    const signature = Buffer.from(cookie.slice(dot + 1), 'base64url');
    if (!sameMac(signature, mac(this.secret, 'session', body))) return undefined;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const parsed = SessionPayload.safeParse(payload);
    if (!parsed.success) return undefined;
    const now = this.now();
    if (parsed.data.exp <= now) return undefined;
    if (this.ended.has(parsed.data.sid)) return undefined;
    return parsed.data;
  }

  end(session: Session): void {
    this.ended.add(session.sid, session.exp, this.now());
  }

  csrfToken(session: Session): string {
    return b64url(mac(this.secret, 'csrf', session.sid));
  }

  checkCsrf(session: Session, token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 128) return false;
    return sameMac(Buffer.from(token, 'base64url'), mac(this.secret, 'csrf', session.sid));
  }

  /** The sign-in form has no session yet: a random cookie value and a token bound to it. */
  loginNonce(existing?: string): { cookie: string; token: string } {
    // Reused while the browser has one, so two sign-in tabs (or a stray request) do not spoil each other.
    const cookie = existing !== undefined && /^[A-Za-z0-9_-]{24}$/.test(existing) ? existing : randomBytes(18).toString('base64url');
    return { cookie, token: b64url(mac(this.secret, 'login', cookie)) };
  }

  checkLogin(cookie: string | undefined, token: unknown): boolean {
    if (!cookie || typeof token !== 'string' || token.length > 128 || cookie.length > 128) return false;
    return sameMac(Buffer.from(token, 'base64url'), mac(this.secret, 'login', cookie));
  }
}

/** Refuses sign-in for a while after repeated failures for one user id (or one address). */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();
  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(key: string): boolean {
    const f = this.failures.get(key);
    if (!f) return false;
    if (f.until <= this.now()) {
      this.failures.delete(key);
      return false;
    }
    return f.count >= this.limit;
  }

  fail(key: string): void {
    const now = this.now();
    const f = this.failures.get(key);
    if (!f || f.until <= now) this.failures.set(key, { count: 1, until: now + this.windowMs });
    else f.count += 1;
    if (this.failures.size > 10_000) for (const [k, v] of this.failures) if (v.until <= now) this.failures.delete(k);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}

// --- roles ---------------------------------------------------------------------------------

/**
 * What someone wants to do:
 * - `read`: any page;
 * - `steer`: change a case (record events, tier, meetings, waive, hold, reassign, close) or open one;
 * - `acknowledge`: acknowledge an escalation on a case;
 * - `administer`: apply a policy to a case (re-computes deadlines: an administrator's act).
 * `team` is the case's team (for opening a case, the team it is opened in; for a serious incident,
 * its team).
 */
export type Permission = 'read' | 'steer' | 'acknowledge' | 'administer';

export interface Decision {
  allowed: boolean;
  /** Why not, in words for the 403 page. */
  reason?: string;
}

export function decide(user: Pick<ConsoleUser, 'role' | 'team' | 'id'>, permission: Permission, team?: string): Decision {
  if (permission === 'read') return { allowed: true };
  if (user.role === 'administrator') return { allowed: true };
  if (user.role === 'viewer') return { allowed: false, reason: `${user.id} has read-only access (role viewer): nothing was changed` };
  // manager
  if (permission === 'administer') return { allowed: false, reason: 'only an administrator may apply a policy to a case: nothing was changed' };
  if (team === undefined || team !== user.team) {
    return {
      allowed: false,
      reason: `${user.id} manages team ${user.team ?? '(none)'}${team ? `, and this case belongs to team ${team}` : ''}: nothing was changed`,
    };
  }
  return { allowed: true };
}

/** Whether the user may change anything at all (decides which forms a page shows). */
export const canChangeAnything = (user: Pick<ConsoleUser, 'role'>): boolean => user.role !== 'viewer';
