/**
 * How fresh CaseClock's copy of the council's case system (the SSD) is, and when the
 * administrators are told it is not: the console's line and warning (client/console/freshness.tsx)
 * and the sync's emails (activities/ssd-alerts.ts) both read it from here. Pure: `now` is passed in.
 *
 * Out of date means the latest finished run failed, or the last successful read is older than two
 * sync intervals (one late run is normal; two mean the schedule, the worker or the source is stuck).
 * The administrators are told once per failing streak and once when it ends (docs/ssd.md).
 */
import { durationInWords, localTime } from '../wording';

/** A sync run as freshness needs it (store/ssd-sync-store.ts's SyncRun fits). */
export interface SsdRunSeen {
  startedAt: string;
  finishedAt?: string;
  outcome: 'running' | 'succeeded' | 'failed';
  refreshedAt?: string;
  problem?: string;
}

/** Intervals without a successful read before CaseClock's copy counts as out of date. */
export const STALE_AFTER_INTERVALS = 2;

export const staleAfterMs = (intervalSeconds: number): number => STALE_AFTER_INTERVALS * intervalSeconds * 1000;

export interface SsdFreshness {
  /** The last successful read: when it finished, and the SSD's own refresh time when the source records it. */
  lastRead?: { at: string; refreshedAt?: string };
  /** Set when the copy is out of date. */
  warning?: {
    /** The latest finished run failed: when it started and what failed. */
    failed?: { at: string; problem: string };
    /** The first failed run since the last successful read, when that read is among the runs looked at. */
    failingSince?: string;
    /** The last successful read is older than two intervals, or there has been none. */
    stale: boolean;
  };
}

/**
 * Freshness from the latest runs (newest first) and the last success. Undefined while the sync has
 * never run: the console then says nothing about it.
 */
export function ssdFreshness(runs: readonly SsdRunSeen[], lastSuccess: SsdRunSeen | undefined, now: string, intervalSeconds: number): SsdFreshness | undefined {
  if (runs.length === 0 && !lastSuccess) return undefined;
  const readAt = lastSuccess?.finishedAt;
  const lastRead = readAt ? { at: readAt, ...(lastSuccess.refreshedAt ? { refreshedAt: lastSuccess.refreshedAt } : {}) } : undefined;
  const latestFinished = runs.find((r) => r.outcome !== 'running');
  // The streak: failed runs newer than the last success, newest first; its start is known only
  // when that success is among the runs looked at.
  const streak: SsdRunSeen[] = [];
  let bounded = false;
  for (const r of runs) {
    if (r.outcome === 'succeeded') {
      bounded = true;
      break;
    }
    if (r.outcome === 'failed') streak.push(r);
  }
  const failed = latestFinished?.outcome === 'failed' ? { at: latestFinished.startedAt, problem: latestFinished.problem ?? 'no reason was recorded' } : undefined;
  // A first run still going is not out of date yet; a copy never read after a finished run is.
  const stale = readAt ? Date.parse(now) - Date.parse(readAt) > staleAfterMs(intervalSeconds) : latestFinished !== undefined;
  if (!failed && !stale) return { ...(lastRead ? { lastRead } : {}) };
  const first = bounded ? streak[streak.length - 1] : undefined;
  return { ...(lastRead ? { lastRead } : {}), warning: { ...(failed ? { failed } : {}), ...(first ? { failingSince: first.startedAt } : {}), stale } };
}

/** "12 minutes 5 seconds ago": the one wording of domain/wording.ts. */
export const agoInWords = (at: string, now: string): string => `${durationInWords(Date.parse(now) - Date.parse(at))} ago`;

// --- telling the administrators ---------------------------------------------------------------

export type SsdAlertKind = 'failing' | 'recovered';

export interface SsdRunEnded {
  runId: number;
  /** When the run started (its `at`). */
  startedAt: string;
  outcome: 'succeeded' | 'failed';
  problem?: string;
}

/**
 * Which email a run's end sends, if any. A run that fails opens a streak (told once); one that
 * finds, as it started, the last success more than two intervals old has found a streak too. A run
 * that succeeds ends the streak: told once, and when the streak was only the gap this run found,
 * that one email says both.
 */
export function ssdAlertToSend(input: { run: SsdRunEnded; lastReadBefore?: string; lastAlert?: SsdAlertKind; intervalSeconds: number }): SsdAlertKind | undefined {
  const open = input.lastAlert === 'failing';
  if (input.run.outcome === 'failed') return open ? undefined : 'failing';
  if (open) return 'recovered';
  const gap = input.lastReadBefore !== undefined && Date.parse(input.run.startedAt) - Date.parse(input.lastReadBefore) > staleAfterMs(input.intervalSeconds);
  return gap ? 'recovered' : undefined;
}

export interface SsdAlertEmail {
  subject: string;
  text: string;
}

/**
 * The email to the administrators. It names no child and no case (the sync's report of single
 * children stays in the store): it says when the case system was last read, what failed, and
 * where to look.
 */
export function ssdAlertEmail(input: { kind: SsdAlertKind; run: SsdRunEnded; lastRead?: { at: string; refreshedAt?: string }; intervalSeconds: number; consoleUrl: string; now: string }): SsdAlertEmail {
  const { kind, run, lastRead, now } = input;
  const every = durationInWords(input.intervalSeconds * 1000);
  const read = lastRead ? `${localTime(lastRead.at)} (${durationInWords(Date.parse(run.startedAt) - Date.parse(lastRead.at))} before this sync started)` : 'never';
  const refreshed = lastRead?.refreshedAt ? [`The case system's own data was last refreshed ${localTime(lastRead.refreshedAt)}.`] : [];
  const dashboard = `${input.consoleUrl}/dashboard`;
  const look = [
    'Where to look:',
    `- the overdue dashboard in the CaseClock console, which shows how fresh CaseClock's copy is: ${dashboard}`,
    `- the worker's log (component "ssd-sync") and sync run ${run.runId} in the case record's ssd_sync_runs table, for the details`,
  ];
  const footer = ["This email goes to CaseClock's administrators. It names no child: the cases concerned are listed only in CaseClock."];
  if (kind === 'failing') {
    const what = run.problem ?? 'no reason was recorded';
    return {
      subject: 'CaseClock: the sync from the case system is failing',
      text: [
        `CaseClock's sync from the council's case system (the Standard Safeguarding Dataset) failed at ${localTime(run.startedAt)}.`,
        '',
        `What failed: ${what}`,
        `Last read successfully: ${read}.`,
        ...refreshed,
        '',
        'Until a sync succeeds, cases opened, changed or closed in the case system are not brought into CaseClock, and their clocks may be out of date. The sync tries again every ' +
          `${every}. You will get one more email, when it succeeds again; none for each failed try in between.`,
        '',
        ...look,
        '',
        ...footer,
      ].join('\n'),
    };
  }
  const gap = lastRead ? `from ${localTime(lastRead.at)} until ${localTime(now)} (${durationInWords(Date.parse(now) - Date.parse(lastRead.at))})` : `until ${localTime(now)}`;
  return {
    subject: 'CaseClock: the sync from the case system is working again',
    text: [
      `CaseClock read the council's case system (the Standard Safeguarding Dataset) successfully at ${localTime(now)}: its cases are in step again.`,
      '',
      `It had not been read ${gap}. Changes made in the case system in that time have now been brought in.`,
      '',
      ...look,
      '',
      ...footer,
    ].join('\n'),
  };
}
