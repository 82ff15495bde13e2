/**
 * The daily digest's activity: read the open cases' summaries from the store in one list (never a
 * case's workflow: common/summary-coverage.ts), build each recipient's digest (domain/digest.ts)
 * and send them, each with a Message-ID made from the recipient and the date. A running case with
 * no summary yet is left out, counted as unreadable, and each digest of its team says so.
 *
 * One activity does all of it so that the digests themselves (a few megabytes for a council's
 * 10,000 cases) never pass through the workflow's history, which holds payloads of 2 MB at most;
 * the workflow gets the counts per recipient. Each recipient delivered goes into the heartbeat, so
 * a retry (the mail server was down) sends only the digests not yet delivered.
 */
import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { WorkingDayCalendar } from '../domain/calendar';
import { buildDigests, digestWindowEnd, renderDigest, type DigestCase, type RecipientDigest } from '../domain/digest';
import { summarisedCases, unsummarisedNote } from '../common/summary-coverage';
import type { CaseSummaries } from '../store/case-summaries';
import { TASK_QUEUE } from '../workflows/messages';
import { HEARTBEAT_EVERY_MS, rfcMessageId } from './notifications';

export interface DigestDeps {
  /** Temporal's visibility only: which running cases have no summary yet. */
  client: Client;
  /** The case summaries (the worker's store URL): what the digest lists. */
  summaries: Pick<CaseSummaries, 'list' | 'get'>;
  transport: Transporter;
  from: string;
  /** Public URL of the console, for the link to each case. */
  consoleUrl: string;
  /** The task queue whose running cases are checked for a summary (this worker's; default `caseclock`). */
  taskQueue?: string;
}

export interface BuildDigestsInput {
  forDate: string;
  workingDays: number;
}

/** What became of one recipient's digest. */
export interface DigestOutcome {
  email: string;
  overdue: number;
  dueSoon: number;
  /** The mail server refused it for good (5xx). */
  undeliverable?: string;
}

export interface SentDigests {
  casesRead: number;
  /** Running cases left out: they have written no summary yet. */
  casesUnreadable: number;
  recipients: DigestOutcome[];
}

/** The heartbeat: the recipients already settled, so a retried attempt does not send to them again. */
interface DigestProgress {
  settled: DigestOutcome[];
}

/** The digest's Message-ID key: one per recipient and date. */
export function digestMessageKey(email: string, forDate: string): string {
  return `digest:${forDate}:${email.toLowerCase()}`;
}

export function createDigestActivities(deps: DigestDeps) {
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  async function readOpenCases(now: string): Promise<{ cases: DigestCase[]; unsummarised: Map<string, number> }> {
    // A council's running cases listed by visibility: minutes at most, within the heartbeat's keep-alive.
    const read = await summarisedCases(deps.client, deps.summaries, { now, taskQueue, visibilityTimeoutMs: 10 * 60_000 });
    if (read.unchecked !== undefined) log.warn('daily digest: which cases have no summary yet could not be read from Temporal', { error: read.unchecked });
    const cases: DigestCase[] = read.cases.map((s) => ({
      caseId: s.caseId,
      reference: s.details.reference,
      team: s.details.team,
      tier: s.tier,
      contacts: s.details.contacts,
      open: s.open.map((o) => ({ id: o.id, title: o.title, dueAt: o.dueAt, onHold: o.onHold })),
    }));
    // The same order whatever order the store listed them in.
    cases.sort((a, b) => a.caseId.localeCompare(b.caseId));
    // Per team, so each digest says how many of its own teams' cases are missing.
    const unsummarised = new Map<string, number>();
    for (const u of read.unsummarised) unsummarised.set(u.team ?? '', (unsummarised.get(u.team ?? '') ?? 0) + 1);
    if (read.unsummarised.length > 0) {
      log.warn(`daily digest: ${unsummarisedNote(read.unsummarised.length)}`, { cases: read.unsummarised.slice(0, 50).map((u) => u.caseId) });
    }
    return { cases, unsummarised };
  }

  async function sendOne(digest: RecipientDigest, rendered: { subject: string; text: string; html: string }, key: string): Promise<void> {
    await deps.transport.sendMail({
      from: deps.from,
      to: { name: digest.name, address: digest.email },
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: rfcMessageId(key),
      headers: { 'X-CaseClock-Message': key },
    });
  }

  return {
    async sendDailyDigests({ forDate, workingDays }: BuildDigestsInput): Promise<SentDigests> {
      const activity = Context.current();
      const previous = activity.info.heartbeatDetails as DigestProgress | undefined;
      const settled = new Map((previous?.settled ?? []).map((o) => [o.email, o]));
      const beat = () => activity.heartbeat({ settled: [...settled.values()] } satisfies DigestProgress);
      const alive = setInterval(beat, HEARTBEAT_EVERY_MS);
      try {
        const generatedAt = new Date().toISOString();
        const dueBy = digestWindowEnd(WorkingDayCalendar.englandAndWales(), forDate, workingDays);
        const { cases, unsummarised } = await readOpenCases(generatedAt);
        activity.heartbeat({ settled: [...settled.values()] } satisfies DigestProgress);
        const unreadable = [...unsummarised.values()].reduce((a, b) => a + b, 0);
        const digests = buildDigests(cases, { generatedAt, dueBy });
        log.info('daily digests built', { forDate, cases: cases.length, unreadable, recipients: digests.length, alreadySettled: settled.size });
        let failed: unknown;
        for (const digest of digests) {
          if (settled.has(digest.email)) continue;
          const outcome: DigestOutcome = { email: digest.email, overdue: digest.overdue.length, dueSoon: digest.dueSoon.length };
          const missing = digest.teams.reduce((n, team) => n + (unsummarised.get(team) ?? 0), 0);
          const rendered = renderDigest(digest, { forDate, generatedAt, dueBy, workingDays, consoleUrl: deps.consoleUrl, ...(missing > 0 ? { notIncluded: unsummarisedNote(missing) } : {}) });
          try {
            await sendOne(digest, rendered, digestMessageKey(digest.email, forDate));
            log.info('daily digest delivered', { forDate, email: digest.email });
            settled.set(digest.email, outcome);
          } catch (err) {
            const code = (err as { responseCode?: number }).responseCode;
            if (typeof code === 'number' && code >= 500 && code < 600) {
              // Refused for good: recorded, and the others still go.
              const response = String((err as { response?: string }).response ?? (err as Error).message);
              log.warn('daily digest not delivered', { forDate, email: digest.email, reason: response });
              settled.set(digest.email, { ...outcome, undeliverable: `SMTP server refused the digest: ${response}` });
            } else {
              failed ??= err;
            }
          }
          beat();
        }
        // The mail server could not be reached for some: a retry sends those (and only those).
        if (failed !== undefined) throw failed;
        const recipients = digests.map((d) => settled.get(d.email)).filter((o): o is DigestOutcome => o !== undefined);
        return { casesRead: cases.length, casesUnreadable: unreadable, recipients };
      } finally {
        clearInterval(alive);
      }
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
