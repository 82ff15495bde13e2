/**
 * The escalations an imported case has due the moment it opens (its deadlines passed in the
 * council's old system), gathered into one email per recipient rather than one email per case and
 * level. The case is opened with them recorded as reported in that summary, so it does not send
 * them itself; later escalations (repeats, the next level) it sends as usual.
 */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { evaluateCase, type DueMessage } from '../../domain/engine';
import { kindLabel, roleLabel } from '../../domain/labels';
import type { PolicySnapshot } from '../../domain/policy';
import { caseLink, localTime } from '../../activities/render-message';
import { rfcMessageId } from '../../activities/notifications';
import { openingOf, type OpenCaseInput } from '../../workflows/inputs';
import type { Delivery } from '../../workflows/messages';

/** What a delivery reported in the summary says in place of the SMTP server's answer. */
export const REPORTED_IN_SUMMARY = 'reported in the import summary email';

export interface ReportedEscalation {
  caseId: string;
  reference: string;
  title: string;
  dueAt: string;
  level: number;
  role: string;
  to: { name: string; email: string };
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
    reported.push({
      caseId: input.caseId,
      reference: input.details.reference,
      title: (due.obligationId && titles.get(due.obligationId)) ?? kindLabel(due.kind ?? ''),
      dueAt: due.dueAt ?? due.sendAt,
      level: due.level,
      role: due.role,
      to,
      delivery: deliveryOf(due, to.email, at),
    });
  }
  return reported;
}

function deliveryOf(due: DueMessage, email: string, at: string): Delivery {
  return {
    messageId: due.messageId,
    type: due.type,
    level: due.level,
    role: due.role,
    ...(due.obligationId ? { obligationId: due.obligationId } : {}),
    ...(due.kind ? { kind: due.kind } : {}),
    sentAt: at,
    outcome: 'delivered',
    to: email,
    smtpResponse: REPORTED_IN_SUMMARY,
  };
}

export interface SummaryEmail {
  to: { name: string; email: string };
  subject: string;
  text: string;
  messageId: string;
  escalations: number;
}

/** One email per recipient, listing every escalation of theirs due on arrival, by case. */
export function summaryEmails(reported: readonly ReportedEscalation[], consoleUrl: string, now: Date): SummaryEmail[] {
  const byRecipient = new Map<string, ReportedEscalation[]>();
  for (const r of reported) byRecipient.set(r.to.email, [...(byRecipient.get(r.to.email) ?? []), r]);
  const emails: SummaryEmail[] = [];
  for (const [email, items] of byRecipient) {
    const first = items[0];
    if (!first) continue;
    items.sort((a, b) => a.reference.localeCompare(b.reference) || a.dueAt.localeCompare(b.dueAt));
    const cases = new Set(items.map((i) => i.caseId)).size;
    const lines = items.map(
      (i) => `- ${i.reference} (${i.caseId}): ${i.title}, was due by ${localTime(i.dueAt)}; escalation level ${i.level} to you as ${roleLabel(i.role)}\n  ${caseLink(consoleUrl, i.caseId)}`,
    );
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
      messageId: rfcMessageId(`import-summary/${email}/${createHash('sha256').update(items.map((i) => i.delivery.messageId).join('\n')).digest('hex')}`),
      escalations: items.length,
    });
  }
  return emails;
}

/** Sends each summary; returns, for each recipient, the server's answer or why it failed. */
export async function sendSummaries(
  transport: Transporter,
  from: string,
  emails: readonly SummaryEmail[],
): Promise<Array<{ to: string; escalations: number; smtpResponse?: string; error?: string }>> {
  const results = [];
  for (const e of emails) {
    try {
      const info = (await transport.sendMail({ from, to: { name: e.to.name, address: e.to.email }, subject: e.subject, text: e.text, messageId: e.messageId })) as { response?: string };
      results.push({ to: e.to.email, escalations: e.escalations, smtpResponse: info.response ?? '' });
    } catch (err) {
      results.push({ to: e.to.email, escalations: e.escalations, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return results;
}
