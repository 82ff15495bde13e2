/**
 * Preparation before a scheduled meeting (the local conference protocol): the chair and social worker pre-meeting at
 * least two working days before a conference, and the social worker's report to the IRO 48 hours
 * before a child in care review. Both are counted back from the meeting's date; a postponement
 * moves the deadline (a new occurrence), a cancellation supersedes it. Postponing or cancelling a
 * conference also notifies the policy's roles at once.
 */
import type { EventOf } from '../facts';
import type { MeetingType, ObligationKind } from '../kinds';
import type { CaseContext } from './context';
import type { Draft, Ledger } from './ledger';
import type { CaseCheckpoint } from './types';

const PREPARATION_KINDS = ['conference-pre-meeting', 'iro-report'] as const;

/** A postponement or cancellation that the policy says must be reported at once. */
export interface ConferenceChange {
  meetingId: string;
  meetingType: MeetingType;
  change: 'meeting-postponed' | 'meeting-cancelled';
  at: string;
}

interface Meeting {
  type: MeetingType;
  at: string;
  /** Preparation kinds already met for this meeting: a postponement does not ask for them again. */
  met: Set<ObligationKind>;
}

export function meetingPreparationClocks(ctx: CaseContext): {
  ledger: Ledger;
  changes: ConferenceChange[];
  state: () => CaseCheckpoint['families']['preparation'];
} {
  const ledger = ctx.ledgerFor('preparation');
  const changes: ConferenceChange[] = [...(ctx.checkpoint?.changes ?? [])];
  const meetings = new Map<string, Meeting>();
  for (const m of ctx.checkpoint?.families.preparation.meetings ?? []) meetings.set(m.meetingId, { type: m.type, at: m.at, met: new Set(m.met) });

  const openFor = (meetingId: string, meeting: Meeting, at: string) => {
    for (const kind of PREPARATION_KINDS) {
      if (meeting.met.has(kind)) continue;
      const rule = ctx.ruleAt(kind, at);
      if (!rule || !(rule.meetingTypes ?? []).includes(meeting.type)) continue;
      ledger.open({ id: `${kind}@${meetingId}@${meeting.at}`, kind, triggeredAt: at, meetingAt: meeting.at, meetingId });
    }
  };
  const openForMeeting = (meetingId: string): Draft[] => ledger.openOf(...PREPARATION_KINDS).filter((d) => d.meetingId === meetingId);
  const supersede = (meetingId: string, at: string) => {
    for (const d of openForMeeting(meetingId)) ledger.resolve(d, 'superseded', at);
  };
  const meet = (meetingId: string, kind: ObligationKind, at: string) => {
    for (const d of openForMeeting(meetingId)) {
      if (d.kind === kind) ledger.resolve(d, 'met', at);
    }
    meetings.get(meetingId)?.met.add(kind);
  };
  const reportChange = (meetingId: string, change: ConferenceChange['change'], at: string) => {
    const meeting = meetings.get(meetingId);
    if (!meeting) {
      ctx.warnings.push(`${change} at ${at} names meeting "${meetingId}", which was never scheduled; no notice sent`);
      return;
    }
    if (ctx.snapshotAt(at).conferenceNotice.meetingTypes.includes(meeting.type)) {
      changes.push({ meetingId, meetingType: meeting.type, change, at });
    }
  };

  const onScheduled = (event: EventOf<'meeting-scheduled'>) => {
    const existing = meetings.get(event.meetingId);
    if (existing && existing.at === event.scheduledFor) return;
    supersede(event.meetingId, event.at);
    const meeting: Meeting = { type: event.meetingType, at: event.scheduledFor, met: existing?.met ?? new Set() };
    meetings.set(event.meetingId, meeting);
    openFor(event.meetingId, meeting, event.at);
  };

  const onPostponed = (event: EventOf<'meeting-postponed'>) => {
    reportChange(event.meetingId, 'meeting-postponed', event.at);
    const meeting = meetings.get(event.meetingId);
    if (!meeting) return;
    supersede(event.meetingId, event.at);
    meeting.at = event.newDate;
    openFor(event.meetingId, meeting, event.at);
  };

  const onCancelled = (event: EventOf<'meeting-cancelled'>) => {
    reportChange(event.meetingId, 'meeting-cancelled', event.at);
    supersede(event.meetingId, event.at);
    meetings.delete(event.meetingId);
  };

  for (const event of ctx.events) {
    switch (event.type) {
      case 'meeting-scheduled':
        onScheduled(event);
        break;
      case 'meeting-postponed':
        onPostponed(event);
        break;
      case 'meeting-cancelled':
        onCancelled(event);
        break;
      case 'pre-meeting-held':
        meet(event.meetingId, 'conference-pre-meeting', event.at);
        break;
      case 'report-submitted':
        if (event.reportType === 'iro-report') meet(event.meetingId, 'iro-report', event.at);
        break;
      case 'meeting-held':
        // The meeting took place: preparation still outstanding can no longer be done.
        if (event.meetingId !== undefined) {
          supersede(event.meetingId, event.at);
          meetings.delete(event.meetingId);
        }
        break;
      case 'obligation-waived': {
        const waived = ledger.waive(event.obligationId, event.at);
        if (waived?.meetingId !== undefined) meetings.get(waived.meetingId)?.met.add(waived.kind);
        break;
      }
      default:
        break;
    }
  }
  const state = () => ({ meetings: [...meetings].map(([meetingId, m]) => ({ meetingId, type: m.type, at: m.at, met: [...m.met] })) });
  return { ledger, changes, state };
}
