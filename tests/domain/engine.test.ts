import { describe, expect, it } from 'vitest';
import type { CaseEvent } from '../../domain/facts';
import type { ObligationKind } from '../../domain/kinds';
import {
  acknowledged,
  assessmentCompleted,
  CASE_ID,
  caseClosed,
  childReturned,
  complaintExtended,
  complaintReceived,
  complaintResponded,
  escalationId,
  evaluate,
  holdEnded,
  holdStarted,
  incidentNotified,
  incidentReported,
  iroReportSubmitted,
  justAfter,
  justBefore,
  kitCall,
  lookedAfterEnded,
  lookedAfterStarted,
  meetingCancelled,
  meetingHeld,
  meetingPostponed,
  meetingScheduled,
  messagesFor,
  NATIONAL,
  NATIONAL_2026_1,
  cicReviewHeld,
  complaintPanelHeld,
  complaintPanelReported,
  nationalWith,
  obligation,
  otherContact,
  placementStarted,
  policyApplied,
  preMeetingHeld,
  rapidReviewCompleted,
  referralDecided,
  referralReceived,
  reminderId,
  returnInterviewHeld,
  strategyDiscussion,
  tierSet,
  visit,
  waived,
  WORCESTERSHIRE,
} from './engine-fixtures';

/**
 * One scenario per obligation kind under the national policy: what starts it, its id and
 * deadline (worked out by hand), the event that meets it, and its level-2 escalation instants.
 */
interface KindScenario {
  kind: ObligationKind;
  setup: CaseEvent[];
  id: string;
  triggeredAt: string;
  dueAt: string;
  meet: (at: string) => CaseEvent;
  metAt: string;
  level2At: string;
  repeatAt: string;
}

const SCENARIOS: KindScenario[] = [
  {
    kind: 'initial-visit-high',
    // Sat 28 Mar 2026 20:30 GMT; 24 elapsed hours across the clock change = 21:30 BST Sunday.
    setup: [tierSet('2026-03-28T20:30:00.000Z', 'HIGH_IMMEDIATE')],
    id: 'initial-visit-high@2026-03-28T20:30:00.000Z',
    triggeredAt: '2026-03-28T20:30:00.000Z',
    dueAt: '2026-03-29T20:30:00.000Z',
    meet: visit,
    metAt: '2026-03-29T10:00:00.000Z',
    level2At: '2026-03-30T08:30:00.000Z',
    repeatAt: '2026-03-31T08:30:00.000Z',
  },
  {
    kind: 'initial-visit-priority',
    setup: [tierSet('2026-03-02T10:00:00.000Z', 'PRIORITY')],
    id: 'initial-visit-priority@2026-03-02T10:00:00.000Z',
    triggeredAt: '2026-03-02T10:00:00.000Z',
    dueAt: '2026-03-16T10:00:00.000Z',
    meet: visit,
    metAt: '2026-03-10T10:00:00.000Z',
    level2At: '2026-03-18T10:00:00.000Z',
    repeatAt: '2026-03-25T10:00:00.000Z',
  },
  {
    kind: 'visit-priority',
    setup: [tierSet('2026-03-02T10:00:00.000Z', 'PRIORITY'), visit('2026-03-05T10:00:00.000Z')],
    id: 'visit-priority@2026-03-05T10:00:00.000Z',
    triggeredAt: '2026-03-05T10:00:00.000Z',
    dueAt: '2026-03-19T10:00:00.000Z',
    meet: visit,
    metAt: '2026-03-18T10:00:00.000Z',
    level2At: '2026-03-21T10:00:00.000Z',
    repeatAt: '2026-03-28T10:00:00.000Z',
  },
  {
    kind: 'kit-call',
    // 10:00 BST on Tue 20 Oct 2026 → 10:00 GMT on Tue 3 Nov.
    setup: [tierSet('2026-10-20T09:00:00.000Z', 'VULNERABLE')],
    id: 'kit-call@2026-10-20T09:00:00.000Z',
    triggeredAt: '2026-10-20T09:00:00.000Z',
    dueAt: '2026-11-03T10:00:00.000Z',
    meet: kitCall,
    metAt: '2026-10-30T10:00:00.000Z',
    level2At: '2026-11-05T10:00:00.000Z',
    repeatAt: '2026-11-12T10:00:00.000Z',
  },
  {
    kind: 'icpc',
    // Day 0 Sat 28 Mar 2026; Good Friday 3 Apr and Easter Monday 6 Apr skipped; day 15 is Tue 21 Apr.
    setup: [strategyDiscussion('2026-03-28T20:30:00.000Z')],
    id: 'icpc@2026-03-28T20:30:00.000Z',
    triggeredAt: '2026-03-28T20:30:00.000Z',
    dueAt: '2026-04-21T22:59:59.999Z',
    meet: (at) => meetingHeld(at, 'icpc', 'no-plan'),
    metAt: '2026-04-20T09:00:00.000Z',
    level2At: '2026-04-23T22:59:59.999Z',
    repeatAt: '2026-04-30T22:59:59.999Z',
  },
  {
    kind: 'first-core-group',
    setup: [meetingHeld('2026-06-01T09:00:00.000Z', 'icpc', 'cp-plan')],
    id: 'first-core-group@2026-06-01T09:00:00.000Z',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-06-15T22:59:59.999Z',
    meet: (at) => meetingHeld(at, 'core-group'),
    metAt: '2026-06-10T09:00:00.000Z',
    level2At: '2026-06-17T22:59:59.999Z',
    repeatAt: '2026-06-24T22:59:59.999Z',
  },
  {
    kind: 'core-group',
    setup: [meetingHeld('2026-06-01T09:00:00.000Z', 'icpc', 'cp-plan')],
    id: 'core-group@2026-06-01T09:00:00.000Z',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-07-27T09:00:00.000Z',
    meet: (at) => meetingHeld(at, 'core-group'),
    metAt: '2026-07-20T09:00:00.000Z',
    level2At: '2026-08-03T09:00:00.000Z',
    repeatAt: '2026-08-10T09:00:00.000Z',
  },
  {
    kind: 'first-review-conference',
    setup: [meetingHeld('2026-06-01T09:00:00.000Z', 'icpc', 'cp-plan')],
    id: 'first-review-conference@2026-06-01T09:00:00.000Z',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-09-01T09:00:00.000Z',
    meet: (at) => meetingHeld(at, 'review-conference'),
    metAt: '2026-08-25T09:00:00.000Z',
    level2At: '2026-09-08T09:00:00.000Z',
    repeatAt: '2026-09-15T09:00:00.000Z',
  },
  {
    kind: 'review-conference',
    setup: [meetingHeld('2026-01-05T10:00:00.000Z', 'icpc', 'cp-plan'), meetingHeld('2026-03-30T09:00:00.000Z', 'review-conference')],
    id: 'review-conference@2026-03-30T09:00:00.000Z',
    triggeredAt: '2026-03-30T09:00:00.000Z',
    dueAt: '2026-09-30T09:00:00.000Z',
    meet: (at) => meetingHeld(at, 'review-conference'),
    metAt: '2026-09-20T09:00:00.000Z',
    // 10:00 BST + 7 days after the clocks went back = 10:00 GMT.
    level2At: '2026-10-07T09:00:00.000Z',
    repeatAt: '2026-10-14T09:00:00.000Z',
  },
  {
    kind: 'conference-pre-meeting',
    // Conference Fri 17 Apr 2026 10:00 BST; two working days back is Wed 15 Apr, end of day.
    setup: [meetingScheduled('2026-04-01T09:00:00.000Z', 'icpc-1', 'icpc', '2026-04-17T09:00:00.000Z')],
    id: 'conference-pre-meeting@icpc-1@2026-04-17T09:00:00.000Z',
    triggeredAt: '2026-04-01T09:00:00.000Z',
    dueAt: '2026-04-15T22:59:59.999Z',
    meet: (at) => preMeetingHeld(at, 'icpc-1'),
    metAt: '2026-04-14T09:00:00.000Z',
    level2At: '2026-04-16T10:59:59.999Z',
    repeatAt: '2026-04-17T10:59:59.999Z',
  },
  {
    kind: 'iro-report',
    // Review Mon 20 Apr 2026 10:00 BST; 48 hours before is Sat 18 Apr 10:00 BST.
    setup: [meetingScheduled('2026-04-01T09:00:00.000Z', 'cic-1', 'cic-review', '2026-04-20T09:00:00.000Z')],
    id: 'iro-report@cic-1@2026-04-20T09:00:00.000Z',
    triggeredAt: '2026-04-01T09:00:00.000Z',
    dueAt: '2026-04-18T09:00:00.000Z',
    meet: (at) => iroReportSubmitted(at, 'cic-1'),
    metAt: '2026-04-17T12:00:00.000Z',
    level2At: '2026-04-19T09:00:00.000Z',
    repeatAt: '2026-04-19T21:00:00.000Z',
  },
  {
    kind: 'serious-incident-notification',
    setup: [incidentReported('2026-06-01T09:00:00.000Z', 'inc-1')],
    id: 'serious-incident-notification@inc-1',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-06-08T22:59:59.999Z',
    meet: (at) => incidentNotified(at, 'inc-1'),
    metAt: '2026-06-05T09:00:00.000Z',
    level2At: '2026-06-09T22:59:59.999Z',
    repeatAt: '2026-06-10T22:59:59.999Z',
  },
  {
    kind: 'rapid-review',
    setup: [incidentReported('2026-06-01T09:00:00.000Z', 'inc-1'), incidentNotified('2026-06-05T09:00:00.000Z', 'inc-1')],
    id: 'rapid-review@inc-1',
    triggeredAt: '2026-06-05T09:00:00.000Z',
    dueAt: '2026-06-26T22:59:59.999Z',
    meet: (at) => rapidReviewCompleted(at, 'inc-1'),
    metAt: '2026-06-20T09:00:00.000Z',
    level2At: '2026-06-28T22:59:59.999Z',
    repeatAt: '2026-07-05T22:59:59.999Z',
  },
  {
    kind: 'return-interview',
    // 72 elapsed hours across the autumn change: 13:00 BST Friday → 12:00 GMT Monday.
    setup: [childReturned('2026-10-23T12:00:00.000Z')],
    id: 'return-interview@2026-10-23T12:00:00.000Z',
    triggeredAt: '2026-10-23T12:00:00.000Z',
    dueAt: '2026-10-26T12:00:00.000Z',
    meet: returnInterviewHeld,
    metAt: '2026-10-25T15:00:00.000Z',
    level2At: '2026-10-27T12:00:00.000Z',
    repeatAt: '2026-10-28T12:00:00.000Z',
  },
  {
    kind: 'referral-decision',
    // Christmas Eve 2026 (Thu): Christmas Day, the weekend and Boxing Day's substitute (Mon 28) skipped.
    setup: [referralReceived('2026-12-24T15:00:00.000Z')],
    id: 'referral-decision@2026-12-24T15:00:00.000Z',
    triggeredAt: '2026-12-24T15:00:00.000Z',
    dueAt: '2026-12-29T23:59:59.999Z',
    meet: referralDecided,
    metAt: '2026-12-29T10:00:00.000Z',
    level2At: '2026-12-30T23:59:59.999Z',
    repeatAt: '2026-12-31T23:59:59.999Z',
  },
  {
    kind: 'assessment',
    setup: [referralReceived('2026-06-01T09:00:00.000Z')],
    id: 'assessment@2026-06-01T09:00:00.000Z',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-08-03T22:59:59.999Z',
    meet: assessmentCompleted,
    metAt: '2026-07-30T09:00:00.000Z',
    level2At: '2026-08-08T22:59:59.999Z',
    repeatAt: '2026-08-15T22:59:59.999Z',
  },
  {
    kind: 'cic-review-first',
    setup: [lookedAfterStarted('2026-06-01T09:00:00.000Z')],
    id: 'cic-review-first@2026-06-01T09:00:00.000Z',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-06-29T22:59:59.999Z',
    meet: (at) => meetingHeld(at, 'cic-review'),
    metAt: '2026-06-25T09:00:00.000Z',
    level2At: '2026-07-01T22:59:59.999Z',
    repeatAt: '2026-07-08T22:59:59.999Z',
  },
  {
    kind: 'cic-review-second',
    setup: [lookedAfterStarted('2026-06-01T09:00:00.000Z'), meetingHeld('2026-06-25T09:00:00.000Z', 'cic-review')],
    id: 'cic-review-second@2026-06-25T09:00:00.000Z',
    triggeredAt: '2026-06-25T09:00:00.000Z',
    dueAt: '2026-09-25T09:00:00.000Z',
    meet: (at) => meetingHeld(at, 'cic-review'),
    metAt: '2026-09-20T09:00:00.000Z',
    level2At: '2026-10-02T09:00:00.000Z',
    repeatAt: '2026-10-09T09:00:00.000Z',
  },
  {
    kind: 'cic-review',
    setup: [lookedAfterStarted('2026-01-05T10:00:00.000Z'), meetingHeld('2026-01-30T10:00:00.000Z', 'cic-review'), meetingHeld('2026-04-20T09:00:00.000Z', 'cic-review')],
    id: 'cic-review@2026-04-20T09:00:00.000Z',
    triggeredAt: '2026-04-20T09:00:00.000Z',
    dueAt: '2026-10-20T09:00:00.000Z',
    meet: (at) => meetingHeld(at, 'cic-review'),
    metAt: '2026-10-10T09:00:00.000Z',
    level2At: '2026-10-27T10:00:00.000Z',
    repeatAt: '2026-11-03T10:00:00.000Z',
  },
  {
    kind: 'cic-visit-first',
    setup: [placementStarted('2026-10-22T13:00:00.000Z')],
    id: 'cic-visit-first@2026-10-22T13:00:00.000Z',
    triggeredAt: '2026-10-22T13:00:00.000Z',
    dueAt: '2026-10-29T14:00:00.000Z',
    meet: visit,
    metAt: '2026-10-26T14:00:00.000Z',
    level2At: '2026-10-31T14:00:00.000Z',
    repeatAt: '2026-11-07T14:00:00.000Z',
  },
  {
    kind: 'cic-visit',
    setup: [placementStarted('2026-01-05T10:00:00.000Z'), visit('2026-01-08T10:00:00.000Z')],
    id: 'cic-visit@2026-01-08T10:00:00.000Z',
    triggeredAt: '2026-01-08T10:00:00.000Z',
    dueAt: '2026-02-19T10:00:00.000Z',
    meet: visit,
    metAt: '2026-02-10T10:00:00.000Z',
    level2At: '2026-02-26T10:00:00.000Z',
    repeatAt: '2026-03-05T10:00:00.000Z',
  },
  {
    kind: 'cic-visit-weekly',
    setup: [placementStarted('2026-10-22T13:00:00.000Z', 'placement-1', { placementType: 'connected-person-temporary' })],
    id: 'cic-visit-weekly@2026-10-22T13:00:00.000Z',
    triggeredAt: '2026-10-22T13:00:00.000Z',
    dueAt: '2026-10-29T14:00:00.000Z',
    meet: visit,
    metAt: '2026-10-26T14:00:00.000Z',
    level2At: '2026-10-31T14:00:00.000Z',
    repeatAt: '2026-11-07T14:00:00.000Z',
  },
  {
    kind: 'cic-visit-four-weekly',
    setup: [
      lookedAfterStarted('2026-01-05T10:00:00.000Z'),
      placementStarted('2026-01-05T10:00:00.000Z', 'placement-1', { placementType: 'with-parent', legalStatus: 'interim-care-order' }),
      visit('2026-01-09T10:00:00.000Z'),
      cicReviewHeld('2026-01-14T10:00:00.000Z'),
    ],
    id: 'cic-visit-four-weekly@2026-01-09T10:00:00.000Z',
    triggeredAt: '2026-01-09T10:00:00.000Z',
    dueAt: '2026-02-06T10:00:00.000Z',
    meet: visit,
    metAt: '2026-02-01T10:00:00.000Z',
    level2At: '2026-02-11T10:00:00.000Z',
    repeatAt: '2026-02-18T10:00:00.000Z',
  },
  {
    kind: 'cic-visit-with-parent',
    setup: [placementStarted('2026-01-05T10:00:00.000Z', 'placement-1', { placementType: 'with-parent', legalStatus: 'care-order' }), visit('2026-01-08T10:00:00.000Z')],
    id: 'cic-visit-with-parent@2026-01-08T10:00:00.000Z',
    triggeredAt: '2026-01-08T10:00:00.000Z',
    dueAt: '2026-02-19T10:00:00.000Z',
    meet: visit,
    metAt: '2026-02-10T10:00:00.000Z',
    level2At: '2026-02-26T10:00:00.000Z',
    repeatAt: '2026-03-05T10:00:00.000Z',
  },
  {
    kind: 'complaint-stage-3-panel',
    setup: [complaintReceived('2026-06-01T09:00:00.000Z', 'cmp-3', 3)],
    id: 'complaint-stage-3-panel@cmp-3',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-07-13T22:59:59.999Z',
    meet: (at) => complaintPanelHeld(at, 'cmp-3'),
    metAt: '2026-07-01T09:00:00.000Z',
    level2At: '2026-07-18T22:59:59.999Z',
    repeatAt: '2026-07-25T22:59:59.999Z',
  },
  {
    kind: 'complaint-stage-3-report',
    setup: [complaintReceived('2026-06-01T09:00:00.000Z', 'cmp-3', 3), complaintPanelHeld('2026-06-10T09:00:00.000Z', 'cmp-3')],
    id: 'complaint-stage-3-report@cmp-3',
    triggeredAt: '2026-06-10T09:00:00.000Z',
    dueAt: '2026-06-17T22:59:59.999Z',
    meet: (at) => complaintPanelReported(at, 'cmp-3'),
    metAt: '2026-06-15T09:00:00.000Z',
    level2At: '2026-06-19T22:59:59.999Z',
    repeatAt: '2026-06-26T22:59:59.999Z',
  },
  {
    kind: 'complaint-stage-3-response',
    setup: [complaintReceived('2026-06-01T09:00:00.000Z', 'cmp-3', 3), complaintPanelHeld('2026-06-10T09:00:00.000Z', 'cmp-3'), complaintPanelReported('2026-06-15T09:00:00.000Z', 'cmp-3')],
    id: 'complaint-stage-3-response@cmp-3',
    triggeredAt: '2026-06-15T09:00:00.000Z',
    dueAt: '2026-07-06T22:59:59.999Z',
    meet: (at) => complaintResponded(at, 'cmp-3', 3),
    metAt: '2026-07-01T09:00:00.000Z',
    level2At: '2026-07-11T22:59:59.999Z',
    repeatAt: '2026-07-18T22:59:59.999Z',
  },
  {
    kind: 'complaint-stage-1',
    setup: [complaintReceived('2026-06-01T09:00:00.000Z', 'cmp-1', 1)],
    id: 'complaint-stage-1@cmp-1',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-06-15T22:59:59.999Z',
    meet: (at) => complaintResponded(at, 'cmp-1', 1),
    metAt: '2026-06-10T09:00:00.000Z',
    level2At: '2026-06-18T22:59:59.999Z',
    repeatAt: '2026-06-25T22:59:59.999Z',
  },
  {
    kind: 'complaint-stage-2',
    setup: [complaintReceived('2026-06-01T09:00:00.000Z', 'cmp-2', 2)],
    id: 'complaint-stage-2@cmp-2',
    triggeredAt: '2026-06-01T09:00:00.000Z',
    dueAt: '2026-07-06T22:59:59.999Z',
    meet: (at) => complaintResponded(at, 'cmp-2', 2),
    metAt: '2026-07-01T09:00:00.000Z',
    level2At: '2026-07-11T22:59:59.999Z',
    repeatAt: '2026-07-18T22:59:59.999Z',
  },
];

describe('every obligation kind', () => {
  it('has a scenario', () => {
    expect(SCENARIOS.map((s) => s.kind).sort()).toEqual(Object.keys(NATIONAL.baseline).sort());
  });

  describe.each(SCENARIOS)('$kind', (s) => {
    const lastSetup = s.setup[s.setup.length - 1]!.at;

    it('is due at the instant worked out by hand', () => {
      const o = obligation(evaluate(s.setup, lastSetup), s.id);
      expect(o).toMatchObject({ kind: s.kind, triggeredAt: s.triggeredAt, dueAt: s.dueAt, status: 'open', escalationLevel: 0 });
      expect(o.basis.reference.length).toBeGreaterThan(0);
    });

    it('met in time: met, never escalated', () => {
      const result = evaluate([...s.setup, s.meet(s.metAt)], s.repeatAt);
      const o = obligation(result, s.id);
      expect(o).toMatchObject({ status: 'met', resolvedAt: s.metAt, escalationLevel: 0 });
      expect(o.lateByMs).toBeUndefined();
      expect(messagesFor(result, s.id)).toEqual([]);
    });

    it('missed: level 1 to the team manager at the deadline, level 2 to the head of service after the grace period', () => {
      expect(messagesFor(evaluate(s.setup, justBefore(s.dueAt)), s.id).filter((m) => m.type === 'escalation')).toEqual([]);

      const atDeadline = evaluate(s.setup, s.dueAt);
      expect(messagesFor(atDeadline, s.id)).toEqual([expect.objectContaining({ messageId: escalationId(s.id, 1, 0), type: 'escalation', level: 1, repeat: 0, role: 'team-manager', sendAt: s.dueAt })]);
      expect(obligation(atDeadline, s.id).escalationLevel).toBe(1);
      expect(atDeadline.overdueCount).toBeGreaterThanOrEqual(1);
      expect(atDeadline.nextWakeAt! <= s.level2At).toBe(true);

      const sent = [escalationId(s.id, 1, 0)];
      const atLevel2 = evaluate(s.setup, s.level2At, { sent });
      expect(messagesFor(atLevel2, s.id)).toEqual([expect.objectContaining({ messageId: escalationId(s.id, 2, 0), level: 2, role: 'head-of-service', sendAt: s.level2At })]);
      expect(obligation(atLevel2, s.id).escalationLevel).toBe(2);
    });

    it('missed: level 2 repeats until acknowledged', () => {
      const sent = [escalationId(s.id, 1, 0), escalationId(s.id, 2, 0)];
      const atRepeat = evaluate(s.setup, s.repeatAt, { sent });
      expect(messagesFor(atRepeat, s.id)).toEqual([expect.objectContaining({ messageId: escalationId(s.id, 2, 1), level: 2, repeat: 1, sendAt: s.repeatAt })]);

      const ack = acknowledged(justAfter(s.repeatAt), s.id, 2);
      const muchLater = '2027-06-01T09:00:00.000Z';
      const afterAck = evaluate([...s.setup, ack], muchLater, { sent: [...sent, escalationId(s.id, 2, 1)] });
      expect(messagesFor(afterAck, s.id)).toEqual([]);
      expect(obligation(afterAck, s.id)).toMatchObject({ status: 'open', escalationLevel: 2 });
    });

    it('met late: records how late', () => {
      const metLate = justAfter(s.level2At);
      const o = obligation(evaluate([...s.setup, s.meet(metLate)], s.repeatAt), s.id);
      expect(o).toMatchObject({ status: 'met', escalationLevel: 2 });
      expect(o.lateByMs).toBe(Date.parse(metLate) - Date.parse(s.dueAt));
    });

    it('waived: no reminders or escalations afterwards', () => {
      const result = evaluate([...s.setup, waived(s.metAt, s.id)], s.repeatAt);
      expect(obligation(result, s.id)).toMatchObject({ status: 'waived', resolvedAt: s.metAt, escalationLevel: 0 });
      expect(messagesFor(result, s.id)).toEqual([]);
    });
  });
});

describe('reminders', () => {
  const T = '2026-03-28T20:30:00.000Z';
  const id = `initial-visit-high@${T}`;
  const events = [tierSet(T, 'HIGH_IMMEDIATE')];

  it('go to the allocated worker 12 hours and 2 hours before a 24-hour visit', () => {
    expect(messagesFor(evaluate(events, '2026-03-29T08:29:59.999Z'), id)).toEqual([]);
    expect(evaluate(events, T).nextWakeAt).toBe('2026-03-29T08:30:00.000Z');
    expect(messagesFor(evaluate(events, '2026-03-29T08:30:00.000Z'), id)).toEqual([
      expect.objectContaining({ messageId: reminderId(id, 'PT12H'), type: 'reminder', role: 'allocated-worker', sendAt: '2026-03-29T08:30:00.000Z', dueAt: '2026-03-29T20:30:00.000Z' }),
    ]);
    expect(messagesFor(evaluate(events, '2026-03-29T18:30:00.000Z', { sent: [reminderId(id, 'PT12H')] }), id)).toEqual([
      expect.objectContaining({ messageId: reminderId(id, 'PT2H'), sendAt: '2026-03-29T18:30:00.000Z' }),
    ]);
  });

  it('a reminder whose time passed is still sent before the deadline, but only the latest, and none after it', () => {
    expect(messagesFor(evaluate(events, '2026-03-29T19:00:00.000Z'), id).map((m) => m.messageId)).toEqual([reminderId(id, 'PT2H')]);
    expect(messagesFor(evaluate(events, '2026-03-29T20:30:00.000Z'), id).map((m) => m.type)).toEqual(['escalation']);
  });

  it('stop once the visit is made', () => {
    expect(messagesFor(evaluate([...events, visit('2026-03-29T08:00:00.000Z')], '2026-03-29T18:30:00.000Z'), id)).toEqual([]);
  });

  it('go to the team manager for Worcestershire core groups, which team managers chair', () => {
    const plan = meetingHeld('2020-06-01T09:00:00.000Z', 'icpc', 'cp-plan');
    const result = evaluate([plan], '2020-07-20T09:00:00.000Z', { policies: [WORCESTERSHIRE] });
    expect(messagesFor(result, 'core-group@2020-06-01T09:00:00.000Z')).toEqual([expect.objectContaining({ type: 'reminder', role: 'team-manager', sendAt: '2020-07-20T09:00:00.000Z' })]);
  });
});

describe('risk tiers', () => {
  it("a change of tier supersedes the old clocks and starts the new tier's at the change", () => {
    const events = [tierSet('2026-03-02T10:00:00.000Z', 'HIGH_IMMEDIATE'), tierSet('2026-03-02T15:00:00.000Z', 'PRIORITY')];
    const result = evaluate(events, '2026-03-02T15:00:00.000Z');
    expect(obligation(result, 'initial-visit-high@2026-03-02T10:00:00.000Z')).toMatchObject({ status: 'superseded', resolvedAt: '2026-03-02T15:00:00.000Z' });
    expect(obligation(result, 'kit-call@2026-03-02T10:00:00.000Z')).toMatchObject({ status: 'superseded' });
    expect(obligation(result, 'initial-visit-priority@2026-03-02T15:00:00.000Z')).toMatchObject({ status: 'open', dueAt: '2026-03-16T15:00:00.000Z' });
    expect(result.open.map((o) => o.kind)).toEqual(['initial-visit-priority']);
  });

  it('re-setting the same tier changes nothing', () => {
    const once = evaluate([tierSet('2026-03-02T10:00:00.000Z', 'PRIORITY')], '2026-03-06T10:00:00.000Z');
    const twice = evaluate([tierSet('2026-03-02T10:00:00.000Z', 'PRIORITY'), tierSet('2026-03-05T10:00:00.000Z', 'PRIORITY')], '2026-03-06T10:00:00.000Z');
    expect(twice.obligations).toEqual(once.obligations);
  });

  it('priority visits recur from the moment the last visit was actually made', () => {
    const events = [tierSet('2026-03-02T10:00:00.000Z', 'PRIORITY'), visit('2026-03-05T10:00:00.000Z'), visit('2026-03-25T11:00:00.000Z')];
    const result = evaluate(events, '2026-03-26T10:00:00.000Z');
    expect(obligation(result, 'visit-priority@2026-03-05T10:00:00.000Z')).toMatchObject({ status: 'met', lateByMs: 6 * 86400000 + 3600000 });
    // 11:00 GMT + 14 days = 11:00 BST.
    expect(obligation(result, 'visit-priority@2026-03-25T11:00:00.000Z')).toMatchObject({ status: 'open', dueAt: '2026-04-08T10:00:00.000Z' });
  });

  it('a waived priority visit restarts the fortnight from the waiver', () => {
    const events = [tierSet('2026-03-02T10:00:00.000Z', 'PRIORITY'), waived('2026-03-10T12:00:00.000Z', 'initial-visit-priority@2026-03-02T10:00:00.000Z')];
    const result = evaluate(events, '2026-03-10T12:00:00.000Z');
    expect(obligation(result, 'visit-priority@2026-03-10T12:00:00.000Z')).toMatchObject({ status: 'open', dueAt: '2026-03-24T12:00:00.000Z' });
  });

  it('a visit keeps the KIT clock of a High and Immediate case; other professionals count only where policy says so', () => {
    const events = [tierSet('2026-03-02T10:00:00.000Z', 'HIGH_IMMEDIATE'), visit('2026-03-02T18:00:00.000Z'), otherContact('2026-03-10T10:00:00.000Z')];
    const national = evaluate(events, '2026-03-10T10:00:00.000Z');
    expect(obligation(national, 'kit-call@2026-03-02T18:00:00.000Z')).toMatchObject({ status: 'open', dueAt: '2026-03-16T18:00:00.000Z' });
    expect(national.obligations.some((o) => o.id === 'kit-call@2026-03-10T10:00:00.000Z')).toBe(false);

    const vulnerable = [tierSet('2020-06-02T09:00:00.000Z', 'VULNERABLE'), otherContact('2020-06-10T09:00:00.000Z')];
    const worcs = evaluate(vulnerable, '2020-06-10T09:00:00.000Z', { policies: [WORCESTERSHIRE] });
    expect(obligation(worcs, 'kit-call@2020-06-02T09:00:00.000Z')).toMatchObject({ status: 'met' });
    expect(obligation(worcs, 'kit-call@2020-06-10T09:00:00.000Z')).toMatchObject({ status: 'open', dueAt: '2020-06-24T09:00:00.000Z' });
  });

  it('Priority cases get no KIT clock nationally but do under the Worcestershire protocol', () => {
    const events = [tierSet('2020-06-02T09:00:00.000Z', 'PRIORITY')];
    expect(evaluate(events, '2020-06-02T09:00:00.000Z').open.map((o) => o.kind)).toEqual(['initial-visit-priority']);
    expect(
      evaluate(events, '2020-06-02T09:00:00.000Z', { policies: [WORCESTERSHIRE] })
        .open.map((o) => o.kind)
        .sort(),
    ).toEqual(['initial-visit-priority', 'kit-call']);
  });
});

describe('holds', () => {
  it('pause reminders and escalations, then extend a working-day deadline by the time held, to the end of a working day', () => {
    const id = 'icpc@2026-06-01T09:00:00.000Z';
    const events = [strategyDiscussion('2026-06-01T09:00:00.000Z'), holdStarted('2026-06-10T09:00:00.000Z', 'h1')];
    // Unheld: day 15 after Mon 1 Jun 2026 is Mon 22 Jun.
    expect(obligation(evaluate(events.slice(0, 1), '2026-06-02T09:00:00.000Z'), id).dueAt).toBe('2026-06-22T22:59:59.999Z');
    const held = evaluate(events, '2026-06-20T09:00:00.000Z');
    expect(obligation(held, id)).toMatchObject({ onHold: true, status: 'open' });
    expect(messagesFor(held, id)).toEqual([]);
    expect(held.nextWakeAt).toBeNull();
    expect(held.overdueCount).toBe(0);

    // Held 2.5 days: 22 Jun 23:59:59.999 + 60 h = Thu 25 Jun 11:59:59.999 BST → end of Thu 25 Jun.
    const resumed = evaluate([...events, holdEnded('2026-06-12T21:00:00.000Z', 'h1')], '2026-06-13T09:00:00.000Z');
    expect(obligation(resumed, id)).toMatchObject({ onHold: false, dueAt: '2026-06-25T22:59:59.999Z' });
  });

  it('extend an hour deadline by exactly the time held, and only hold the kind named', () => {
    const events = [
      childReturned('2026-10-23T12:00:00.000Z'),
      referralReceived('2026-10-23T12:00:00.000Z'),
      holdStarted('2026-10-24T08:00:00.000Z', 'h1', 'return-interview'),
      holdEnded('2026-10-24T13:00:00.000Z', 'h1'),
    ];
    const result = evaluate(events, '2026-10-24T14:00:00.000Z');
    expect(obligation(result, 'return-interview@2026-10-23T12:00:00.000Z').dueAt).toBe('2026-10-26T17:00:00.000Z');
    expect(obligation(result, 'referral-decision@2026-10-23T12:00:00.000Z').dueAt).toBe('2026-10-26T23:59:59.999Z');
  });
});

describe('conferences postponed or cancelled', () => {
  const scheduled = meetingScheduled('2026-04-01T09:00:00.000Z', 'icpc-1', 'icpc', '2026-04-17T09:00:00.000Z');

  it('a postponement notifies the deputy lead and the head of service at once, and moves the pre-meeting deadline', () => {
    const events = [scheduled, meetingPostponed('2026-04-10T09:00:00.000Z', 'icpc-1', '2026-04-24T09:00:00.000Z')];
    const result = evaluate(events, '2026-04-10T09:00:00.000Z');
    const notices = result.messagesDue.filter((m) => m.type === 'notice');
    expect(notices).toEqual([
      expect.objectContaining({
        messageId: `${CASE_ID}/notice/icpc-1/meeting-postponed@2026-04-10T09:00:00.000Z/deputy-lead`,
        role: 'deputy-lead',
        sendAt: '2026-04-10T09:00:00.000Z',
        meetingId: 'icpc-1',
      }),
      expect.objectContaining({ role: 'head-of-service', notice: 'meeting-postponed' }),
    ]);
    expect(obligation(result, 'conference-pre-meeting@icpc-1@2026-04-17T09:00:00.000Z')).toMatchObject({ status: 'superseded' });
    expect(obligation(result, 'conference-pre-meeting@icpc-1@2026-04-24T09:00:00.000Z')).toMatchObject({
      status: 'open',
      triggeredAt: '2026-04-10T09:00:00.000Z',
      dueAt: '2026-04-22T22:59:59.999Z',
    });
    const noticeIds = notices.map((n) => n.messageId);
    expect(evaluate(events, '2026-04-10T10:00:00.000Z', { sent: noticeIds }).messagesDue.filter((m) => m.type === 'notice')).toEqual([]);
  });

  it('a cancellation notifies at once and supersedes the preparation', () => {
    const result = evaluate([scheduled, meetingCancelled('2026-04-10T09:00:00.000Z', 'icpc-1')], '2026-04-20T09:00:00.000Z');
    expect(result.messagesDue.map((m) => [m.type, m.role, m.notice])).toEqual([
      ['notice', 'deputy-lead', 'meeting-cancelled'],
      ['notice', 'head-of-service', 'meeting-cancelled'],
    ]);
    expect(obligation(result, 'conference-pre-meeting@icpc-1@2026-04-17T09:00:00.000Z')).toMatchObject({ status: 'superseded' });
    expect(result.open).toEqual([]);
  });

  it('postponing a child in care review moves the IRO report but sends no conference notice', () => {
    const events = [meetingScheduled('2026-04-01T09:00:00.000Z', 'cic-1', 'cic-review', '2026-04-20T09:00:00.000Z'), meetingPostponed('2026-04-10T09:00:00.000Z', 'cic-1', '2026-04-27T09:00:00.000Z')];
    const result = evaluate(events, '2026-04-10T09:00:00.000Z');
    expect(result.messagesDue.filter((m) => m.type === 'notice')).toEqual([]);
    expect(obligation(result, 'iro-report@cic-1@2026-04-27T09:00:00.000Z').dueAt).toBe('2026-04-25T09:00:00.000Z');
  });
});

describe('policy applied to a running case', () => {
  const weekly = nationalWith('2026.9', (b) => {
    b['kit-call'].deadline = { duration: 'P7D' };
  });
  const base = [tierSet('2026-03-02T10:00:00.000Z', 'VULNERABLE')];

  it("'forward': open deadlines stay, new occurrences follow the new policy", () => {
    const events = [...base, policyApplied('2026-03-05T10:00:00.000Z', '2026.9', 'forward'), kitCall('2026-03-10T10:00:00.000Z')];
    const before = evaluate(events.slice(0, 2), '2026-03-06T10:00:00.000Z', { policies: [NATIONAL, weekly] });
    expect(obligation(before, 'kit-call@2026-03-02T10:00:00.000Z')).toMatchObject({ dueAt: '2026-03-16T10:00:00.000Z', policyVersion: NATIONAL.version });
    const after = evaluate(events, '2026-03-10T10:00:00.000Z', { policies: [NATIONAL, weekly] });
    expect(obligation(after, 'kit-call@2026-03-10T10:00:00.000Z')).toMatchObject({ dueAt: '2026-03-17T10:00:00.000Z', policyVersion: '2026.9' });
  });

  it("'recompute': open deadlines are counted again under the new policy", () => {
    const events = [...base, policyApplied('2026-03-05T10:00:00.000Z', '2026.9', 'recompute')];
    const result = evaluate(events, '2026-03-06T10:00:00.000Z', { policies: [NATIONAL, weekly] });
    expect(obligation(result, 'kit-call@2026-03-02T10:00:00.000Z')).toMatchObject({ dueAt: '2026-03-09T10:00:00.000Z', policyVersion: '2026.9' });
  });

  it("'recompute' leaves alone what was already met", () => {
    const events = [...base, kitCall('2026-03-04T10:00:00.000Z'), policyApplied('2026-03-05T10:00:00.000Z', '2026.9', 'recompute')];
    const result = evaluate(events, '2026-03-06T10:00:00.000Z', { policies: [NATIONAL, weekly] });
    expect(obligation(result, 'kit-call@2026-03-02T10:00:00.000Z')).toMatchObject({ status: 'met', dueAt: '2026-03-16T10:00:00.000Z', policyVersion: NATIONAL.version });
    expect(obligation(result, 'kit-call@2026-03-04T10:00:00.000Z')).toMatchObject({ dueAt: '2026-03-11T10:00:00.000Z', policyVersion: '2026.9' });
  });

  it('an unknown policy version is reported, not thrown', () => {
    const result = evaluate([...base, policyApplied('2026-03-05T10:00:00.000Z', '9.9', 'recompute')], '2026-03-06T10:00:00.000Z');
    expect(result.warnings).toEqual([expect.stringContaining('"9.9"')]);
    expect(obligation(result, 'kit-call@2026-03-02T10:00:00.000Z').dueAt).toBe('2026-03-16T10:00:00.000Z');
  });
});

describe('a closed case', () => {
  it('supersedes everything open and sleeps', () => {
    const events = [tierSet('2026-03-02T10:00:00.000Z', 'HIGH_IMMEDIATE'), strategyDiscussion('2026-03-02T10:00:00.000Z'), caseClosed('2026-03-02T12:00:00.000Z')];
    const result = evaluate(events, '2026-04-01T10:00:00.000Z');
    expect(result.open).toEqual([]);
    expect(result.obligations.map((o) => o.status)).toEqual(['superseded', 'superseded', 'superseded']);
    expect(result.obligations.every((o) => o.resolvedAt === '2026-03-02T12:00:00.000Z')).toBe(true);
    expect(result.messagesDue).toEqual([]);
    expect(result.nextWakeAt).toBeNull();
    expect(result.nextDueAt).toBeNull();
  });
});

describe('messages are sent once', () => {
  it('a message in facts.sent is never asked for again', () => {
    const events = [tierSet('2026-03-28T20:30:00.000Z', 'HIGH_IMMEDIATE'), strategyDiscussion('2026-03-28T20:30:00.000Z')];
    const now = '2026-03-30T09:00:00.000Z';
    const first = evaluate(events, now);
    expect(first.messagesDue.length).toBe(2);
    const again = evaluate(events, now, { sent: first.messagesDue.map((m) => m.messageId) });
    expect(again.messagesDue).toEqual([]);
    expect(again.nextWakeAt).toBe('2026-03-31T08:30:00.000Z');
  });

  it('a case that wakes late sends only the latest repeat of each level', () => {
    const id = 'initial-visit-high@2026-03-28T20:30:00.000Z';
    const result = evaluate([tierSet('2026-03-28T20:30:00.000Z', 'HIGH_IMMEDIATE')], '2026-04-03T09:00:00.000Z');
    // Level 2 from 08:30Z on 30 Mar, daily: repeats 1, 2, 3, 4 fell on 31 Mar to 3 Apr 08:30Z.
    expect(messagesFor(result, id).map((m) => m.messageId)).toEqual([escalationId(id, 1, 0), escalationId(id, 2, 4)]);
    expect(messagesFor(result, id)[1]?.sendAt).toBe('2026-04-03T08:30:00.000Z');
  });
});

describe('bank holidays', () => {
  it('a High and Immediate case rated on the Friday of a bank-holiday weekend is due 24 elapsed hours later', () => {
    // Fri 28 Aug 2026 18:00 BST; Mon 31 Aug is the summer bank holiday.
    const events = [tierSet('2026-08-28T17:00:00.000Z', 'HIGH_IMMEDIATE'), referralReceived('2026-08-28T17:00:00.000Z')];
    const result = evaluate(events, '2026-08-28T17:00:00.000Z');
    expect(obligation(result, 'initial-visit-high@2026-08-28T17:00:00.000Z').dueAt).toBe('2026-08-29T17:00:00.000Z');
    expect(obligation(result, 'referral-decision@2026-08-28T17:00:00.000Z').dueAt).toBe('2026-09-01T22:59:59.999Z');
  });

  it('a serious incident reported on the Thursday before Easter is notified by the fifth working day after', () => {
    // Thu 2 Apr 2026; Good Friday 3 Apr and Easter Monday 6 Apr skipped: 7, 8, 9, 10, 13 Apr.
    const result = evaluate([incidentReported('2026-04-02T14:00:00.000Z', 'inc-9')], '2026-04-02T14:00:00.000Z');
    expect(obligation(result, 'serious-incident-notification@inc-9').dueAt).toBe('2026-04-13T22:59:59.999Z');
  });

  it.each([
    ['VE Day, Fri 8 May 2020', '2020-05-07T10:00:00.000Z', '2020-05-11T22:59:59.999Z'],
    ['the Platinum Jubilee, Thu 2 and Fri 3 June 2022', '2022-06-01T10:00:00.000Z', '2022-06-06T22:59:59.999Z'],
    ['the State Funeral, Mon 19 Sep 2022', '2022-09-16T10:00:00.000Z', '2022-09-20T22:59:59.999Z'],
    ['the Coronation, Mon 8 May 2023', '2023-05-05T10:00:00.000Z', '2023-05-09T22:59:59.999Z'],
  ])('one-off bank holiday: %s', (_name, received, due) => {
    const result = evaluate([referralReceived(received)], received);
    expect(obligation(result, `referral-decision@${received}`).dueAt).toBe(due);
  });

  it('a serious incident over VE Day 2020 counts it as a holiday (5 working days)', () => {
    const result = evaluate([incidentReported('2020-05-07T10:00:00.000Z', 'inc-ve')], '2020-05-07T10:00:00.000Z');
    expect(obligation(result, 'serious-incident-notification@inc-ve').dueAt).toBe('2020-05-15T22:59:59.999Z');
  });
});

describe('child protection and looked-after sequences', () => {
  it('core groups recur eight-weekly from the last one held until the plan ends', () => {
    const events = [meetingHeld('2026-01-05T10:00:00.000Z', 'icpc', 'cp-plan'), meetingHeld('2026-02-20T10:00:00.000Z', 'core-group'), meetingHeld('2026-03-10T10:00:00.000Z', 'review-conference', 'plan-ended')];
    const during = evaluate(events.slice(0, 2), '2026-02-21T10:00:00.000Z');
    expect(obligation(during, 'core-group@2026-02-20T10:00:00.000Z').dueAt).toBe('2026-04-17T09:00:00.000Z');
    const ended = evaluate(events, '2026-03-11T10:00:00.000Z');
    expect(ended.open).toEqual([]);
  });

  it('under the Worcestershire protocol review conferences are switched off but core groups continue', () => {
    const events = [meetingHeld('2020-03-02T10:00:00.000Z', 'icpc', 'cp-plan'), meetingHeld('2020-06-10T09:00:00.000Z', 'review-conference')];
    const result = evaluate(events, '2020-06-10T09:00:00.000Z', { policies: [WORCESTERSHIRE] });
    expect(obligation(result, 'first-review-conference@2020-03-02T10:00:00.000Z').status).toBe('met');
    expect(result.obligations.filter((o) => o.kind === 'review-conference')).toEqual([]);
    expect(result.open.map((o) => o.kind)).toContain('core-group');
  });

  it("under national 2026.1 (conventions 1), statutory visits are six-weekly in the placement's first year, then three-monthly whatever the placement", () => {
    const events = [placementStarted('2025-01-06T10:00:00.000Z'), visit('2025-12-01T10:00:00.000Z'), visit('2026-01-12T10:00:00.000Z')];
    const result = evaluate(events, '2026-01-12T10:00:00.000Z', { policies: [NATIONAL_2026_1] });
    expect(obligation(result, 'cic-visit@2025-12-01T10:00:00.000Z').dueAt).toBe('2026-01-12T10:00:00.000Z');
    expect(obligation(result, 'cic-visit@2026-01-12T10:00:00.000Z').dueAt).toBe('2026-04-12T09:00:00.000Z');
  });

  it('a new placement restarts the one-week visit; leaving care ends every looked-after clock', () => {
    const events = [lookedAfterStarted('2026-01-05T10:00:00.000Z'), placementStarted('2026-01-05T10:00:00.000Z'), placementStarted('2026-01-09T10:00:00.000Z', 'p2')];
    const moved = evaluate(events, '2026-01-09T10:00:00.000Z');
    expect(obligation(moved, 'cic-visit-first@2026-01-05T10:00:00.000Z').status).toBe('superseded');
    expect(obligation(moved, 'cic-visit-first@2026-01-09T10:00:00.000Z').dueAt).toBe('2026-01-16T10:00:00.000Z');
    expect(evaluate([...events, lookedAfterEnded('2026-01-10T10:00:00.000Z')], '2026-01-10T10:00:00.000Z').open).toEqual([]);
  });

  it('an extended stage 1 complaint is due after 20 working days', () => {
    const events = [complaintReceived('2026-06-01T09:00:00.000Z', 'cmp-1', 1), complaintExtended('2026-06-05T09:00:00.000Z', 'cmp-1', 1)];
    expect(obligation(evaluate(events, '2026-06-05T09:00:00.000Z'), 'complaint-stage-1@cmp-1').dueAt).toBe('2026-06-29T22:59:59.999Z');
  });
});
