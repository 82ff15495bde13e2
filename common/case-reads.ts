/**
 * How the console and the command line read cases: from each case's summary in the case-record
 * store (store/case-summaries.ts) and its record there, never by asking the workflow. A read
 * neither wakes a case nor needs a worker; what it gives up is a moment's lag after a change, which
 * `summaryAfter` waits out (bounded) so that the page or command after an action shows it.
 */
import type { RiskTier } from '../domain/kinds';
import type { CaseRecordStore } from '../store/case-record-store';
import type { CaseSummaries } from '../store/case-summaries';
import type { CaseSummary } from '../workflows/messages';

export type { CaseSummary };
type Subject = 'case' | 'incident';

/** What a reader says of a case that is running but has written no summary since summaries began. */
export function noSummaryYet(subject: Subject, id: string): string {
  return `no summary yet: ${subject} ${id} has not written to the case record since the upgrade; run \`caseclock summaries backfill\``;
}

/** The most overdue open obligation of a case, as the list shows it. */
export interface MostOverdue {
  obligationId: string;
  kind: string;
  title: string;
  dueAt: string;
  /** Past its deadline by this many milliseconds at the time of the read. */
  lateByMs: number;
}

/** A case as the case list, the dashboard, `/api/cases`, `caseclock overdue` and `due-soon` show it. */
export interface CaseListing {
  caseId: string;
  team: string;
  tier?: string;
  status: 'open' | 'closed';
  nextDueAt?: string;
  overdueCount: number;
  /** The allocated worker's name, when the case has one. */
  worker?: string;
  mostOverdue?: MostOverdue;
  /** When the summary was written (workflow time). */
  writtenAt: string;
}

/** The open obligation furthest past its deadline at `now` (one on hold is never overdue). */
export function mostOverdueOf(summary: Pick<CaseSummary, 'open' | 'status'>, now: string): MostOverdue | undefined {
  if (summary.status === 'closed') return undefined;
  let worst: CaseSummary['open'][number] | undefined;
  for (const o of summary.open) if (!o.onHold && o.dueAt < now && (worst === undefined || o.dueAt < worst.dueAt)) worst = o;
  return worst && { obligationId: worst.id, kind: worst.kind, title: worst.title, dueAt: worst.dueAt, lateByMs: Date.parse(now) - Date.parse(worst.dueAt) };
}

export function listingOf(summary: CaseSummary, now: string): CaseListing {
  const worker = summary.details.contacts['allocated-worker']?.name;
  const worst = mostOverdueOf(summary, now);
  return {
    caseId: summary.caseId,
    team: summary.details.team,
    ...(summary.tier ? { tier: summary.tier } : {}),
    status: summary.status,
    ...(summary.nextDueAt ? { nextDueAt: summary.nextDueAt } : {}),
    overdueCount: summary.overdueCount,
    ...(worker ? { worker } : {}),
    ...(worst ? { mostOverdue: worst } : {}),
    writtenAt: summary.writtenAt,
  };
}

/**
 * Open cases from their summaries, most overdue first (the store's order: earliest deadline first).
 * `teams` limits them to the teams a person may read (undefined: every team); `team` is the filter
 * typed, within those.
 */
export async function listCaseSummaries(summaries: CaseSummaries, filter: { teams?: readonly string[]; team?: string; tier?: RiskTier; overdueOnly?: boolean; now: string }): Promise<CaseListing[]> {
  let teams = filter.teams === undefined ? undefined : [...filter.teams];
  if (filter.team !== undefined) teams = teams === undefined || teams.includes(filter.team) ? [filter.team] : [];
  if (teams !== undefined && teams.length === 0) return [];
  const rows = await summaries.list({
    subject: 'case',
    ...(teams ? { teams } : {}),
    ...(filter.tier ? { tier: filter.tier } : {}),
    overdueOnly: filter.overdueOnly === true,
    now: filter.now,
  });
  return rows.map((s) => listingOf(s, filter.now));
}

/** A send still unfinished this long after its time is waiting on the mail server (a send takes about a second). */
export const WAITING_FOR_MAIL_AFTER_MS = 60_000;

/**
 * The case's messages that the mail server has not yet taken, a minute or more after they were
 * due to go: Temporal is retrying them (at least once a minute) while mail fails.
 */
export function waitingForMail(summary: Pick<CaseSummary, 'sending'>, now: string): CaseSummary['sending'] {
  return summary.sending.filter((m) => Date.parse(now) - Date.parse(m.sendAt) >= WAITING_FOR_MAIL_AFTER_MS);
}

/** How long a page or command waits for an action to reach the summary, and how often it looks. */
export const SUMMARY_WAIT_MS = 5_000;
export const SUMMARY_POLL_MS = 100;

export interface SummaryRead {
  /** The summary as of the read; undefined when the case has written none. */
  summary: CaseSummary | undefined;
  /**
   * Whether it shows the action the reader waited for (written at or after `since`); true when
   * nothing was waited for. False: what is shown is older, the action is still being written.
   */
  landed: boolean;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  now?: () => string;
}

/**
 * A case's summary, waiting (up to `timeoutMs`, looking every `intervalMs`) until one written at or
 * after `since` is there (`since: 'any'`: until there is one at all). `since` is when the reader
 * sent its action (opening the case, recording an event), so the page after it shows the change.
 * Without `since`, one read. The summary's time is the workflow's, from the Temporal server's
 * clock; a clock ahead of it only makes the wait run out and the reader say the change is still
 * being written.
 */
export async function summaryAfter(summaries: Pick<CaseSummaries, 'get'>, subject: Subject, id: string, options: WaitOptions & { since?: string } = {}): Promise<SummaryRead> {
  const now = options.now ?? (() => new Date().toISOString());
  const until = Date.now() + (options.timeoutMs ?? SUMMARY_WAIT_MS);
  const since = options.since === 'any' ? '' : options.since;
  for (;;) {
    const summary = await summaries.get(subject, id, now());
    const landed = since === undefined || (summary !== undefined && summary.writtenAt >= since);
    if (landed || Date.now() >= until) return { summary, landed };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? SUMMARY_POLL_MS));
  }
}

/**
 * What is known of a case with no summary: `recorded`, its record has entries (it ran before
 * summaries and has not written since); `running`, nothing in its record but Temporal knows it
 * (just opened, about to write); `closed`, ended without a summary; `absent`, no such case.
 * Temporal is asked (describe(), a read of the server that does not wake the workflow) only when
 * the record has nothing.
 */
export async function caseWithoutSummary(
  records: Pick<CaseRecordStore, 'caseRecord'>,
  subject: Subject,
  id: string,
  runStatus: () => Promise<'running' | 'closed' | 'absent'>,
): Promise<'recorded' | 'running' | 'closed' | 'absent'> {
  const entries = await records.caseRecord(id);
  if (entries.some((e) => e.subject === subject)) return 'recorded';
  return runStatus();
}

/** A case as a page or `show` reads it. */
export type CaseRead =
  | { found: 'summary'; summary: CaseSummary; landed: boolean }
  /** It exists but has no summary to show: `justActed` when the reader's own action has not reached the store yet. */
  | { found: 'no-summary'; justActed: boolean }
  | { found: 'closed' }
  | { found: 'absent' };

/**
 * Reads a case for a page or `show`: its summary (after an action sent at `since`, the first one
 * written since, waited for), else why there is none. A case Temporal knows that has written
 * nothing yet (opened a moment ago) is waited for too, so a page asked for straight after an
 * opening shows the case.
 */
export async function readCase(
  deps: { summaries: Pick<CaseSummaries, 'get'>; records: Pick<CaseRecordStore, 'caseRecord'>; runStatus: () => Promise<'running' | 'closed' | 'absent'> },
  subject: Subject,
  id: string,
  options: WaitOptions & { since?: string } = {},
): Promise<CaseRead> {
  let read = await summaryAfter(deps.summaries, subject, id, options);
  if (!read.summary) {
    const found = await caseWithoutSummary(deps.records, subject, id, deps.runStatus);
    if (found === 'absent' || found === 'closed') return { found };
    if (found === 'running' && options.since === undefined) read = await summaryAfter(deps.summaries, subject, id, { ...options, since: 'any' });
    if (!read.summary) return { found: 'no-summary', justActed: options.since !== undefined };
  }
  return { found: 'summary', summary: read.summary, landed: read.landed };
}
