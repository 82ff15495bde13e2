/**
 * The escalations an imported case has due the moment it opens (its deadlines passed in the
 * council's old system), gathered into one email per recipient rather than one email per case and
 * level. The case is opened with them recorded as reported in that summary, so it does not send
 * them itself; later escalations (repeats, the next level) it sends as usual.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { evaluateCase, type DueMessage } from '../../domain/engine';
import { kindLabel, roleLabel } from '../../domain/labels';
import type { PolicySnapshot } from '../../domain/policy';
import { caseLink, localTime } from '../../domain/wording';
import { rfcMessageId } from '../../activities/notifications';
import { openingOf, type OpenCaseInput } from '../../workflows/inputs';
import { deliveryBase, type Delivery } from '../../workflows/messages';

/** What a delivery reported in the summary says in place of the SMTP server's answer. */
export const REPORTED_IN_SUMMARY = 'reported in the import summary email';

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
});
export type SummaryItem = z.infer<typeof SummaryItem>;

/** An escalation due on arrival, and the delivery that records it on the case as reported in the summary. */
export interface ReportedEscalation extends SummaryItem {
  delivery: Delivery;
}

/** The escalations due when the case opens at `now`, each with the delivery that records it as reported. */
export function escalationsDueOnArrival(input: OpenCaseInput, policy: PolicySnapshot, now: Date): ReportedEscalation[] {
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
    const delivery = deliveryOf(due, to.email, at);
    reported.push({
      messageId: delivery.messageId,
      caseId: input.caseId,
      reference: input.details.reference,
      title: (due.obligationId && titles.get(due.obligationId)) ?? kindLabel(due.kind ?? ''),
      dueAt: due.dueAt ?? due.sendAt,
      level: due.level,
      role: due.role,
      to,
      delivery,
    });
  }
  return reported;
}

function deliveryOf(due: DueMessage, email: string, at: string): Delivery {
  return { ...deliveryBase(due), sentAt: at, outcome: 'delivered', to: email, smtpResponse: REPORTED_IN_SUMMARY };
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
export function summaryEmails(reported: readonly SummaryItem[], consoleUrl: string, now: Date): SummaryEmail[] {
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
      `These cases were brought into CaseClock on ${localTime(now.toISOString())} and were already overdue in the previous system.`,
      `Each is escalated to you here instead of in an email of its own (${items.length} escalation${items.length === 1 ? '' : 's'}, ${cases} case${cases === 1 ? '' : 's'}):`,
      '',
      ...lines,
      '',
      'Please make sure each happens, or acknowledge its escalation in CaseClock. Later escalations come as usual.',
    ].join('\n');
    emails.push({
      to: first.to,
      subject: `[CaseClock] Imported cases overdue on arrival: ${items.length} escalation${items.length === 1 ? '' : 's'} for ${first.to.name}`,
      text,
      messageId: rfcMessageId(
        `import-summary/${email}/${createHash('sha256')
          .update(items.map((i) => i.messageId).join('\n'))
          .digest('hex')}`,
      ),
      escalations: items.length,
      reports: items.map((i) => i.messageId),
    });
  }
  return emails;
}
