/**
 * The web console's shared state, in the case-record store's database: sessions, failed sign-ins,
 * the record of who viewed which case, and the access single sign-on last gave each person. Shared, so that every console replica and the codec
 * server agree on who is signed in, a lockout holds whichever replica answers, and an
 * administrator can see every view of a child's case.
 */
import { z } from 'zod';
import { isSsoUserId } from '../common/sso-identity';
import { IsoInstant, SafeId, UserId } from '../domain/facts';
import { pooledTransactions } from './case-record-store';

/** One view of a case or incident, as an administrator reads it. */
export interface CaseView {
  viewedAt: string;
  viewer: string;
  role: string;
  subject: 'case' | 'incident';
  caseId: string;
  /** What was looked at: `page`, `api`, `feed` (a calendar feed fetched), ... */
  what: string;
}

export const CaseViewInput = z.strictObject({
  viewer: UserId,
  role: z.string().min(1).max(40),
  subject: z.enum(['case', 'incident']),
  caseId: SafeId,
  what: z.enum(['page', 'api', 'feed']),
});
export type CaseViewInput = z.infer<typeof CaseViewInput>;

export const CaseViewFilter = z.strictObject({
  caseId: SafeId.optional(),
  viewer: UserId.optional(),
  /** At most this many, newest first. */
  limit: z.number().int().min(1).max(1000).default(200),
});
export type CaseViewFilter = z.input<typeof CaseViewFilter>;

/** The roles single sign-on may give (the console's roles). */
const SsoRole = z.enum(['administrator', 'head-of-service', 'manager', 'viewer']);

/** Someone's access as the council's identity provider gave it at a sign-in. */
export const SsoAccessInput = z.strictObject({
  /** A single sign-on id (common/sso-identity.ts), never a password account's. */
  userId: UserId.refine(isSsoUserId, 'must be a single sign-on user id (sso. and 32 hex digits)'),
  /** The name they are shown by. */
  name: z.string().min(1).max(200),
  /** Who the provider says they are. */
  issuer: z.string().min(1).max(1000),
  subject: z.string().min(1).max(255),
  role: SsoRole,
  /** A manager's or viewer's team. */
  team: SafeId.optional(),
  /** A head of service's teams. */
  teams: z.array(SafeId).optional(),
});
export type SsoAccessInput = z.input<typeof SsoAccessInput>;

/** The access recorded at someone's last sign-in through single sign-on, and when that was. */
export interface SsoAccess {
  userId: string;
  /** The name they are shown by (absent for no one signed in since names were kept). */
  name?: string;
  role: z.infer<typeof SsoRole>;
  team?: string;
  teams?: string[];
  signedInAt: string;
}

/** What the sign-in throttle says about one user id from one address. */
export type SignInStanding = { locked: false } | { locked: true; until: string };

export interface SignInPolicy {
  /** Failures from one address for one user id that lock that pair out. */
  limit: number;
  /** How long the failures are remembered, and how long a lockout lasts. */
  windowMs: number;
}

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = { limit: 5, windowMs: 15 * 60_000 };

export interface ConsoleStore {
  // --- sessions (the @fastify/session store) ---
  getSession(sid: string): Promise<Record<string, unknown> | undefined>;
  setSession(sid: string, uid: string | undefined, data: Record<string, unknown>, expiresAt: Date): Promise<void>;
  destroySession(sid: string): Promise<void>;
  /** Signs a user out everywhere (a changed password); returns how many sessions ended. */
  destroyUserSessions(uid: string, except?: string): Promise<number>;
  // --- sign-in failures ---
  signInStanding(uid: string, address: string, now?: Date): Promise<SignInStanding>;
  signInFailed(uid: string, address: string, now?: Date): Promise<SignInStanding>;
  signInSucceeded(uid: string, address: string): Promise<void>;
  // --- access given by single sign-on ---
  /** Records (replacing the last) the access someone signed in with through single sign-on. */
  recordSsoSignIn(access: SsoAccessInput, at?: Date): Promise<void>;
  /** The access recorded at each of these people's last sign-in through single sign-on (absent: never; ids that are not single sign-on ids are never looked up). */
  ssoAccess(userIds: readonly string[]): Promise<Map<string, SsoAccess>>;
  // --- views ---
  recordView(view: CaseViewInput): Promise<void>;
  views(filter: CaseViewFilter): Promise<CaseView[]>;
  close(): Promise<void>;
}

const SsoRow = z.object({ user_id: z.string(), name: z.string().nullable(), role: SsoRole, team: z.string().nullable(), teams: z.array(z.string()).nullable(), signed_in_at: z.date() });
const ViewRow = z.object({ viewed_at: z.date(), viewer: z.string(), role: z.string(), subject: z.enum(['case', 'incident']), case_id: z.string(), what: z.string() });
/** Session ids are random base64url strings of the session plugin; anything else is not looked up. */
const SessionId = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/);
/** An address as the server saw it (IPv4, IPv6 or a proxy's forwarded value), bounded. */
const Address = z.string().min(1).max(100);

export function openConsoleStore(url: string, policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY): ConsoleStore {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 4, applicationName: 'caseclock-console', missingTable: 'console_sessions' });

  async function standing(uid: string, address: string, now: Date): Promise<SignInStanding> {
    const row = await inTransaction(true, (c) => c.query<{ locked_until: Date | null }>('SELECT locked_until FROM console_sign_in_failures WHERE uid = $1 AND address = $2', [uid, address]));
    const until = row.rows[0]?.locked_until;
    return until && until.getTime() > now.getTime() ? { locked: true, until: until.toISOString() } : { locked: false };
  }

  return {
    async getSession(sid) {
      if (!SessionId.safeParse(sid).success) return undefined;
      const result = await inTransaction(true, (c) => c.query<{ data: Record<string, unknown> }>('SELECT data FROM console_sessions WHERE sid = $1 AND expires_at > now()', [sid]));
      return result.rows[0]?.data;
    },
    async setSession(sid, uid, data, expiresAt) {
      SessionId.parse(sid);
      await inTransaction(false, (c) =>
        c.query(
          `INSERT INTO console_sessions (sid, uid, data, expires_at, updated_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (sid) DO UPDATE SET uid = EXCLUDED.uid, data = EXCLUDED.data, expires_at = EXCLUDED.expires_at, updated_at = now()`,
          [sid, uid ?? null, JSON.stringify(data), expiresAt],
        ),
      );
      // Expired rows go a few at a time with the writes, so the table stays the size of who is signed in.
      // Rows another connection holds locked are skipped (SKIP LOCKED), and a failure here is not
      // the sign-in's: housekeeping never makes anyone wait.
      if (Math.random() < 0.05) {
        await inTransaction(false, (c) => c.query('DELETE FROM console_sessions WHERE sid IN (SELECT sid FROM console_sessions WHERE expires_at < now() LIMIT 500 FOR UPDATE SKIP LOCKED)')).catch(() => undefined);
      }
    },
    async destroySession(sid) {
      await inTransaction(false, (c) => c.query('DELETE FROM console_sessions WHERE sid = $1', [sid]));
    },
    async destroyUserSessions(uid, except) {
      const result = await inTransaction(false, (c) => c.query('DELETE FROM console_sessions WHERE uid = $1 AND sid <> $2', [uid, except ?? '']));
      return result.rowCount ?? 0;
    },

    signInStanding(uid, address, now = new Date()) {
      return standing(uid.slice(0, 200), Address.parse(address), now);
    },
    async signInFailed(uid, address, now = new Date()) {
      const key = [uid.slice(0, 200), Address.parse(address)];
      const windowStart = new Date(now.getTime() - policy.windowMs);
      const lockUntil = new Date(now.getTime() + policy.windowMs);
      // One statement: replicas counting the same pair at once add up rather than overwrite.
      const result = await inTransaction(false, (c) =>
        c.query<{ locked_until: Date | null }>(
          `INSERT INTO console_sign_in_failures AS f (uid, address, failures, first_at, locked_until) VALUES ($1, $2, 1, $3, NULL)
           ON CONFLICT (uid, address) DO UPDATE SET
             failures = CASE WHEN f.first_at < $4 THEN 1 ELSE f.failures + 1 END,
             first_at = CASE WHEN f.first_at < $4 THEN $3 ELSE f.first_at END,
             locked_until = CASE WHEN f.first_at >= $4 AND f.failures + 1 >= $5 THEN $6 ELSE f.locked_until END
           RETURNING locked_until`,
          [...key, now, windowStart, policy.limit, lockUntil],
        ),
      );
      const until = result.rows[0]?.locked_until;
      return until && until.getTime() > now.getTime() ? { locked: true, until: until.toISOString() } : { locked: false };
    },
    async signInSucceeded(uid, address) {
      await inTransaction(false, (c) => c.query('DELETE FROM console_sign_in_failures WHERE uid = $1 AND address = $2', [uid.slice(0, 200), Address.parse(address)]));
    },

    async recordSsoSignIn(input, at = new Date()) {
      const a = SsoAccessInput.parse(input);
      await inTransaction(false, (c) =>
        c.query(
          `INSERT INTO console_sso_access (user_id, name, issuer, subject, role, team, teams, signed_in_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, issuer = EXCLUDED.issuer, subject = EXCLUDED.subject, role = EXCLUDED.role,
             team = EXCLUDED.team, teams = EXCLUDED.teams, signed_in_at = EXCLUDED.signed_in_at`,
          [a.userId, a.name, a.issuer, a.subject, a.role, a.team ?? null, a.teams ?? null, at],
        ),
      );
    },
    async ssoAccess(userIds) {
      // A password account's id is never looked up here: single sign-on cannot speak for it.
      const ids = [...new Set(userIds)].filter(isSsoUserId);
      if (ids.length === 0) return new Map();
      const result = await inTransaction(true, (c) => c.query('SELECT user_id, name, role, team, teams, signed_in_at FROM console_sso_access WHERE user_id = ANY($1::text[])', [ids]));
      return new Map(
        result.rows.map((row) => {
          const r = SsoRow.parse(row);
          const access: SsoAccess = {
            userId: r.user_id,
            ...(r.name ? { name: r.name } : {}),
            role: r.role,
            signedInAt: r.signed_in_at.toISOString(),
            ...(r.team ? { team: r.team } : {}),
            ...(r.teams ? { teams: r.teams } : {}),
          };
          return [r.user_id, access] as const;
        }),
      );
    },

    async recordView(input) {
      const v = CaseViewInput.parse(input);
      await inTransaction(false, (c) => c.query('INSERT INTO console_case_views (viewer, role, subject, case_id, what) VALUES ($1, $2, $3, $4, $5)', [v.viewer, v.role, v.subject, v.caseId, v.what]));
    },
    async views(input) {
      const f = CaseViewFilter.parse(input);
      const result = await inTransaction(true, (c) =>
        c.query(
          `SELECT viewed_at, viewer, role, subject, case_id, what FROM console_case_views
           WHERE ($1::text IS NULL OR case_id = $1) AND ($2::text IS NULL OR viewer = $2)
           ORDER BY viewed_at DESC, id DESC LIMIT $3`,
          [f.caseId ?? null, f.viewer ?? null, f.limit],
        ),
      );
      return result.rows.map((row) => {
        const r = ViewRow.parse(row);
        return { viewedAt: IsoInstant.parse(r.viewed_at.toISOString()), viewer: r.viewer, role: r.role, subject: r.subject, caseId: r.case_id, what: r.what };
      });
    },
    close,
  };
}
