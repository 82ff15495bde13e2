/**
 * The daily digest's activities: read every open case on this worker's task queue (the
 * visibility listing, then each case's state query) and build each recipient's digest
 * (domain/digest.ts); send one digest email, with a Message-ID made from the recipient and the
 * date, so a retried send is the same message to mail systems that de-duplicate.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { WorkingDayCalendar } from '../domain/calendar';
import { buildDigests, digestWindowEnd, renderDigest, type DigestCase, type RecipientDigest } from '../domain/digest';
import { stateQuery, TASK_QUEUE } from '../workflows/messages';
import { PERMANENT_REJECTION_TYPE } from './failure-types';
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

export interface BuiltDigests {
  /** When the cases were read: what "overdue" is measured against. */
  generatedAt: string;
  /** The end of the window of what is "due soon". */
  dueBy: string;
  casesRead: number;
  casesUnreadable: number;
  digests: RecipientDigest[];
}

export interface SendDigestInput {
  digest: RecipientDigest;
  forDate: string;
  generatedAt: string;
  dueBy: string;
  workingDays: number;
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
  return {
    async buildDailyDigests({ forDate, workingDays }: BuildDigestsInput): Promise<BuiltDigests> {
      const activity = Context.current();
      const generatedAt = new Date().toISOString();
      const dueBy = digestWindowEnd(WorkingDayCalendar.englandAndWales(), forDate, workingDays);
      const ids: string[] = [];
      const query = `WorkflowType = 'caseWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = ${quote(taskQueue)}`;
      for await (const wf of deps.client.workflow.list({ query })) ids.push(wf.workflowId);
      activity.heartbeat({ listed: ids.length });
      const cases: DigestCase[] = [];
      let unreadable = 0;
      let next = 0;
      const readOne = async (workflowId: string): Promise<void> => {
        try {
          const state = await deps.client.withAbortSignal(AbortSignal.timeout(queryTimeoutMs), () =>
            deps.client.workflow.getHandle(workflowId).query(stateQuery),
          );
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
      const alive = setInterval(() => activity.heartbeat({ read: cases.length }), HEARTBEAT_EVERY_MS);
      try {
        await Promise.all(
          Array.from({ length: Math.min(concurrency, ids.length) }, async () => {
            while (next < ids.length) await readOne(ids[next++]!);
          }),
        );
      } finally {
        clearInterval(alive);
      }
      // The same order whatever order the queries answered in.
      cases.sort((a, b) => a.caseId.localeCompare(b.caseId));
      const digests = buildDigests(cases, { generatedAt, dueBy });
      log.info('daily digests built', { forDate, cases: cases.length, unreadable, recipients: digests.length });
      return { generatedAt, dueBy, casesRead: cases.length, casesUnreadable: unreadable, digests };
    },

    async sendDailyDigest({ digest, forDate, generatedAt, dueBy, workingDays }: SendDigestInput): Promise<{ messageId: string; smtpResponse: string }> {
      const activity = Context.current();
      const rendered = renderDigest(digest, { forDate, generatedAt, dueBy, workingDays, consoleUrl: deps.consoleUrl });
      const key = digestMessageKey(digest.email, forDate);
      activity.heartbeat();
      try {
        const info = await deps.transport.sendMail({
          from: deps.from,
          to: { name: digest.name, address: digest.email },
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: rfcMessageId(key),
          headers: { 'X-CaseClock-Message': key },
        });
        log.info('daily digest delivered', { forDate, email: digest.email });
        return { messageId: key, smtpResponse: String(info.response ?? '') };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (typeof code === 'number' && code >= 500 && code < 600) {
          const response = String((err as { response?: string }).response ?? (err as Error).message);
          throw ApplicationFailure.nonRetryable(`SMTP server refused the digest: ${response}`, PERMANENT_REJECTION_TYPE);
        }
        throw err;
      }
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
