/**
 * Clocks followed through whole cases under counting conventions 2 (national 2026.2), each beside
 * what a case on national 2026.1 (conventions 1) keeps doing: holds given back in the clock's own
 * unit, overlays that end, regulation 28 in full, complaints stage 3 and the strategy discussion
 * that started the section 47 enquiry. Every instant is worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { checkpointCase, evaluateCase } from '../../domain/engine';
import type { CaseEvent } from '../../domain/facts';
import type { PolicySnapshot } from '../../domain/policy';
import {
  CASE_ID,
  NATIONAL_2026_1,
  caseClosed,
  cicReviewHeld,
  complaintReceived,
  evaluate,
  holdEnded,
  holdStarted,
  kitCall,
  lookedAfterStarted,
  meetingHeld,
  obligation,
  placementStarted,
  strategyDiscussion,
  strategyDiscussionS47,
  tierSet,
  visit,
  withOverlay,
} from './engine-fixtures';

const openOf = (events: CaseEvent[], now: string, policies?: PolicySnapshot[]) => evaluate(events, now, policies ? { policies } : {}).open.map((o) => ({ id: o.id, dueAt: o.dueAt }));

describe('a hold gives back what the clock lost, in its own unit', () => {
  // Initial conference: 15 working days. Discussion on Monday 2 March 2026: due the end of Monday 23 March.
  const mondayDiscussion = strategyDiscussion('2026-03-02T10:00:00.000Z');
  const icpcFromMonday = 'icpc@2026-03-02T10:00:00.000Z';

  it('a working-day clock held from Friday to Monday gets one working day back (conventions 1 gave three)', () => {
    const events = [mondayDiscussion, holdStarted('2026-03-06T10:00:00.000Z', 'h1', 'icpc'), holdEnded('2026-03-09T10:00:00.000Z', 'h1')];
    expect(obligation(evaluate([mondayDiscussion], '2026-03-03T10:00:00.000Z'), icpcFromMonday).dueAt).toBe('2026-03-23T23:59:59.999Z');
    expect(obligation(evaluate(events, '2026-03-10T10:00:00.000Z'), icpcFromMonday).dueAt).toBe('2026-03-24T23:59:59.999Z');
    expect(obligation(evaluate(events, '2026-03-10T10:00:00.000Z', { policies: [NATIONAL_2026_1] }), icpcFromMonday).dueAt).toBe('2026-03-26T23:59:59.999Z');
  });

  it('a Monday-to-Wednesday hold on a Friday deadline gets two working days back (conventions 1 gave one)', () => {
    // Discussion on Friday 6 March: due the end of Friday 27 March.
    const events = [strategyDiscussion('2026-03-06T10:00:00.000Z'), holdStarted('2026-03-09T09:00:00.000Z', 'h1'), holdEnded('2026-03-11T09:00:00.000Z', 'h1')];
    const id = 'icpc@2026-03-06T10:00:00.000Z';
    expect(obligation(evaluate(events.slice(0, 1), '2026-03-07T10:00:00.000Z'), id).dueAt).toBe('2026-03-27T23:59:59.999Z');
    expect(obligation(evaluate(events, '2026-03-12T10:00:00.000Z'), id).dueAt).toBe('2026-03-31T22:59:59.999Z');
    expect(obligation(evaluate(events, '2026-03-12T10:00:00.000Z', { policies: [NATIONAL_2026_1] }), id).dueAt).toBe('2026-03-30T22:59:59.999Z');
  });

  it('a hold over a weekend or bank holidays alone costs a working-day clock nothing', () => {
    // Good Friday 3 April and Easter Monday 6 April 2026 are bank holidays.
    const events = [mondayDiscussion, holdStarted('2026-04-02T23:00:00.000Z', 'h1'), holdEnded('2026-04-06T23:00:00.000Z', 'h1')];
    // Due before the hold: the end of 23 March; the hold is after it, on days that are not working days.
    expect(obligation(evaluate(events, '2026-04-07T10:00:00.000Z'), icpcFromMonday).dueAt).toBe('2026-03-23T23:59:59.999Z');
  });

  it('part of a working day on hold costs the clock a whole working day', () => {
    const events = [mondayDiscussion, holdStarted('2026-03-04T10:00:00.000Z', 'h1'), holdEnded('2026-03-04T12:00:00.000Z', 'h1')];
    expect(obligation(evaluate(events, '2026-03-05T10:00:00.000Z'), icpcFromMonday).dueAt).toBe('2026-03-24T23:59:59.999Z');
  });

  it('an hour clock gets back the elapsed time on hold, across the spring clock change', () => {
    // High and immediate at 20:30 GMT on Saturday 28 March 2026: due 24 hours later, 21:30 BST on Sunday.
    const rated = tierSet('2026-03-28T20:30:00.000Z', 'HIGH_IMMEDIATE');
    const id = 'initial-visit-high@2026-03-28T20:30:00.000Z';
    expect(obligation(evaluate([rated], '2026-03-28T21:00:00.000Z'), id).dueAt).toBe('2026-03-29T20:30:00.000Z');
    // Held from 23:00 GMT to 03:00 BST: three hours elapsed (the clock skipped 01:00 to 02:00).
    const held = [rated, holdStarted('2026-03-28T23:00:00.000Z', 'h1'), holdEnded('2026-03-29T02:00:00.000Z', 'h1')];
    expect(obligation(evaluate(held, '2026-03-29T03:00:00.000Z'), id).dueAt).toBe('2026-03-29T23:30:00.000Z');
  });

  it('a day clock gets back the wall-clock time on hold: 10:00 stays 10:00 across the autumn clock change', () => {
    // Vulnerable at 10:00 BST on Tuesday 20 October 2026: the KIT call is due at 10:00 GMT on 3 November.
    const rated = tierSet('2026-10-20T09:00:00.000Z', 'VULNERABLE');
    const id = 'kit-call@2026-10-20T09:00:00.000Z';
    expect(obligation(evaluate([rated], '2026-10-21T09:00:00.000Z'), id).dueAt).toBe('2026-11-03T10:00:00.000Z');
    // Held from 10:00 BST Saturday 24 October to 10:00 GMT Monday 26 October: 49 hours elapsed, two days on the clock.
    const held = [rated, holdStarted('2026-10-24T09:00:00.000Z', 'h1', 'kit-call'), holdEnded('2026-10-26T10:00:00.000Z', 'h1')];
    expect(obligation(evaluate(held, '2026-10-27T09:00:00.000Z'), id).dueAt).toBe('2026-11-05T10:00:00.000Z');
    expect(obligation(evaluate(held, '2026-10-27T09:00:00.000Z', { policies: [NATIONAL_2026_1] }), id).dueAt).toBe('2026-11-05T11:00:00.000Z');
  });

  it('a month clock keeps its day of the month and time of day', () => {
    // First review conference: 3 months after the plan (1 April 2026 10:00 BST → 1 July 10:00 BST); five days on hold → 6 July.
    const events = [meetingHeld('2026-04-01T09:00:00.000Z', 'icpc', 'cp-plan'), holdStarted('2026-05-04T09:00:00.000Z', 'h1', 'first-review-conference'), holdEnded('2026-05-09T09:00:00.000Z', 'h1')];
    expect(obligation(evaluate(events, '2026-05-10T09:00:00.000Z'), 'first-review-conference@2026-04-01T09:00:00.000Z').dueAt).toBe('2026-07-06T09:00:00.000Z');
  });
});

describe('an overlay that switched a clock off, ending', () => {
  const replaced = withOverlay('phase2-standin', { rules: { 'review-conference': { enabled: false, standIn: 'core-group' } } });
  const suspended = withOverlay('phase2-suspended', { rules: { 'review-conference': { enabled: false } } });
  const plan = meetingHeld('2026-01-05T10:00:00.000Z', 'icpc', 'cp-plan');
  const firstReview = meetingHeld('2026-04-01T09:00:00.000Z', 'review-conference');
  // 1 September 2026 00:00 BST: the first day after the overlay.
  const overlayEnded = '2026-08-31T23:00:00.000Z';
  const reviews = <T extends { id: string }>(o: T[]) => o.filter((x) => x.id.startsWith('review-conference'));

  it('owes the review conference again when the overlay ends, six months after the last core group that stood in for it', () => {
    const events = [plan, firstReview, meetingHeld('2026-06-15T09:00:00.000Z', 'core-group'), meetingHeld('2026-08-10T09:00:00.000Z', 'core-group')];
    const during = evaluate(events, '2026-08-20T09:00:00.000Z', { policies: [replaced] });
    // The review conference running when the overlay began was superseded on its first day.
    expect(obligation(during, 'review-conference@2026-04-01T09:00:00.000Z')).toMatchObject({ status: 'superseded', resolvedAt: '2026-05-31T23:00:00.000Z' });
    expect(reviews(during.open)).toEqual([]);
    expect(during.nextWakeAt! <= overlayEnded).toBe(true);
    const after = evaluate(events, '2026-09-01T09:00:00.000Z', { policies: [replaced] });
    expect(reviews(after.open).map((o) => ({ id: o.id, triggeredAt: o.triggeredAt, dueAt: o.dueAt, policyVersion: o.policyVersion }))).toEqual([
      { id: `review-conference@2026-08-10T09:00:00.000Z@${overlayEnded}`, triggeredAt: '2026-08-10T09:00:00.000Z', dueAt: '2027-02-10T10:00:00.000Z', policyVersion: 'phase2-standin' },
    ]);
    // Counted under the national rule in force at the end, not the overlay's.
    expect(reviews(after.open)[0]!.basis.type).toBe('statutory-guidance');
  });

  it('without a meeting standing in, counts six months from the last review conference, and may be overdue at once', () => {
    const events = [plan, firstReview, meetingHeld('2026-06-15T09:00:00.000Z', 'core-group')];
    const after = evaluate(events, '2026-10-02T09:00:00.000Z', { policies: [suspended] });
    const [owed] = reviews(after.open);
    expect(owed).toMatchObject({ triggeredAt: '2026-04-01T09:00:00.000Z', dueAt: '2026-10-01T09:00:00.000Z', escalationLevel: 1 });
    expect(after.overdueCount).toBeGreaterThanOrEqual(1);
  });

  it("a review conference held on the overlay's last day counts from there when it ends", () => {
    const events = [plan, firstReview, meetingHeld('2026-08-31T10:00:00.000Z', 'review-conference')];
    const after = evaluate(events, '2026-09-02T09:00:00.000Z', { policies: [suspended] });
    expect(reviews(after.open)).toEqual([expect.objectContaining({ id: `review-conference@2026-08-31T10:00:00.000Z@${overlayEnded}`, dueAt: '2027-02-28T11:00:00.000Z' })]);
  });

  it('a review conference held the day after the overlay opens its clock as usual', () => {
    const events = [plan, firstReview, meetingHeld('2026-09-01T10:00:00.000Z', 'review-conference')];
    const after = evaluate(events, '2026-09-02T09:00:00.000Z', { policies: [suspended] });
    expect(reviews(after.open)).toEqual([expect.objectContaining({ id: 'review-conference@2026-09-01T10:00:00.000Z', dueAt: '2027-03-01T11:00:00.000Z' })]);
  });

  it('a review conference held the day before the overlay is owed again from it when the overlay ends', () => {
    const events = [plan, meetingHeld('2026-05-31T10:00:00.000Z', 'review-conference')];
    const during = evaluate(events, '2026-06-02T09:00:00.000Z', { policies: [suspended] });
    expect(obligation(during, 'review-conference@2026-05-31T10:00:00.000Z').status).toBe('superseded');
    const after = evaluate(events, '2026-09-02T09:00:00.000Z', { policies: [suspended] });
    expect(reviews(after.open)).toEqual([expect.objectContaining({ triggeredAt: '2026-05-31T10:00:00.000Z', dueAt: '2026-11-30T11:00:00.000Z' })]);
  });

  it('a plan that ended during the overlay owes nothing after it', () => {
    const events = [plan, firstReview, meetingHeld('2026-07-01T09:00:00.000Z', 'core-group', 'plan-ended')];
    expect(evaluate(events, '2026-09-02T09:00:00.000Z', { policies: [suspended] }).open).toEqual([]);
  });

  it('an overlay without an end date keeps the clock off (past its review date, until it is ended)', () => {
    const open = withOverlay('phase2-open', { endDate: undefined, reviewDate: '2026-07-13', rules: { 'review-conference': { enabled: false } } });
    const after = evaluate([plan, firstReview], '2027-06-01T09:00:00.000Z', { policies: [open] });
    expect(reviews(after.open)).toEqual([]);
  });

  it('under conventions 1 (national 2026.1) the clock is never owed again, as cases opened on it always counted', () => {
    const legacy = withOverlay('phase2-legacy', { rules: { 'review-conference': { enabled: false } } }, NATIONAL_2026_1);
    const events = [plan, meetingHeld('2026-06-15T09:00:00.000Z', 'review-conference')];
    expect(reviews(evaluate(events, '2027-06-01T09:00:00.000Z', { policies: [legacy] }).obligations)).toEqual([]);
  });

  it('a checkpoint inside the overlay carries the clock it owes once the overlay ends', () => {
    const events = [plan, firstReview, meetingHeld('2026-06-15T09:00:00.000Z', 'core-group'), meetingHeld('2026-08-10T09:00:00.000Z', 'core-group')];
    const input = (evs: CaseEvent[], now: string) => ({ facts: { caseId: CASE_ID, openedAt: '2015-01-01T00:00:00.000Z', events: evs, sent: [] }, policies: [replaced], now });
    const cut = '2026-07-01T00:00:00.000Z';
    const checkpoint = checkpointCase(input(events, cut), cut);
    expect(checkpoint.families.childProtection.suspended).toEqual([{ kind: 'review-conference', from: '2026-06-15T09:00:00.000Z' }]);
    const later = events.filter((e) => e.at > cut);
    const resumed = evaluateCase({ ...input(later, '2026-09-01T09:00:00.000Z'), checkpoint });
    const full = evaluateCase(input(events, '2026-09-01T09:00:00.000Z'));
    expect(resumed.open).toEqual(full.open);
  });
});

describe("regulation 28: visits by the placement and the child's legal status", () => {
  const lookedAfter = lookedAfterStarted('2026-01-05T10:00:00.000Z');
  const visitIds = (events: CaseEvent[], now: string, policies?: PolicySnapshot[]) => openOf(events, now, policies).filter((o) => o.id.startsWith('cic-visit'));

  it('a general placement: within a week, six-weekly in its first year, and still six-weekly after it', () => {
    const events = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z', 'p1', { placementType: 'general' })];
    expect(visitIds(events, '2026-01-05T10:00:00.000Z')).toEqual([{ id: 'cic-visit-first@2026-01-05T10:00:00.000Z', dueAt: '2026-01-12T10:00:00.000Z' }]);
    const firstYear = [...events, visit('2026-01-09T10:00:00.000Z')];
    expect(visitIds(firstYear, '2026-01-09T10:00:00.000Z')).toEqual([{ id: 'cic-visit@2026-01-09T10:00:00.000Z', dueAt: '2026-02-20T10:00:00.000Z' }]);
    const secondYear = [...firstYear, visit('2027-01-12T10:00:00.000Z')];
    expect(visitIds(secondYear, '2027-01-12T10:00:00.000Z')).toEqual([{ id: 'cic-visit@2027-01-12T10:00:00.000Z', dueAt: '2027-02-23T10:00:00.000Z' }]);
  });

  it('a placement without a type is a general one: six-weekly after its first year (national 2026.1 said three-monthly)', () => {
    const events = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z'), visit('2027-01-12T10:00:00.000Z')];
    expect(visitIds(events, '2027-01-12T10:00:00.000Z')).toEqual([{ id: 'cic-visit@2027-01-12T10:00:00.000Z', dueAt: '2027-02-23T10:00:00.000Z' }]);
    expect(visitIds(events, '2027-01-12T10:00:00.000Z', [NATIONAL_2026_1])).toEqual([{ id: 'cic-visit@2027-01-12T10:00:00.000Z', dueAt: '2027-04-12T09:00:00.000Z' }]);
  });

  it('a placement intended to last until 18: six-weekly in its first year, then three-monthly (28(2)(c)(i))', () => {
    const events = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z', 'p1', { placementType: 'until-18' }), visit('2026-11-30T10:00:00.000Z')];
    expect(visitIds(events, '2026-11-30T10:00:00.000Z')).toEqual([{ id: 'cic-visit@2026-11-30T10:00:00.000Z', dueAt: '2027-01-11T10:00:00.000Z' }]);
    const later = [...events, visit('2027-01-11T10:00:00.000Z')];
    expect(visitIds(later, '2027-01-11T10:00:00.000Z')).toEqual([{ id: 'cic-visit@2027-01-11T10:00:00.000Z', dueAt: '2027-04-11T09:00:00.000Z' }]);
  });

  it('placed with a parent before assessment (regulation 19): weekly until the first review, then six-weekly, also after a year (28(3))', () => {
    const events: CaseEvent[] = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z', 'p1', { placementType: 'with-parent-before-assessment' })];
    expect(visitIds(events, '2026-01-05T10:00:00.000Z')).toEqual([{ id: 'cic-visit-weekly@2026-01-05T10:00:00.000Z', dueAt: '2026-01-12T10:00:00.000Z' }]);
    events.push(visit('2026-01-12T09:00:00.000Z'), visit('2026-01-19T09:00:00.000Z'), visit('2026-01-26T09:00:00.000Z'));
    expect(visitIds(events, '2026-01-26T09:00:00.000Z')).toEqual([{ id: 'cic-visit-weekly@2026-01-26T09:00:00.000Z', dueAt: '2026-02-02T09:00:00.000Z' }]);
    // The first review (within 20 working days) ends the weekly rhythm: six weeks from the last visit.
    events.push(cicReviewHeld('2026-01-30T10:00:00.000Z'));
    const afterReview = evaluate(events, '2026-01-30T10:00:00.000Z');
    expect(obligation(afterReview, 'cic-visit-weekly@2026-01-26T09:00:00.000Z')).toMatchObject({ status: 'superseded', resolvedAt: '2026-01-30T10:00:00.000Z' });
    expect(visitIds(events, '2026-01-30T10:00:00.000Z')).toEqual([{ id: 'cic-visit-with-parent@2026-01-26T09:00:00.000Z', dueAt: '2026-03-09T09:00:00.000Z' }]);
    events.push(visit('2027-02-01T10:00:00.000Z'));
    expect(visitIds(events, '2027-02-01T10:00:00.000Z')).toEqual([{ id: 'cic-visit-with-parent@2027-02-01T10:00:00.000Z', dueAt: '2027-03-15T10:00:00.000Z' }]);
  });

  it('a connected person temporarily approved (regulation 24): weekly until the first review, then four-weekly (28(4))', () => {
    const events: CaseEvent[] = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z', 'p1', { placementType: 'connected-person-temporary' }), visit('2026-01-09T10:00:00.000Z')];
    expect(visitIds(events, '2026-01-09T10:00:00.000Z')).toEqual([{ id: 'cic-visit-weekly@2026-01-09T10:00:00.000Z', dueAt: '2026-01-16T10:00:00.000Z' }]);
    events.push(cicReviewHeld('2026-01-14T10:00:00.000Z'));
    expect(visitIds(events, '2026-01-14T10:00:00.000Z')).toEqual([{ id: 'cic-visit-four-weekly@2026-01-09T10:00:00.000Z', dueAt: '2026-02-06T10:00:00.000Z' }]);
    events.push(visit('2027-03-01T10:00:00.000Z'));
    expect(visitIds(events, '2027-03-01T10:00:00.000Z')).toEqual([{ id: 'cic-visit-four-weekly@2027-03-01T10:00:00.000Z', dueAt: '2027-03-29T09:00:00.000Z' }]);
  });

  it('living with a parent under an interim care order: as 28(4); under a care order: within a week of the order, then six-weekly (28(5))', () => {
    const interim: CaseEvent[] = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z', 'p1', { placementType: 'with-parent', legalStatus: 'interim-care-order' })];
    expect(visitIds(interim, '2026-01-05T10:00:00.000Z').map((o) => o.id)).toEqual(['cic-visit-weekly@2026-01-05T10:00:00.000Z']);
    // The care order is made on 1 June: a new placement record with the new legal status.
    const order = [...interim, cicReviewHeld('2026-01-30T10:00:00.000Z'), placementStarted('2026-06-01T09:00:00.000Z', 'p2', { placementType: 'with-parent', legalStatus: 'care-order' })];
    expect(visitIds(order, '2026-06-01T09:00:00.000Z')).toEqual([{ id: 'cic-visit-first@2026-06-01T09:00:00.000Z', dueAt: '2026-06-08T09:00:00.000Z' }]);
    const after = [...order, visit('2026-06-05T09:00:00.000Z'), visit('2027-07-01T09:00:00.000Z')];
    expect(visitIds(after, '2027-07-01T09:00:00.000Z')).toEqual([{ id: 'cic-visit-with-parent@2027-07-01T09:00:00.000Z', dueAt: '2027-08-12T09:00:00.000Z' }]);
  });

  it('living with a parent while accommodated: a general placement (28(2))', () => {
    const events = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z', 'p1', { placementType: 'with-parent', legalStatus: 'accommodated' }), visit('2026-01-09T10:00:00.000Z')];
    expect(visitIds(events, '2026-01-09T10:00:00.000Z').map((o) => o.id)).toEqual(['cic-visit@2026-01-09T10:00:00.000Z']);
  });

  it('a regulation 19 placement after the first review: within a week, then six-weekly', () => {
    const events = [lookedAfter, cicReviewHeld('2026-01-30T10:00:00.000Z'), placementStarted('2026-03-02T10:00:00.000Z', 'p2', { placementType: 'with-parent-before-assessment' })];
    expect(visitIds(events, '2026-03-02T10:00:00.000Z').map((o) => o.id)).toEqual(['cic-visit-first@2026-03-02T10:00:00.000Z']);
    expect(visitIds([...events, visit('2026-03-05T10:00:00.000Z')], '2026-03-05T10:00:00.000Z').map((o) => o.id)).toEqual(['cic-visit-with-parent@2026-03-05T10:00:00.000Z']);
  });

  it('the types change nothing for a case on national 2026.1', () => {
    const events = [lookedAfter, placementStarted('2026-01-05T10:00:00.000Z', 'p1', { placementType: 'connected-person-temporary' })];
    expect(visitIds(events, '2026-01-05T10:00:00.000Z', [NATIONAL_2026_1]).map((o) => o.id)).toEqual(['cic-visit-first@2026-01-05T10:00:00.000Z']);
  });
});

describe('child in care reviews with a known number', () => {
  it('a review recorded as the third makes the next one six-monthly', () => {
    const events = [lookedAfterStarted('2023-01-05T10:00:00.000Z'), cicReviewHeld('2026-07-01T09:00:00.000Z', 3)];
    expect(openOf(events, '2026-07-01T09:00:00.000Z')).toEqual([{ id: 'cic-review@2026-07-01T09:00:00.000Z', dueAt: '2027-01-01T10:00:00.000Z' }]);
  });

  it('a review recorded as the first still owes the second within three months', () => {
    const events = [lookedAfterStarted('2026-01-05T10:00:00.000Z'), cicReviewHeld('2026-01-30T10:00:00.000Z', 1)];
    expect(openOf(events, '2026-01-30T10:00:00.000Z')).toEqual([{ id: 'cic-review-second@2026-01-30T10:00:00.000Z', dueAt: '2026-04-30T09:00:00.000Z' }]);
  });
});

describe('the initial conference counts from the strategy discussion that started the section 47 enquiry', () => {
  const icpcs = (events: CaseEvent[], policies?: PolicySnapshot[]) => openOf(events, '2026-03-20T10:00:00.000Z', policies).filter((o) => o.id.startsWith('icpc'));

  it('a discussion that started no enquiry opens no clock; the later one that did opens it', () => {
    const events = [strategyDiscussionS47('2026-03-02T10:00:00.000Z', false), strategyDiscussionS47('2026-03-09T10:00:00.000Z', true)];
    expect(icpcs(events)).toEqual([{ id: 'icpc@2026-03-09T10:00:00.000Z', dueAt: '2026-03-30T22:59:59.999Z' }]);
  });

  it('later discussions during the enquiry do not move or double the clock (the first, where there were several)', () => {
    const events = [strategyDiscussionS47('2026-03-02T10:00:00.000Z', true), strategyDiscussionS47('2026-03-09T10:00:00.000Z', true), strategyDiscussion('2026-03-10T10:00:00.000Z')];
    expect(icpcs(events)).toEqual([{ id: 'icpc@2026-03-02T10:00:00.000Z', dueAt: '2026-03-23T23:59:59.999Z' }]);
  });

  it('a discussion that does not say opens the clock; one recorded as starting the enquiry then takes its place', () => {
    const events = [strategyDiscussion('2026-03-02T10:00:00.000Z'), strategyDiscussionS47('2026-03-09T10:00:00.000Z', true)];
    expect(icpcs(events)).toEqual([{ id: 'icpc@2026-03-09T10:00:00.000Z', dueAt: '2026-03-30T22:59:59.999Z' }]);
  });

  it('on national 2026.1 every discussion opens a clock, as before', () => {
    const events = [strategyDiscussionS47('2026-03-02T10:00:00.000Z', false), strategyDiscussionS47('2026-03-09T10:00:00.000Z', true)];
    expect(icpcs(events, [NATIONAL_2026_1]).map((o) => o.id)).toEqual(['icpc@2026-03-02T10:00:00.000Z', 'icpc@2026-03-09T10:00:00.000Z']);
  });
});

describe('complaints stage 3 under a policy version without it', () => {
  it('opens no clock and says which version would count it', () => {
    const result = evaluate([complaintReceived('2026-06-01T09:00:00.000Z', 'c9', 3)], '2026-06-02T09:00:00.000Z', { policies: [NATIONAL_2026_1] });
    expect(result.open).toEqual([]);
    expect(result.warnings).toEqual([expect.stringContaining('complaint-stage-3-panel for complaint c9: not in the policy version')]);
  });
});

describe('a closed case under an ending overlay', () => {
  it('owes nothing when the overlay ends after the closure, and sleeps', () => {
    const suspended = withOverlay('phase2-closed', { rules: { 'review-conference': { enabled: false } } });
    const events = [meetingHeld('2026-01-05T10:00:00.000Z', 'icpc', 'cp-plan'), meetingHeld('2026-06-15T09:00:00.000Z', 'review-conference'), caseClosed('2026-07-01T09:00:00.000Z')];
    const result = evaluate(events, '2026-09-02T09:00:00.000Z', { policies: [suspended] });
    expect(result.open).toEqual([]);
    expect(result.nextWakeAt).toBeNull();
  });

  it('a KIT call met during the overlay is unaffected (the overlay changes review conferences only)', () => {
    const suspended = withOverlay('phase2-kit', { rules: { 'review-conference': { enabled: false } } });
    const events = [tierSet('2026-06-01T09:00:00.000Z', 'VULNERABLE'), kitCall('2026-06-10T09:00:00.000Z')];
    expect(openOf(events, '2026-06-10T09:00:00.000Z', [suspended])).toEqual([{ id: 'kit-call@2026-06-10T09:00:00.000Z', dueAt: '2026-06-24T09:00:00.000Z' }]);
  });
});
