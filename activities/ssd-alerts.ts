/**
 * The SSD sync's emails to CaseClock's administrators: one when runs start failing (or a run finds
 * the last success more than two intervals old), none for each failed run after it, and one when a
 * run succeeds again (domain/ssd/freshness.ts decides which and words them). What was sent is kept in
 * the store, so a streak is told once however many runs and workers see it.
 *
 * Administrators are the console users with the administrator role: password accounts from the
 * users file, single sign-on accounts from the access their last sign-in recorded. Their addresses
 * come from the staff directory, by console user id; CaseClock invents none. An alert that cannot be
 * sent (no address, the mail server down) is logged and tried again at the next run: it never fails
 * the sync, whose activity a failure here would retry from the start.
 */
import type { Transporter } from 'nodemailer';
import { componentLogger } from '../common/log';
import { ssdAlertEmail, ssdAlertToSend, type SsdRunEnded } from '../domain/ssd/freshness';
import type { SsdAlertStore } from '../store/ssd-alert-store';
import { rfcMessageId } from './notifications';

export interface SsdAlertDependencies {
  transport: Pick<Transporter, 'sendMail'>;
  from: string;
  /** The console's public URL: the email links its dashboard. */
  consoleUrl: string;
  /** CASECLOCK_SSD_INTERVAL, in seconds. */
  intervalSeconds: number;
  store: Pick<SsdAlertStore, 'lastReadBefore' | 'lastAlert' | 'recordAlert' | 'ssoAdministrators'>;
  staff: { list(): Promise<ReadonlyArray<{ userId?: string; name: string; email: string }>> };
  /** The user ids of administrators who sign in with a password (worker/administrators.ts reads the users file). */
  passwordAdministrators: () => readonly string[] | Promise<readonly string[]>;
  now?: () => Date;
}

/** What the sync calls at the end of each run (SsdSyncDependencies.alerts). */
export interface SsdSyncAlerts {
  runEnded(run: SsdRunEnded): Promise<void>;
}

export function createSsdSyncAlerts(deps: SsdAlertDependencies): SsdSyncAlerts {
  const log = componentLogger('ssd-sync');
  const clock = deps.now ?? (() => new Date());

  async function administrators(now: Date): Promise<{ ids: Set<string>; to: { name: string; address: string }[] }> {
    const ids = new Set<string>();
    try {
      for (const id of await deps.passwordAdministrators()) ids.add(id);
    } catch (err) {
      log.warn({ error: err instanceof Error ? err.message : String(err) }, 'the users file could not be read: administrators who sign in with a password are not told about the SSD sync');
    }
    for (const id of await deps.store.ssoAdministrators(now)) ids.add(id);
    const staff = await deps.staff.list();
    const to = staff.filter((s) => s.userId !== undefined && ids.has(s.userId)).map((s) => ({ name: s.name, address: s.email }));
    return { ids, to };
  }

  return {
    async runEnded(run) {
      try {
        const [lastRead, lastAlert] = await Promise.all([deps.store.lastReadBefore(run.startedAt), deps.store.lastAlert()]);
        const kind = ssdAlertToSend({ run, ...(lastRead ? { lastReadBefore: lastRead.finishedAt } : {}), ...(lastAlert ? { lastAlert: lastAlert.kind } : {}), intervalSeconds: deps.intervalSeconds });
        if (!kind) return;
        const now = clock();
        const { ids, to } = await administrators(now);
        if (to.length === 0) {
          log.warn(
            { runId: run.runId, alert: kind, administrators: ids.size },
            ids.size === 0
              ? 'SSD sync alert not sent: CaseClock has no administrator to tell'
              : 'SSD sync alert not sent: no administrator has an email address in the staff directory (add them there with their console user id)',
          );
          return;
        }
        const email = ssdAlertEmail({
          kind,
          run,
          ...(lastRead ? { lastRead: { at: lastRead.finishedAt, ...(lastRead.refreshedAt ? { refreshedAt: lastRead.refreshedAt } : {}) } } : {}),
          intervalSeconds: deps.intervalSeconds,
          consoleUrl: deps.consoleUrl,
          now: now.toISOString(),
        });
        const key = `ssd-sync-alert:${kind}:${run.runId}`;
        await deps.transport.sendMail({ from: deps.from, to, subject: email.subject, text: email.text, messageId: rfcMessageId(key), headers: { 'X-CaseClock-Message': key } });
        await deps.store.recordAlert({ kind, runId: run.runId, ...(lastRead ? { since: lastRead.finishedAt } : {}), ...(run.problem !== undefined ? { problem: run.problem } : {}), recipients: to.length });
        log.info({ runId: run.runId, alert: kind, recipients: to.length }, kind === 'failing' ? 'SSD sync failing: administrators told' : 'SSD sync working again: administrators told');
      } catch (err) {
        log.warn({ runId: run.runId, error: err instanceof Error ? err.message : String(err) }, 'SSD sync alert not sent: tried again at the next run');
      }
    },
  };
}
