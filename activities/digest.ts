/**
 * The daily digest's activity: read every open case on this worker's task queue (the visibility
 * listing, then each case's state query), build each recipient's digest (domain/digest.ts) and
 * send them, each with a Message-ID made from the recipient and the date.
 *
 * One activity does all of it so that the digests themselves (a few megabytes for a council's
 * 10,000 cases) never pass through the workflow's history, which holds payloads of 2 MB at most;
 * the workflow gets the counts per recipient. Each recipient delivered goes into the heartbeat, so
 * a retry (the mail server was down) sends only the digests not yet delivered.
 */
import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import pLimit from 'p-limit';
import { WorkingDayCalendar } from '../domain/calendar';
import { buildDigests, digestWindowEnd, renderDigest, type DigestCase, type RecipientDigest } from '../domain/digest';
import { stateQuery, TASK_QUEUE } from '../workflows/messages';
import { HEARTBEAT_EVERY_MS, rfcMessageId } from './notifications';

export interface DigestDeps {
  client: Client;
  transport: Transporter;
  from: string;
  /** Public URL of the console, for the link to each case. */
  consoleUrl: string;
  /** The task queue whose case workflows are read (this worker's; default `caseclock`). */
  taskQueue?: string;
  /** Case states read at once (default 8). */
  concurrency?: number;
  /** How long one case may take to answer its state query (default 10 s). */
  queryTimeoutMs?: number;
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

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function createDigestActivities(deps: DigestDeps) {
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const concurrency = deps.concurrency ?? 8;
  const queryTimeoutMs = deps.queryTimeoutMs ?? 10_000;
  async function readOpenCases(activity: Context): Promise<{ cases: DigestCase[]; unreadable: number }> {
    const ids: string[] = [];
    const query = `WorkflowType = 'caseWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = ${quote(taskQueue)}`;
    for await (const wf of deps.client.workflow.list({ query })) ids.push(wf.workflowId);
    activity.heartbeat();
    const cases: DigestCase[] = [];
    let unreadable = 0;
    const readOne = async (workflowId: string): Promise<void> => {
      try {
        const state = await deps.client.withAbortSignal(AbortSignal.timeout(queryTimeoutMs), () => deps.client.workflow.getHandle(workflowId).query(stateQuery));
        if (state.status !== 'open' || state.subject !== 'case') return;
        cases.push({
          caseId: state.caseId,
          reference: state.details.reference,
          team: state.details.team,
          tier: state.tier,
          contacts: state.details.contacts,
          open: state.open.map((o) => ({ id: o.id, title: o.title, dueAt: o.dueAt, onHold: o.onHold })),
        });
      } catch (err) {
        unreadable++;
        log.warn('daily digest: case not read', { workflowId, error: err instanceof Error ? err.message : String(err) });
      }
    };
    // readOne never throws (an unreadable case is counted), so every case is asked.
    await pLimit(concurrency).map(ids, readOne);
    // The same order whatever order the queries answered in.
    cases.sort((a, b) => a.caseId.localeCompare(b.caseId));
    return { cases, unreadable };
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
        const { cases, unreadable } = await readOpenCases(activity);
        const digests = buildDigests(cases, { generatedAt, dueBy });
        log.info('daily digests built', { forDate, cases: cases.length, unreadable, recipients: digests.length, alreadySettled: settled.size });
        let failed: unknown;
        for (const digest of digests) {
          if (settled.has(digest.email)) continue;
          const outcome: DigestOutcome = { email: digest.email, overdue: digest.overdue.length, dueSoon: digest.dueSoon.length };
          const rendered = renderDigest(digest, { forDate, generatedAt, dueBy, workingDays, consoleUrl: deps.consoleUrl });
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
