/**
 * Private calendar feeds, in the case-record store's database: which feeds exist, whose cases each
 * shows, who created it, and whether it is revoked. A feed is reached by a random token in its
 * URL; only the token's SHA-256 is stored, so the table alone opens no feed, and looking a token
 * up is one indexed comparison of hashes whatever the token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SafeId, UserId } from '../domain/facts';
import { pooledTransactions } from './case-record-store';

/** Whose obligations a feed shows: a whole team's, or one allocated worker's within a team. */
export type FeedSubject = { kind: 'team'; team: string } | { kind: 'worker'; team: string; email: string };

export interface CalendarFeed {
  id: string;
  subject: FeedSubject;
  createdBy: string;
  createdRole: string;
  createdAt: string;
  revokedAt?: string;
  revokedBy?: string;
}

const Email = z.string().max(254).pipe(z.email());

export const FeedSubjectInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('team'), team: SafeId }),
  z.strictObject({ kind: z.literal('worker'), team: SafeId, email: Email.transform((e) => e.toLowerCase()) }),
]);

export const CreateFeedInput = z.strictObject({
  subject: FeedSubjectInput,
  createdBy: UserId,
  createdRole: z.string().min(1).max(40),
});
export type CreateFeedInput = z.input<typeof CreateFeedInput>;

/** What a token is: 32 random bytes, base64url (43 characters). */
export const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const feedTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface FeedStore {
  /** A new feed: its record and its token (the only time the token is known). */
  create(input: CreateFeedInput): Promise<{ feed: CalendarFeed; token: string }>;
  /** The live (not revoked) feed a token opens, if any. */
  byToken(token: string): Promise<CalendarFeed | undefined>;
  byId(id: string): Promise<CalendarFeed | undefined>;
  /** Feeds of these teams (every team: 'all'), newest first, revoked ones included. */
  list(filter: { teams: 'all' | readonly string[]; limit?: number }): Promise<CalendarFeed[]>;
  /** Revokes a feed; false when it was already revoked or does not exist. */
  revoke(id: string, by: string): Promise<boolean>;
  close(): Promise<void>;
}

const Row = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  subject_kind: z.enum(['team', 'worker']),
  subject_team: z.string(),
  subject_email: z.string().nullable(),
  created_by: z.string(),
  created_role: z.string(),
  created_at: z.date(),
  revoked_at: z.date().nullable(),
  revoked_by: z.string().nullable(),
});

function fromRow(raw: unknown): CalendarFeed {
  const r = Row.parse(raw);
  const subject: FeedSubject = r.subject_kind === 'worker' ? { kind: 'worker', team: r.subject_team, email: r.subject_email ?? '' } : { kind: 'team', team: r.subject_team };
  return {
    id: r.id,
    subject,
    createdBy: r.created_by,
    createdRole: r.created_role,
    createdAt: r.created_at.toISOString(),
    ...(r.revoked_at ? { revokedAt: r.revoked_at.toISOString() } : {}),
    ...(r.revoked_by ? { revokedBy: r.revoked_by } : {}),
  };
}

const COLUMNS = 'id, subject_kind, subject_team, subject_email, created_by, created_role, created_at, revoked_at, revoked_by';
const FeedId = z.string().regex(/^[1-9][0-9]{0,17}$/);

export function openFeedStore(url: string): FeedStore {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 2, applicationName: 'caseclock-feeds', missingTable: 'console_calendar_feeds' });
  return {
    async create(input) {
      const v = CreateFeedInput.parse(input);
      const token = randomBytes(32).toString('base64url');
      const email = v.subject.kind === 'worker' ? v.subject.email : null;
      const result = await inTransaction(false, (c) =>
        c.query(
          `INSERT INTO console_calendar_feeds (token_sha256, subject_kind, subject_team, subject_email, created_by, created_role)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
          [feedTokenHash(token), v.subject.kind, v.subject.team, email, v.createdBy, v.createdRole],
        ),
      );
      return { feed: fromRow(result.rows[0]), token };
    },
    async byToken(token) {
      // Anything that is not a token's shape is hashed and looked up all the same: no shortcut tells shapes apart by timing.
      const hash = feedTokenHash(FEED_TOKEN.test(token) ? token : `invalid:${token.slice(0, 200)}`);
      const result = await inTransaction(true, (c) => c.query(`SELECT ${COLUMNS} FROM console_calendar_feeds WHERE token_sha256 = $1 AND revoked_at IS NULL`, [hash]));
      return FEED_TOKEN.test(token) && result.rows[0] ? fromRow(result.rows[0]) : undefined;
    },
    async byId(id) {
      if (!FeedId.safeParse(id).success) return undefined;
      const result = await inTransaction(true, (c) => c.query(`SELECT ${COLUMNS} FROM console_calendar_feeds WHERE id = $1`, [id]));
      return result.rows[0] ? fromRow(result.rows[0]) : undefined;
    },
    async list({ teams, limit = 200 }) {
      if (teams !== 'all' && teams.length === 0) return [];
      const result = await inTransaction(true, (c) =>
        c.query(`SELECT ${COLUMNS} FROM console_calendar_feeds WHERE ($1::text[] IS NULL OR subject_team = ANY($1)) ORDER BY created_at DESC, id DESC LIMIT $2`, [
          teams === 'all' ? null : [...teams],
          Math.min(Math.max(1, limit), 1000),
        ]),
      );
      return result.rows.map(fromRow);
    },
    async revoke(id, by) {
      if (!FeedId.safeParse(id).success) return false;
      const who = UserId.parse(by);
      const result = await inTransaction(false, (c) => c.query('UPDATE console_calendar_feeds SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL', [id, who]));
      return (result.rowCount ?? 0) > 0;
    },
    close,
  };
}
