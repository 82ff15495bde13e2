/** The one wording of how soon or how late (domain/wording.ts) and the labels of codes (domain/labels.ts). */
import { describe, expect, it } from 'vitest';
import { OBLIGATION_KINDS, RISK_TIERS, STAFF_ROLES } from '../../domain/kinds';
import type { CaseEvent } from '../../domain/facts';
import { describeCaseEvent, kindLabel, kindOfObligation, personLabel, recordSummaryOfEvent, roleLabel, tierLabel } from '../../domain/labels';
import { caseLink, dueIn, durationBetween, durationInWords, localTime, overdueBy } from '../../domain/wording';
import { lateness } from '../../activities/render-message';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('durationInWords', () => {
  it.each([
    [0, 'less than a second'],
    [999, 'less than a second'],
    [1 * s, '1 second'],
    [4 * s + 900, '4 seconds'],
    [59 * s + 999, '59 seconds'],
    [1 * m, '1 minute'],
    [2 * m + 58 * s, '2 minutes 58 seconds'],
    [59 * m + 59 * s + 999, '59 minutes 59 seconds'],
    [1 * h, '1 hour'],
    [1 * h + 1 * m, '1 hour 1 minute'],
    [3 * h + 5 * m + 59 * s, '3 hours 5 minutes'],
    [23 * h + 59 * m + 59 * s, '23 hours 59 minutes'],
    [1 * d, '1 day'],
    [2 * d + 4 * h + 59 * m, '2 days 4 hours'],
    [200 * d + 1 * h, '200 days 1 hour'],
  ])('%d ms reads "%s" (two units at most, each truncated)', (ms, words) => {
    expect(durationInWords(ms)).toBe(words);
    expect(durationInWords(-ms)).toBe(words);
  });

  it('refuses what is not a length of time', () => {
    expect(() => durationInWords(Number.NaN)).toThrow(RangeError);
  });

  it('counts a day as 24 elapsed hours, across a clock change too', () => {
    // 28 March 2026 20:30 GMT to 29 March 21:30 BST is 24 elapsed hours.
    expect(durationBetween('2026-03-28T20:30:00Z', '2026-03-29T20:30:00Z')).toBe('1 day');
  });
});

describe('dueIn', () => {
  const due = '2026-04-03T09:00:00.000Z';
  it('says "due in" before the deadline, with the seconds under an hour', () => {
    expect(dueIn(due, '2026-04-03T08:57:02.000Z')).toBe('due in 2 minutes 58 seconds');
    expect(dueIn(due, '2026-04-01T07:00:00.000Z')).toBe('due in 2 days 2 hours');
  });
  it('says "due now" at the deadline and "overdue" after it', () => {
    expect(dueIn(due, due)).toBe('due now');
    expect(dueIn(due, '2026-04-03T09:00:04.000Z')).toBe('4 seconds overdue');
    expect(dueIn(due, '2026-04-03T09:01:00.000Z')).toBe('1 minute overdue');
    expect(overdueBy(due, '2026-04-03T12:05:00.000Z')).toBe('3 hours 5 minutes overdue');
    expect(overdueBy(due, '2026-04-03T08:00:00.000Z')).toBe('not yet overdue');
  });
  it('the old lateness of render-message says the same', () => {
    expect(lateness(due, '2026-04-03T09:02:58.000Z')).toBe('2 minutes 58 seconds');
    expect(lateness(due, '2026-04-03T08:00:00.000Z')).toBe('not yet late');
  });
  it('refuses what is not an instant', () => {
    expect(() => dueIn('soon', due)).toThrow(RangeError);
  });
});

describe('localTime', () => {
  it('reads an instant in UK local time, BST in summer and GMT in winter, either side of the clock changes', () => {
    expect(localTime('2026-04-03T09:00:00.000Z')).toBe('Fri 3 Apr 2026, 10:00 BST');
    expect(localTime('2026-03-29T00:59:59.000Z')).toBe('Sun 29 Mar 2026, 00:59 GMT');
    expect(localTime('2026-03-29T01:00:00.000Z')).toBe('Sun 29 Mar 2026, 02:00 BST');
    expect(localTime('2026-10-25T00:30:00.000Z')).toBe('Sun 25 Oct 2026, 01:30 BST');
    expect(localTime('2026-10-25T01:30:00.000Z')).toBe('Sun 25 Oct 2026, 01:30 GMT');
  });

  it('a case link escapes the case id', () => {
    expect(caseLink('https://caseclock.example', 'WCF/1 2')).toBe('https://caseclock.example/cases/WCF%2F1%202');
  });
});

describe('labels', () => {
  it('names every tier, role and obligation kind in words', () => {
    for (const t of RISK_TIERS) expect(tierLabel(t)).not.toMatch(/_/);
    for (const r of STAFF_ROLES) expect(roleLabel(r)).not.toMatch(/-/);
    for (const k of OBLIGATION_KINDS) expect(kindLabel(k)).toMatch(/^[A-Z]/);
    expect(tierLabel('HIGH_IMMEDIATE')).toBe('High and immediate');
    expect(tierLabel(null)).toBe('not rated');
    expect(tierLabel('SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
  it('names the person in a role when the case has one', () => {
    const contacts = { 'team-manager': { name: 'Tess Manager', email: 'manager@council.example' } };
    expect(personLabel('team-manager', contacts)).toBe('Tess Manager (team manager)');
    expect(personLabel('head-of-service', contacts)).toBe('the head of service');
  });
  it('describes events without codes', () => {
    const at = '2026-04-03T09:00:00.000Z';
    const localTime = (i: string) => `<${i}>`;
    expect(describeCaseEvent({ type: 'tier-set', at, by: 'admin', tier: 'HIGH_IMMEDIATE', reason: 'r' }, { localTime })).toBe('Risk tier set to High and immediate');
    const obligationId = 'initial-visit-high@2026-04-03T09:00:00.000Z';
    expect(kindOfObligation(obligationId)).toBe('initial-visit-high');
    expect(describeCaseEvent({ type: 'escalation-acknowledged', at, by: 'admin', obligationId, level: 1 }, { localTime })).toBe('Escalation level 1 of Initial visit (high and immediate risk) acknowledged');
    expect(describeCaseEvent({ type: 'obligation-waived', at, by: 'admin', obligationId, reason: 'r' }, { localTime, obligationTitle: () => 'Visit within 24 hours' })).toBe('Visit within 24 hours waived');
  });
});

describe("the case record's summary of an event", () => {
  const at = '2026-04-03T09:00:00.000Z';
  const by = 'sw1';
  // The words the case-record store already holds for these events: a change here would make the
  // store refuse a batch written again (same entry id, other words), so the table is fixed.
  it.each<[CaseEvent, string]>([
    [{ type: 'tier-set', at, by, tier: 'HIGH_IMMEDIATE', reason: 'r' }, 'Risk tier set to HIGH_IMMEDIATE'],
    [{ type: 'contact', at, by, contactType: 'visit' }, 'Visit'],
    [{ type: 'contact', at, by, contactType: 'visit', childSeenAlone: true }, 'Visit (child seen alone)'],
    [{ type: 'contact', at, by, contactType: 'visit', childSeenAlone: false }, 'Visit (child not seen alone)'],
    [{ type: 'contact', at, by, contactType: 'kit-call' }, 'Keeping-in-touch call'],
    [{ type: 'contact', at, by, contactType: 'other' }, 'Other contact'],
    [{ type: 'meeting-scheduled', at, by, meetingId: 'M1', meetingType: 'icpc', scheduledFor: '2026-04-10T10:00:00.000Z' }, 'icpc M1 scheduled for 2026-04-10T10:00:00.000Z'],
    [{ type: 'meeting-postponed', at, by, meetingId: 'M1', newDate: '2026-04-17T10:00:00.000Z', reason: 'r' }, 'Meeting M1 postponed to 2026-04-17T10:00:00.000Z'],
    [{ type: 'meeting-cancelled', at, by, meetingId: 'M1', reason: 'r' }, 'Meeting M1 cancelled'],
    [{ type: 'meeting-held', at, by, meetingType: 'icpc', meetingId: 'M1', outcome: 'cp-plan' }, 'icpc M1 held (cp-plan)'],
    [{ type: 'meeting-held', at, by, meetingType: 'cic-review', reviewNumber: 2 }, 'cic-review held'],
    [{ type: 'pre-meeting-held', at, by, meetingId: 'M1' }, 'Pre meeting held'],
    [{ type: 'report-submitted', at, by, reportType: 'iro-report', meetingId: 'M1' }, 'Report submitted'],
    [{ type: 'strategy-discussion', at, by, s47Started: true }, 'Strategy discussion'],
    [{ type: 'complaint-received', at, by, complaintId: 'C1', stage: 3 }, 'Complaint received'],
    [{ type: 'placement-started', at, by, placementId: 'P1', placementType: 'with-parent' }, 'Placement started'],
    [{ type: 'child-returned', at, by }, 'Child returned'],
    [{ type: 'obligation-waived', at, by, obligationId: 'kit-call@2026-04-01T09:00:00.000Z', reason: 'r' }, 'Obligation kit-call@2026-04-01T09:00:00.000Z waived'],
    [{ type: 'escalation-acknowledged', at, by, obligationId: 'kit-call@2026-04-01T09:00:00.000Z', level: 2 }, 'Escalation level 2 of kit-call@2026-04-01T09:00:00.000Z acknowledged'],
    [{ type: 'hold-started', at, by, holdId: 'H1', kind: 'kit-call', reason: 'r' }, 'Clock kit-call put on hold (H1)'],
    [{ type: 'hold-started', at, by, holdId: 'H2', reason: 'r' }, 'Clock (all) put on hold (H2)'],
    [{ type: 'hold-ended', at, by, holdId: 'H1' }, 'Hold H1 ended'],
    [{ type: 'policy-applied', at, by, policyVersion: '2026.2', mode: 'forward' }, 'Policy 2026.2 applied (forward)'],
    [{ type: 'case-closed', at, by, reason: 'r' }, 'Case closed'],
  ])('%j reads "%s"', (event, summary) => {
    expect(recordSummaryOfEvent(event)).toBe(summary);
  });

  it('shares the sentences staff read where the two wordings agree', () => {
    const asWritten = (text: string) => text;
    const event: CaseEvent = { type: 'meeting-postponed', at, by, meetingId: 'M1', newDate: '2026-04-17T10:00:00.000Z', reason: 'r' };
    expect(recordSummaryOfEvent(event)).toBe(describeCaseEvent(event, { localTime: asWritten }));
  });
});
