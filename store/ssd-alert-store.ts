/**
 * What the SSD sync's alerts to the administrators need from the case record's database (migration
 * 1765584000000_ssd-sync-alerts.sql): the last successful read before a run, what was last sent
 * (so a failing streak is told once), and who single sign-on made an administrator. The worker's
 * role reads and writes these (store/roles.sql); of single sign-on access it reads only user id,
 * role and last sign-in.
 */
import { z } from 'zod';
import { pooledTransactions } from './case-record-store';

export type SsdAlertKind = 'failing' | 'recovered';

/** One email the sync sent the administrators. */
export interface SsdAlertSent {
  kind: SsdAlertKind;
  runId: number;
  /** The last successful read before the streak; absent: never read. */
  since?: string;
  problem?: string;
  recipients: number;
  sentAt: string;
}

/** The last successful run's times. */
export interface SsdLastRead {
  /** When the run finished: CaseClock's copy is as fresh as this. */
  finishedAt: string;
  /** When the council last refreshed the SSD, where the source records it. */
  refreshedAt?: string;
}

/** A single sign-on administrator counts while they signed in within this many days, as a feed's creator does. */
export const SSO_ADMINISTRATOR_DAYS = 30;

export interface SsdAlertStore {
  /** The latest run that succeeded and finished before `at`. */
  lastReadBefore(at: string): Promise<SsdLastRead | undefined>;
  /** The latest email sent; a `failing` one means the streak is still open. */
  lastAlert(): Promise<SsdAlertSent | undefined>;
  recordAlert(alert: Omit<SsdAlertSent, 'sentAt'>): Promise<void>;
  /** The user ids single sign-on last gave the administrator role, signed in within SSO_ADMINISTRATOR_DAYS of `now`. */
  ssoAdministrators(now?: Date): Promise<string[]>;
  close(): Promise<void>;
}

const AlertRow = z.object({
  kind: z.enum(['failing', 'recovered']),
  run_id: z.union([z.string(), z.number()]).transform(Number),
  since: z.date().nullable(),
  problem: z.string().nullable(),
  recipients: z.number(),
  sent_at: z.date(),
});

const ReadRow = z.object({ finished_at: z.date(), refreshed_at: z.date().nullable() });

export function openSsdAlertStore(url: string): SsdAlertStore {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 1, applicationName: 'caseclock-ssd-alerts', missingTable: 'ssd_sync_alerts' });
  return {
    async lastReadBefore(at) {
      const result = await inTransaction(true, (c) => c.query(`SELECT finished_at, refreshed_at FROM ssd_sync_runs WHERE outcome = 'succeeded' AND finished_at < $1 ORDER BY finished_at DESC LIMIT 1`, [at]));
      if (result.rows[0] === undefined) return undefined;
      const r = ReadRow.parse(result.rows[0]);
      return { finishedAt: r.finished_at.toISOString(), ...(r.refreshed_at ? { refreshedAt: r.refreshed_at.toISOString() } : {}) };
    },
    async lastAlert() {
      const result = await inTransaction(true, (c) => c.query('SELECT kind, run_id, since, problem, recipients, sent_at FROM ssd_sync_alerts ORDER BY id DESC LIMIT 1'));
      if (result.rows[0] === undefined) return undefined;
      const r = AlertRow.parse(result.rows[0]);
      return {
        kind: r.kind,
        runId: r.run_id,
        ...(r.since ? { since: r.since.toISOString() } : {}),
        ...(r.problem !== null ? { problem: r.problem } : {}),
        recipients: r.recipients,
        sentAt: r.sent_at.toISOString(),
      };
    },
    async recordAlert(a) {
      await inTransaction(false, (c) => c.query('INSERT INTO ssd_sync_alerts (kind, run_id, since, problem, recipients) VALUES ($1, $2, $3, $4, $5)', [a.kind, a.runId, a.since ?? null, a.problem ?? null, a.recipients]));
    },
    async ssoAdministrators(now = new Date()) {
      const after = new Date(now.getTime() - SSO_ADMINISTRATOR_DAYS * 24 * 60 * 60_000);
      const result = await inTransaction(true, (c) => c.query<{ user_id: string }>(`SELECT user_id FROM console_sso_access WHERE role = 'administrator' AND signed_in_at >= $1 ORDER BY user_id`, [after]));
      return result.rows.map((r) => r.user_id);
    },
    close,
  };
}
