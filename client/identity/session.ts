/**
 * What a console session holds, and who it proves is signed in. The session itself is
 * @fastify/session's: a signed cookie carrying a random id, the data in the shared console store
 * (store/console-store.ts). The same checks run in the console and in the codec server (which
 * accepts a console sign-in from the Temporal Web UI), so a session is good in both or neither.
 */
import { createHmac } from 'node:crypto';
import { signerFactory } from '@fastify/cookie';
import { z } from 'zod';
import { isReservedForSso, isSsoUserId } from '../../common/sso-identity';
import { SafeId, UserId } from '../../domain/facts';
import type { ConsoleStore } from '../../store/console-store';
import type { Person } from './access';
import { Role, type UserDirectory } from './auth';

export const SESSION_COOKIE = 'caseclock_session';

/** The limits configuration sets (CONSOLE_SESSION_HOURS, CONSOLE_IDLE_MINUTES). */
export function consoleSessionLimits(config: { CONSOLE_SESSION_HOURS: number; CONSOLE_IDLE_MINUTES: number }): SessionLimits {
  return { lifetimeMs: config.CONSOLE_SESSION_HOURS * 3_600_000, idleMs: config.CONSOLE_IDLE_MINUTES * 60_000 };
}

export interface SessionLimits {
  /** Longest a sign-in lasts, whatever the activity. */
  lifetimeMs: number;
  /** A session unused this long is signed out. */
  idleMs: number;
}

/** The signed-in part of a session's data (the plugin adds its cookie and the CSRF secret). */
export const SignedIn = z.object({
  via: z.enum(['password', 'sso']),
  uid: UserId,
  /** When the person signed in, and when the session was last used (ms since the epoch). */
  since: z.number().int().positive(),
  seen: z.number().int().positive(),
  /** Password sign-ins: a keyed digest of the password hash, so a changed password ends the session. */
  pw: z.string().max(64).optional(),
  /** Single sign-on: who the identity provider said they are, at sign-in. */
  person: z.object({ id: UserId, name: z.string().max(200), role: Role, team: SafeId.optional(), teams: z.array(SafeId).max(100).optional() }).optional(),
});
export type SignedIn = z.infer<typeof SignedIn>;

/** A keyed digest of a password hash: changes whenever the password does, reveals nothing. */
export function passwordStamp(secret: string, passwordHash: string): string {
  return createHmac('sha256', secret).update(`password-stamp\n${passwordHash}`).digest('base64url').slice(0, 32);
}

export type SessionVerdict = { person: Person; mustChangePassword: boolean } | { person?: undefined; reason: 'none' | 'expired' | 'idle' | 'password-changed' | 'user-removed' };

/** Who a session's data proves is signed in, now; or why nobody. */
export function personFromSession(data: unknown, users: UserDirectory, secret: string, limits: SessionLimits, now = Date.now()): SessionVerdict {
  const parsed = SignedIn.safeParse(data);
  if (!parsed.success) return { reason: 'none' };
  const s = parsed.data;
  if (now - s.since > limits.lifetimeMs) return { reason: 'expired' };
  if (now - s.seen > limits.idleMs) return { reason: 'idle' };
  if (s.via === 'sso') {
    // A single sign-on session acts only as a single sign-on id (issuer and subject), never as a
    // password account: a session from before such ids (keyed by the provider's user name) is over.
    if (!s.person || !isSsoUserId(s.uid) || s.person.id !== s.uid) return { reason: 'none' };
    return { person: { ...s.person, via: 'sso' }, mustChangePassword: false };
  }
  if (isReservedForSso(s.uid)) return { reason: 'none' };
  const user = users.find(s.uid);
  if (!user) return { reason: 'user-removed' };
  if (s.pw !== passwordStamp(secret, user.passwordHash)) return { reason: 'password-changed' };
  const person: Person = { id: user.id, name: user.name, role: user.role, via: 'password', ...(user.team ? { team: user.team } : {}), ...(user.teams ? { teams: user.teams } : {}) };
  return { person, mustChangePassword: (user as { mustChangePassword?: boolean }).mustChangePassword === true };
}

/**
 * Checks a console session cookie outside the console (the codec server): the signature, then the
 * stored session, then `personFromSession`. Does not mark the session used.
 */
export function consoleCookieChecker(store: ConsoleStore, users: UserDirectory, secret: string, limits: SessionLimits) {
  const signer = signerFactory(secret);
  return async (cookie: string, now = Date.now()): Promise<Person | undefined> => {
    if (cookie.length > 512) return undefined;
    const unsigned = signer.unsign(cookie);
    if (!unsigned.valid || unsigned.value === null) return undefined;
    const data = await store.getSession(unsigned.value);
    if (!data) return undefined;
    const verdict = personFromSession(data, users, secret, limits, now);
    return verdict.person && !verdict.mustChangePassword ? verdict.person : undefined;
  };
}
