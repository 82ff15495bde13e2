/**
 * The reconciliation of the case system with CaseClock (domain/ssd/reconcile.ts), pure: the next
 * planned review read from the source's rows, set beside CaseClock's open deadline by UK date; events
 * recorded by people that the ledger lacks; the report's unknown teams and workers; and the order.
 */
import { describe, expect, it } from 'vitest';
import {
  caseclockOnlyEvents,
  countBySection,
  datesThatDisagree,
  notKnownInCaseClock,
  plannedReviewsOf,
  reconcile,
  type LedgerEvent,
  type RecordedByPerson,
  type RecordedDeadline,
  type SyncedChild,
} from '../../domain/ssd/reconcile';
import { ClaEpisodeRow, ClaReviewRow, CpReviewRow } from '../../domain/ssd/rows';

const SYNC = 'ssd-sync';
const children: SyncedChild[] = [
  { personId: 'P1', caseId: 'ssd-P1', status: 'open', team: 'NORTH' },
  { personId: 'P2', caseId: 'ssd-P2', status: 'open', team: 'EAST' },
  { personId: 'P3', caseId: 'ssd-P3', status: 'closed', team: 'NORTH' },
];

const claEpisode = (id: string, personId: string, claId: string) =>
  ClaEpisodeRow.parse({ clae_cla_episode_id: id, clae_person_id: personId, clae_cla_id: claId, clae_cla_episode_start_date: '2026-01-05', clae_cla_episode_start_reason: 'S' });
const claReview = (id: string, claId: string, due: string | null, held: string | null, cancelled: 'Y' | 'N' = 'N') =>
  ClaReviewRow.parse({ clar_cla_review_id: id, clar_cla_id: claId, clar_cla_review_due_date: due, clar_cla_review_date: held, clar_cla_review_cancelled: cancelled });
const cpReview = (id: string, personId: string, due: string | null, held: string | null) => CpReviewRow.parse({ cppr_cp_review_id: id, cppr_person_id: personId, cppr_cp_review_due: due, cppr_cp_review_date: held });

describe('the planned reviews read from the source', () => {
  it("takes each child's earliest review not yet held and not cancelled, finding a child-in-care review's child through the period of care", () => {
    const planned = plannedReviewsOf({
      claEpisodes: [claEpisode('E1', 'P1', 'CLA-1')],
      claReviews: [
        claReview('R1', 'CLA-1', '2026-02-02 00:00:00', '2026-02-01 10:00'),
        claReview('R2', 'CLA-1', '2026-05-01 00:00:00', null),
        claReview('R3', 'CLA-1', '2026-04-20', null, 'Y'),
        claReview('R4', 'CLA-1', '2026-08-01', null),
        claReview('R5', 'CLA-NONE', '2026-03-01', null),
        claReview('R6', 'CLA-1', null, null),
      ],
      cpReviews: [cpReview('C1', 'P2', '2026-06-10 09:00', null), cpReview('C2', 'P2', '2026-03-10', '2026-03-09 14:00')],
    });
    expect(planned).toEqual([
      { personId: 'P1', review: 'cic-review', sourceKey: 'ssd_cla_reviews:R2', due: '2026-05-01' },
      { personId: 'P2', review: 'cp-review', sourceKey: 'ssd_cp_reviews:C1', due: '2026-06-10' },
    ]);
  });
});

describe('dates that disagree', () => {
  const planned = [
    { personId: 'P1', review: 'cic-review' as const, sourceKey: 'ssd_cla_reviews:R2', due: '2026-05-01' },
    { personId: 'P2', review: 'cp-review' as const, sourceKey: 'ssd_cp_reviews:C1', due: '2026-06-10' },
    { personId: 'P3', review: 'cp-review' as const, sourceKey: 'ssd_cp_reviews:C9', due: '2026-06-10' },
  ];

  it("lists a plan a day or more from CaseClock's open deadline by UK date, and a plan with no deadline open, for open cases only", () => {
    const deadlines: RecordedDeadline[] = [
      // 23:30 UTC on 30 April is 00:30 on 1 May in London: the same day.
      { caseId: 'ssd-P1', kind: 'cic-review-second', dueAt: '2026-04-30T23:30:00.000Z', status: 'open' },
      { caseId: 'ssd-P2', kind: 'review-conference', dueAt: '2026-06-01T12:00:00.000Z', status: 'met' },
      { caseId: 'ssd-P3', kind: 'review-conference', dueAt: '2026-06-01T12:00:00.000Z', status: 'open' },
    ];
    const rows = datesThatDisagree(children, planned, deadlines);
    expect(rows).toEqual([
      {
        section: 'dates-disagree',
        problem: 'cp-review',
        caseId: 'ssd-P2',
        personId: 'P2',
        team: 'EAST',
        what: 'the case system plans a child protection review conference (ssd_cp_reviews:C1); CaseClock has no child protection review conference deadline open',
        sourceDate: '2026-06-10',
        caseclockDate: null,
        days: null,
      },
    ]);
  });

  it('says by how many days and which way, against the earliest open deadline of the same review', () => {
    const deadlines: RecordedDeadline[] = [
      { caseId: 'ssd-P1', kind: 'cic-review', dueAt: '2026-05-04T11:00:00.000Z', status: 'open' },
      { caseId: 'ssd-P1', kind: 'cic-review', dueAt: '2026-04-29T11:00:00.000Z', status: 'open' },
      { caseId: 'ssd-P1', kind: 'review-conference', dueAt: '2026-05-01T11:00:00.000Z', status: 'open' },
      { caseId: 'ssd-P2', kind: 'first-review-conference', dueAt: '2026-06-11T11:00:00.000Z', status: 'open' },
    ];
    const rows = datesThatDisagree(children, planned, deadlines);
    expect(rows.map((r) => [r.caseId, r.problem, r.caseclockDate, r.sourceDate, r.days])).toEqual([
      ['ssd-P1', 'cic-review', '2026-04-29', '2026-05-01', 2],
      ['ssd-P2', 'cp-review', '2026-06-11', '2026-06-10', -1],
    ]);
    expect(rows[0]!.what).toBe("child-in-care review: the case system plans it 2 days after CaseClock's deadline (ssd_cla_reviews:R2)");
    expect(rows[1]!.what).toBe("child protection review conference: the case system plans it 1 day before CaseClock's deadline (ssd_cp_reviews:C1)");
  });
});

describe('events CaseClock holds that the source lacks', () => {
  const recorded: RecordedByPerson[] = [
    { caseId: 'ssd-P1', by: 'ada', at: '2026-03-02T10:00:00.000Z', type: 'contact', contactType: 'visit' },
    { caseId: 'ssd-P1', by: 'ada', at: '2026-03-03T10:00:00.000Z', type: 'contact', contactType: 'visit' },
    { caseId: 'ssd-P1', by: 'ada', at: '2026-03-04T10:00:00.000Z', type: 'contact', contactType: 'kit-call' },
    { caseId: 'ssd-P1', by: 'ada', at: '2026-03-05T10:00:00.000Z', type: 'meeting-held', meetingType: 'core-group' },
    { caseId: 'ssd-P2', by: 'tess', at: '2026-03-06T10:00:00.000Z', type: 'meeting-held', meetingType: 'review-conference' },
    { caseId: 'ssd-P2', by: SYNC, at: '2026-03-07T10:00:00.000Z', type: 'contact', contactType: 'visit' },
    { caseId: 'OTHER-1', by: 'ada', at: '2026-03-07T10:00:00.000Z', type: 'contact', contactType: 'visit' },
  ];
  const ledger: LedgerEvent[] = [
    { personId: 'P1', at: '2026-03-02T15:00:00.000Z', type: 'contact', contactType: 'visit' },
    // Not seen: contact with the family, not the same kind as a visit.
    { personId: 'P1', at: '2026-03-03T15:00:00.000Z', type: 'contact', contactType: 'other' },
    { personId: 'P2', at: '2026-03-06T09:00:00.000Z', type: 'meeting-held', meetingType: 'icpc' },
  ];

  it('lists visits, reviews and conferences recorded by people with no ledger row of the same kind that day; not kit calls, core groups, the sync or other cases', () => {
    const rows = caseclockOnlyEvents(children, recorded, ledger, SYNC);
    expect(rows.map((r) => [r.caseId, r.problem, r.caseclockDate, r.team])).toEqual([
      ['ssd-P1', 'visit', '2026-03-03', 'NORTH'],
      ['ssd-P2', 'review-conference', '2026-03-06', 'EAST'],
    ]);
    expect(rows[0]!.what).toBe('a visit recorded in CaseClock by ada, not in the case system');
  });

  it('matches by the UK day: a ledger visit late in the evening of BST counts on that day', () => {
    const late: LedgerEvent = { personId: 'P1', at: '2026-06-01T23:30:00.000Z', type: 'contact', contactType: 'visit' };
    const entered: RecordedByPerson = { caseId: 'ssd-P1', by: 'ada', at: '2026-06-02T08:00:00.000Z', type: 'contact', contactType: 'visit' };
    expect(caseclockOnlyEvents(children, [entered], [late], SYNC)).toEqual([]);
  });
});

describe('children whose team or worker CaseClock does not know', () => {
  it("lists the report's team and worker problems once per child, with the case where the child has one", () => {
    const rows = notKnownInCaseClock(children, [
      { problem: 'team-not-in-caseclock', personId: 'P9', detail: 'DEPT-9' },
      { problem: 'team-not-in-caseclock', personId: 'P9', detail: 'DEPT-9' },
      { problem: 'worker-not-in-staff-directory', personId: 'P1', detail: 'STAFF-7' },
      { problem: 'unreadable-date', sourceKey: 'ssd_cin_visits:V1', detail: 'cinv_cin_visit_date' },
      { problem: 'case-refused', personId: 'P2', detail: 'details.team: not listed' },
    ]);
    expect(rows).toEqual([
      {
        section: 'not-known-in-caseclock',
        problem: 'team-not-in-caseclock',
        caseId: null,
        personId: 'P9',
        team: null,
        what: "the case system's team DEPT-9 is not in CaseClock's team directory",
        sourceDate: null,
        caseclockDate: null,
        days: null,
      },
      {
        section: 'not-known-in-caseclock',
        problem: 'worker-not-in-staff-directory',
        caseId: 'ssd-P1',
        personId: 'P1',
        team: 'NORTH',
        what: "the allocated worker (staff id STAFF-7) is not in CaseClock's staff directory",
        sourceDate: null,
        caseclockDate: null,
        days: null,
      },
    ]);
  });
});

describe('the whole reconciliation', () => {
  it('orders by section, then team (children without a case last), case and date, and counts each section', () => {
    const rows = reconcile({
      children,
      planned: [{ personId: 'P2', review: 'cp-review', sourceKey: 'ssd_cp_reviews:C1', due: '2026-06-10' }],
      deadlines: [],
      recorded: [
        { caseId: 'ssd-P1', by: 'ada', at: '2026-03-05T10:00:00.000Z', type: 'contact', contactType: 'visit' },
        { caseId: 'ssd-P2', by: 'ada', at: '2026-03-09T10:00:00.000Z', type: 'contact', contactType: 'visit' },
        { caseId: 'ssd-P1', by: 'ada', at: '2026-03-01T10:00:00.000Z', type: 'contact', contactType: 'visit' },
      ],
      ledger: [],
      report: [
        { problem: 'unknown-worker', personId: 'P8', detail: 'PROF-1' },
        { problem: 'no-allocation', personId: 'P3' },
      ],
      syncUser: SYNC,
    });
    expect(rows.map((r) => [r.section, r.team, r.caseId ?? r.personId, r.caseclockDate])).toEqual([
      ['dates-disagree', 'EAST', 'ssd-P2', null],
      ['caseclock-only', 'EAST', 'ssd-P2', '2026-03-09'],
      ['caseclock-only', 'NORTH', 'ssd-P1', '2026-03-01'],
      ['caseclock-only', 'NORTH', 'ssd-P1', '2026-03-05'],
      ['not-known-in-caseclock', 'NORTH', 'ssd-P3', null],
      ['not-known-in-caseclock', null, 'P8', null],
    ]);
    expect(countBySection(rows)).toEqual({ 'dates-disagree': 1, 'caseclock-only': 3, 'not-known-in-caseclock': 2 });
  });
});
