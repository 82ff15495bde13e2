import { describe, expect, it } from 'vitest';
import { problemsWithEvent, type CaseSoFar } from '../../domain/consistency';
import type { CaseEvent } from '../../domain/facts';

const openedAt = '2026-01-05T09:00:00.000Z';
const now = '2026-02-01T12:00:00.000Z';
const by = 'admin1';
const scheduled: CaseEvent = {
  type: 'meeting-scheduled',
  at: '2026-01-10T09:00:00.000Z',
  by,
  meetingId: 'CG-1',
  meetingType: 'core-group',
  scheduledFor: '2026-02-10T10:00:00.000Z',
};
const kase = (events: CaseEvent[], subject: CaseSoFar['subject'] = 'case'): CaseSoFar => ({ subject, openedAt, events, open: [] });
const fields = (k: CaseSoFar, e: CaseEvent) => problemsWithEvent(k, e, now).map((p) => `${p.field}: ${p.message}`);

describe('what may be recorded on a case', () => {
  it('accepts a visit in the life of the case', () => {
    expect(fields(kase([]), { type: 'contact', at: '2026-01-20T10:00:00.000Z', by, contactType: 'visit' })).toEqual([]);
  });

  it('refuses a visit before the case opened', () => {
    expect(fields(kase([]), { type: 'contact', at: '2026-01-01T10:00:00.000Z', by, contactType: 'visit' })).toEqual([`at: is before the case was opened (${openedAt})`]);
  });

  it('refuses an event in the future', () => {
    expect(fields(kase([]), { type: 'contact', at: '2026-03-01T10:00:00.000Z', by, contactType: 'kit-call' })).toEqual(['at: is in the future']);
  });

  it('refuses the same meeting scheduled twice and held twice', () => {
    expect(fields(kase([scheduled]), { ...scheduled, at: '2026-01-11T09:00:00.000Z' })).toEqual(['meetingId: meeting CG-1 is already recorded']);
    const held: CaseEvent = { type: 'meeting-held', at: '2026-01-30T10:00:00.000Z', by, meetingId: 'CG-1', meetingType: 'core-group' };
    expect(fields(kase([scheduled]), held)).toEqual([]);
    expect(fields(kase([scheduled, held]), held)).toEqual(['meetingId: meeting CG-1 is already held']);
  });

  it('refuses postponing a meeting that does not exist or is cancelled', () => {
    const postpone: CaseEvent = { type: 'meeting-postponed', at: '2026-01-20T09:00:00.000Z', by, meetingId: 'CG-9', newDate: '2026-02-20T09:00:00.000Z', reason: 'chair ill' };
    expect(fields(kase([scheduled]), postpone)).toEqual(['meetingId: no meeting CG-9 is scheduled on this case']);
    const cancelled: CaseEvent = { type: 'meeting-cancelled', at: '2026-01-15T09:00:00.000Z', by, meetingId: 'CG-1', reason: 'plan ended' };
    expect(fields(kase([scheduled, cancelled]), { ...postpone, meetingId: 'CG-1' })).toEqual(['meetingId: meeting CG-1 is already cancelled']);
  });

  it('refuses waiving or acknowledging what is not open or not escalated', () => {
    const k = { ...kase([]), open: [{ id: 'kit-call@x', escalationLevel: 1 }] };
    expect(fields(k, { type: 'obligation-waived', at: now, by, obligationId: 'visit@y', reason: 'r' })).toEqual(['obligationId: no open obligation visit@y']);
    expect(fields(k, { type: 'escalation-acknowledged', at: now, by, obligationId: 'kit-call@x', level: 2 })).toEqual(['level: obligation kit-call@x has not been escalated to level 2']);
    expect(fields(k, { type: 'escalation-acknowledged', at: now, by, obligationId: 'kit-call@x', level: 1 })).toEqual([]);
  });

  it('refuses anything once the case is closed', () => {
    const closed: CaseEvent = { type: 'case-closed', at: '2026-01-20T09:00:00.000Z', by, reason: 'stepped down' };
    expect(fields(kase([closed]), { type: 'contact', at: '2026-01-21T10:00:00.000Z', by, contactType: 'visit' })).toEqual(['type: the case is closed: nothing more can be recorded']);
  });

  it('keeps incident events on incidents and case events on cases', () => {
    const notified: CaseEvent = { type: 'incident-notified', at: '2026-01-20T09:00:00.000Z', by, incidentId: 'SI-1' };
    expect(fields(kase([]), notified)).toEqual(['type: serious incidents are recorded on the incident, not on the case']);
    const reported: CaseEvent = { type: 'incident-reported', at: openedAt, by, incidentId: 'SI-1' };
    expect(fields(kase([reported], 'incident'), notified)).toEqual([]);
    expect(fields(kase([reported], 'incident'), { type: 'contact', at: now, by, contactType: 'visit' })).toEqual(['type: contact is recorded on the case, not on the incident']);
    expect(fields(kase([reported], 'incident'), { type: 'rapid-review-completed', at: now, by, incidentId: 'SI-1' })).toEqual(['type: record incident-notified first']);
  });
});
