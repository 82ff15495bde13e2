/**
 * What a case shows: the state query's answer, an update's small answer, the timeline, and the
 * email for a due message. Pure functions of the case's parts; nothing here changes the case.
 */
import type { DueMessage } from '../../domain/engine';
import type { CaseEvent } from '../../domain/facts';
import type { CaseMessage } from '../../activities/render-message';
import type { CaseAnswer, CaseState, CaseSummary, TimelineEntry } from '../messages';
import { type CaseAttributes, caseAttributes } from '../search-attributes';
import type { CaseRecord } from '../case-record';
import { deliveryEntry, eventEntry } from './entries';
import type { CaseFacts } from './facts';

/** The state query's answer. */
export function caseState(kase: CaseRecord, now: string): CaseState {
  const { facts, clocks, outbox } = kase;
  const evaluation = clocks.evaluate(now);
  return {
    subject: facts.subject,
    ...(facts.linkedCaseId ? { linkedCaseId: facts.linkedCaseId } : {}),
    caseId: facts.caseId,
    details: facts.details,
    openedAt: facts.openedAt,
    status: facts.closed ? 'closed' : 'open',
    tier: facts.tier,
    policyVersion: facts.policyVersion,
    open: evaluation.open,
    overdueCount: evaluation.overdueCount,
    nextDueAt: evaluation.nextDueAt,
    nextWakeAt: evaluation.nextWakeAt,
    undeliverable: facts.deliveries.filter((d) => d.outcome === 'undeliverable'),
    sending: clocks.inFlight().map((d) => ({ messageId: d.messageId, type: d.type, level: d.level, role: d.role, sendAt: d.sendAt })),
    ...(outbox.keepsRecord ? { waitingForStore: outbox.waiting, notYetInRecord: outbox.notYetInRecord() } : {}),
    warnings: evaluation.warnings,
  };
}

/**
 * The case's summary for the case-record store (store/case-summary.ts), as of `now`, written with
 * a batch of entries after which `waitingAfter` entries are still to be written.
 */
export function caseSummary(kase: CaseRecord, now: string, waitingAfter: number): CaseSummary {
  const { notYetInRecord: _entries, waitingForStore: _waiting, sending, open, ...state } = caseState(kase, now);
  // Whom each open obligation's highest escalation went to: the last one the case still carries.
  const escalatedTo = new Map<string, { role: string; to?: string }>();
  for (const d of kase.facts.deliveries) if (d.type === 'escalation' && d.obligationId) escalatedTo.set(d.obligationId, { role: d.role, ...(d.to ? { to: d.to } : {}) });
  return {
    ...state,
    open: open.map((o) => {
      const to = o.escalationLevel > 0 ? escalatedTo.get(o.id) : undefined;
      return to ? { ...o, escalatedTo: to } : o;
    }),
    sending: sending ?? [],
    waitingForStore: waitingAfter,
    writtenAt: now,
  };
}

/**
 * The case's summary as it will stand once `due` has gone to `to`: what its recorded send writes
 * with the delivery (the message no longer waiting for the mail server; an escalation's obligation
 * showing whom it went to).
 */
export function caseSummaryOnceSent(kase: CaseRecord, now: string, waitingAfter: number, due: DueMessage, to: string): CaseSummary {
  const summary = caseSummary(kase, now, waitingAfter);
  const escalated = due.type === 'escalation' ? due.obligationId : undefined;
  return {
    ...summary,
    sending: summary.sending.filter((s) => s.messageId !== due.messageId),
    open: escalated === undefined ? summary.open : summary.open.map((o) => (o.id === escalated && o.escalationLevel > 0 ? { ...o, escalatedTo: { role: due.role, to } } : o)),
  };
}

/** The case's search attributes as of `now`: what the client sets when it starts the case, and what the case keeps current. */
export function caseAttributesAt(kase: CaseRecord, now: string): CaseAttributes {
  const evaluation = kase.clocks.evaluate(now);
  return caseAttributes({ closed: kase.facts.closed, tier: kase.facts.tier, team: kase.facts.details.team, overdueCount: evaluation.overdueCount, nextDueAt: evaluation.nextDueAt });
}

/** The small answer an update gives: see CaseAnswer. */
export function caseAnswer(kase: CaseRecord, now: string): CaseAnswer {
  const { facts, clocks, outbox } = kase;
  const evaluation = clocks.evaluate(now);
  return {
    caseId: facts.caseId,
    status: facts.closed ? 'closed' : 'open',
    tier: facts.tier,
    openCount: evaluation.open.length,
    overdueCount: evaluation.overdueCount,
    nextDueAt: evaluation.nextDueAt,
    ...(outbox.keepsRecord ? { waitingForStore: outbox.waiting } : {}),
    warnings: evaluation.warnings,
  };
}

/** What the case carries, oldest first (the store holds the whole record). */
export function caseTimeline(facts: CaseFacts): TimelineEntry[] {
  const entries: TimelineEntry[] = [...facts.events.map(eventEntry), ...facts.deliveries.map(deliveryEntry), ...facts.notes];
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** The email for one due message, with what it is about, and the person it goes to. */
export function messageFor(kase: CaseRecord, due: DueMessage, now: string): { message: CaseMessage; to?: { email: string; name: string } } {
  const { facts } = kase;
  const obligation = due.obligationId ? kase.clocks.evaluate(now).obligations.find((o) => o.id === due.obligationId) : undefined;
  const meetingEvent = due.meetingId ? meetingChange(facts.events, due.meetingId) : undefined;
  const contact = facts.details.contacts[due.role];
  return {
    message: {
      messageId: due.messageId,
      caseId: facts.caseId,
      caseReference: facts.details.reference,
      team: facts.details.team,
      type: due.type,
      level: due.level,
      repeat: due.repeat,
      role: due.role,
      sendAt: due.sendAt,
      ...(obligation
        ? {
            obligation: {
              id: obligation.id,
              kind: obligation.kind,
              title: obligation.title,
              dueAt: obligation.dueAt,
              basis: obligation.basis.reference,
            },
          }
        : {}),
      ...(meetingEvent ? { meeting: meetingEvent } : {}),
    },
    ...(contact ? { to: { email: contact.email, name: contact.name } } : {}),
  };
}

/** The last postponement or cancellation of a meeting, with the date it was moved from. */
function meetingChange(events: readonly CaseEvent[], meetingId: string): CaseMessage['meeting'] | undefined {
  let scheduled: Extract<CaseEvent, { type: 'meeting-scheduled' }> | undefined;
  let scheduledFor: string | undefined;
  let change: CaseMessage['meeting'] | undefined;
  for (const e of events) {
    if (e.type === 'meeting-scheduled' && e.meetingId === meetingId) {
      scheduled = e;
      scheduledFor = e.scheduledFor;
    } else if (e.type === 'meeting-postponed' && e.meetingId === meetingId && scheduled) {
      change = { meetingId, meetingType: scheduled.meetingType, change: 'postponed', scheduledFor, newDate: e.newDate };
      scheduledFor = e.newDate;
    } else if (e.type === 'meeting-cancelled' && e.meetingId === meetingId && scheduled) {
      change = { meetingId, meetingType: scheduled.meetingType, change: 'cancelled', scheduledFor };
    }
  }
  return change;
}
