/**
 * The escalations a case brought in from elsewhere has due the moment it opens (its deadlines
 * passed in the council's old system, for an import; in the council's case system, for the SSD
 * sync), gathered into one email per recipient rather than one email per case and level. The case
 * is opened with them recorded as reported in that summary, so it does not send them itself; later
 * escalations (repeats, the next level) it sends as usual. Both the import and the sync hold them in
 * the store (store/import-summary-store.ts) before the case opens, so none is lost to a stop part-way.
 */
import { createHash } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { evaluateCase, type DueMessage } from '../domain/engine';
import { kindLabel, roleLabel } from '../domain/labels';
import type { PolicySnapshot } from '../domain/policy';
import { caseLink, localTime } from '../domain/wording';
import { rfcMessageId } from '../activities/notifications';
import type { ImportSummaryStore } from '../store/import-summary-store';
import { openingOf, type OpenCaseInput } from '../workflows/inputs';
import { caseWorkflowId, deliveryBase, type Delivery } from '../workflows/messages';

/** Where the cases of a summary came from: a file imported, or the council's case system (the SSD sync). */
export type ArrivalOrigin = 'import' | 'case-system';

/** What a delivery reported in the summary says in place of the SMTP server's answer. */
export const REPORTED_IN_SUMMARY = 'reported in the import summary email';
export const REPORTED_IN_CASE_SYSTEM_SUMMARY = 'reported in the summary email of cases opened from the case system';

/** What a summary email says of one escalation; held in the store (store/import-summary-store.ts) until it is sent. */
export const SummaryItem = z.object({
  messageId: z.string().min(1),
  caseId: z.string().min(1),
  reference: z.string(),
  title: z.string(),
  dueAt: z.string(),
  level: z.number().int(),
  role: z.string(),
  to: z.object({ name: z.string(), email: z.string() }),
  /** Absent on items held before the sync held its own: the import's. */
  origin: z.enum(['import', 'case-system']).optional(),
});
export type SummaryItem = z.infer<typeof SummaryItem>;

/** An escalation due on arrival, and the delivery that records it on the case as reported in the summary. */
export interface ReportedEscalation extends SummaryItem {
  delivery: Delivery;
}

/** The escalations due when the case opens at `now`, each with the delivery that records it as reported. */
export function escalationsDueOnArrival(input: OpenCaseInput, policy: PolicySnapshot, now: Date, origin: ArrivalOrigin = 'import'): ReportedEscalation[] {
  const opening = openingOf(input, now);
  const at = now.toISOString();
  const evaluation = evaluateCase({ facts: { caseId: input.caseId, openedAt: opening.openedAt, events: opening.events, sent: [] }, policies: [policy], now: at });
  const titles = new Map(evaluation.obligations.map((o) => [o.id, o.title]));
  const reported: ReportedEscalation[] = [];
  for (const due of evaluation.messagesDue) {
    if (due.type !== 'escalation') continue;
    const to = input.details.contacts[due.role];
    // Nobody in the role: the case records it as undeliverable itself, as for any case.
    if (!to) continue;
    const delivery = deliveryOf(due, to.email, at, origin);
    reported.push({
      messageId: delivery.messageId,
      caseId: input.caseId,
      reference: input.details.reference,
      title: (due.obligationId && titles.get(due.obligationId)) ?? kindLabel(due.kind ?? ''),
      dueAt: due.dueAt ?? due.sendAt,
      level: due.level,
      role: due.role,
      to,
      ...(origin === 'import' ? {} : { origin }),
      delivery,
    });
  }
  return reported;
}

function deliveryOf(due: DueMessage, email: string, at: string, origin: ArrivalOrigin): Delivery {
  return { ...deliveryBase(due), sentAt: at, outcome: 'delivered', to: email, smtpResponse: origin === 'import' ? REPORTED_IN_SUMMARY : REPORTED_IN_CASE_SYSTEM_SUMMARY };
}

export interface SummaryEmail {
  to: { name: string; email: string };
  subject: string;
  text: string;
  messageId: string;
  escalations: number;
  /** The message ids of the escalations it reports, to mark them sent. */
  reports: string[];
}

/** One email per recipient, listing every escalation of theirs due on arrival, by case. */
export function summaryEmails(reported: readonly SummaryItem[], consoleUrl: string, now: Date, origin: ArrivalOrigin = 'import'): SummaryEmail[] {
  const byRecipient = new Map<string, SummaryItem[]>();
  for (const r of reported) byRecipient.set(r.to.email, [...(byRecipient.get(r.to.email) ?? []), r]);
  const emails: SummaryEmail[] = [];
  for (const [email, items] of byRecipient) {
    const first = items[0];
    if (!first) continue;
    items.sort((a, b) => a.reference.localeCompare(b.reference) || a.dueAt.localeCompare(b.dueAt));
    const cases = new Set(items.map((i) => i.caseId)).size;
    const lines = items.map((i) => `- ${i.reference} (${i.caseId}): ${i.title}, was due by ${localTime(i.dueAt)}; escalation level ${i.level} to you as ${roleLabel(i.role)}\n  ${caseLink(consoleUrl, i.caseId)}`);
    const text = [
      `Dear ${first.to.name},`,
      '',
      origin === 'import'
        ? `These cases were brought into CaseClock on ${localTime(now.toISOString())} and were already overdue in the previous system.`
        : `These cases were opened in CaseClock from the council's case system on ${localTime(now.toISOString())} and were already overdue there.`,
      `Each is escalated to you here instead of in an email of its own (${items.length} escalation${items.length === 1 ? '' : 's'}, ${cases} case${cases === 1 ? '' : 's'}):`,
      '',
      ...lines,
      '',
      'Please make sure each happens, or acknowledge its escalation in CaseClock. Later escalations come as usual.',
    ].join('\n');
    emails.push({
      to: first.to,
      subject: `[CaseClock] ${origin === 'import' ? 'Imported cases' : 'Cases from the case system'} overdue on arrival: ${items.length} escalation${items.length === 1 ? '' : 's'} for ${first.to.name}`,
      text,
      messageId: rfcMessageId(
        `${origin === 'import' ? 'import-summary' : 'case-system-summary'}/${email}/${createHash('sha256')
          .update(items.map((i) => i.messageId).join('\n'))
          .digest('hex')}`,
      ),
      escalations: items.length,
      reports: items.map((i) => i.messageId),
    });
  }
  return emails;
}

export interface SummarySent {
  to: string;
  escalations: number;
  smtpResponse?: string;
  error?: string;
}

/** How escalations due on arrival reach their managers: held in `store`, then one summary each. */
export interface SummaryMail {
  store: ImportSummaryStore;
  transport: Transporter;
  from: string;
  consoleUrl: string;
}

/**
 * Sends one summary per recipient of every escalation still held from `origin`, this run's and any
 * an earlier, interrupted run left; each is marked sent once its email is accepted, and one not
 * sent stays held for the next run. Escalations an earlier run held for a case that never opened
 * are dropped.
 */
export async function sendHeldSummaries(client: Client, mail: SummaryMail, runId: string, now: Date, origin: ArrivalOrigin): Promise<SummarySent[]> {
  const held = (await mail.store.unsent()).map((h) => ({ ...h, item: SummaryItem.parse(h.payload) })).filter((h) => (h.item.origin ?? 'import') === origin);
  const earlierCases = [...new Set(held.filter((h) => h.runId !== runId).map((h) => h.caseId))];
  const neverOpened = new Set<string>();
  for (const caseId of earlierCases) {
    try {
      await client.workflow.getHandle(caseWorkflowId(caseId)).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) neverOpened.add(caseId);
      else throw err;
    }
  }
  await mail.store.drop(held.filter((h) => neverOpened.has(h.caseId)).map((h) => h.messageId));
  const items = held.filter((h) => !neverOpened.has(h.caseId)).map((h) => h.item);
  const results: SummarySent[] = [];
  for (const email of summaryEmails(items, mail.consoleUrl, now, origin)) results.push(await sendOne(mail, email));
  return results;
}

async function sendOne(mail: SummaryMail, e: SummaryEmail): Promise<SummarySent> {
  let response: string;
  try {
    const info = (await mail.transport.sendMail({ from: mail.from, to: { name: e.to.name, address: e.to.email }, subject: e.subject, text: e.text, messageId: e.messageId })) as {
      response?: string;
    };
    response = info.response ?? '';
  } catch (err) {
    return { to: e.to.email, escalations: e.escalations, error: err instanceof Error ? err.message : String(err) };
  }
  await mail.store.markSent(e.reports);
  return { to: e.to.email, escalations: e.escalations, smtpResponse: response };
}
