/**
 * What may be recorded when (domain/consistency.ts), for the steps of a stage 3 complaint (the
 * request for a review panel, the panel, its report, the authority's response) and for a child in
 * care review's number: each refusal names the input field at fault. Pure.
 */
import { describe, expect, it } from 'vitest';
import { describeProblems, problemsWithEvent, type CaseSoFar } from '../../domain/consistency';
import { CaseEvent } from '../../domain/facts';

const by = 'sw-test';
const openedAt = '2026-01-05T09:00:00.000Z';
const now = '2026-06-01T12:00:00.000Z';
const e = (type: CaseEvent['type'], at: string, rest: object = {}) => CaseEvent.parse({ type, at, by, ...rest });
const kase = (events: CaseEvent[], open: CaseSoFar['open'] = []): CaseSoFar => ({ subject: 'case', openedAt, events, open });
const check = (k: CaseSoFar, event: CaseEvent) => describeProblems(problemsWithEvent(k, event, now));

const requested = e('complaint-received', '2026-02-02T09:00:00Z', { complaintId: 'C3', stage: 3 });
const panel = e('complaint-panel-held', '2026-03-02T09:00:00Z', { complaintId: 'C3' });
const report = e('complaint-panel-reported', '2026-03-05T09:00:00Z', { complaintId: 'C3' });
const response = e('complaint-responded', '2026-03-20T09:00:00Z', { complaintId: 'C3', stage: 3 });

describe('a stage 3 complaint: request, panel, report, response, in that order', () => {
  it('accepts the steps in order (no false alarms)', () => {
    expect(check(kase([]), requested)).toBe('');
    expect(check(kase([requested]), panel)).toBe('');
    expect(check(kase([requested, panel]), report)).toBe('');
    expect(check(kase([requested, panel, report]), response)).toBe('');
    // Steps on the same day as the one before them.
    expect(check(kase([requested]), e('complaint-panel-held', '2026-02-02T09:00:00Z', { complaintId: 'C3' }))).toBe('');
  });

  it.each<[string, CaseEvent[], CaseEvent, string]>([
    ['a panel for a complaint never received', [], panel, 'complaintId: no stage 3 complaint C3 on this case (record it received at stage 3 first)'],
    ['a panel for a complaint received at stage 2 only', [e('complaint-received', '2026-02-02T09:00:00Z', { complaintId: 'C3', stage: 2 })], panel, 'complaintId: no stage 3 complaint C3 on this case'],
    ['a panel for another complaint', [requested], e('complaint-panel-held', '2026-03-02T09:00:00Z', { complaintId: 'C4' }), 'complaintId: no stage 3 complaint C4 on this case'],
    ['the panel held twice', [requested, panel], e('complaint-panel-held', '2026-03-03T09:00:00Z', { complaintId: 'C3' }), 'complaintId: the review panel on complaint C3 is already recorded'],
    ['the panel before the request', [requested], e('complaint-panel-held', '2026-02-01T09:00:00Z', { complaintId: 'C3' }), 'at: is before complaint C3 was received at stage 3'],
    ['a report for a complaint never received', [], report, 'complaintId: no stage 3 complaint C3 on this case'],
    ['a report before any panel', [requested], report, 'complaintId: the review panel on complaint C3 is not recorded yet'],
    ['the report sent twice', [requested, panel, report], e('complaint-panel-reported', '2026-03-06T09:00:00Z', { complaintId: 'C3' }), "complaintId: the review panel's report on complaint C3 is already recorded"],
    ['the report dated before the panel', [requested, panel], e('complaint-panel-reported', '2026-03-01T09:00:00Z', { complaintId: 'C3' }), 'at: is before the review panel on complaint C3 met'],
    ['a stage 3 response with no request', [], response, 'complaintId: no stage 3 complaint C3 on this case'],
    ['a stage 3 response before the panel', [requested], response, "complaintId: the review panel's report on complaint C3 is not recorded yet"],
    ['a stage 3 response before the report', [requested, panel], response, "complaintId: the review panel's report on complaint C3 is not recorded yet"],
    [
      'a stage 3 response dated before the report',
      [requested, panel, report],
      e('complaint-responded', '2026-03-04T09:00:00Z', { complaintId: 'C3', stage: 3 }),
      "at: is before the review panel's report on complaint C3 was sent",
    ],
    ['the stage 3 response twice', [requested, panel, report, response], e('complaint-responded', '2026-03-21T09:00:00Z', { complaintId: 'C3', stage: 3 }), 'complaintId: complaint C3 already has its stage 3 response'],
    ['the stage 3 request twice', [requested], e('complaint-received', '2026-02-03T09:00:00Z', { complaintId: 'C3', stage: 3 }), 'complaintId: complaint C3 is already recorded at stage 3'],
  ])('%s: refused, naming the field', (_name, events, event, expected) => {
    expect(check(kase(events), event)).toContain(expected);
  });

  it('a stage 1 response needs no panel (stages 1 and 2 are as before)', () => {
    const received = e('complaint-received', '2026-02-02T09:00:00Z', { complaintId: 'C1', stage: 1 });
    expect(check(kase([received]), e('complaint-responded', '2026-02-10T09:00:00Z', { complaintId: 'C1', stage: 1 }))).toBe('');
  });

  it("with the earlier events settled into a checkpoint, the case's open stage 3 clock stands for them", () => {
    // Only the clock is left: the request (and the panel, and the report) are older than the events kept.
    expect(check(kase([], [{ id: 'complaint-stage-3-panel@C3', escalationLevel: 0 }]), panel)).toBe('');
    expect(check(kase([], [{ id: 'complaint-stage-3-report@C3', escalationLevel: 0 }]), report)).toBe('');
    expect(check(kase([], [{ id: 'complaint-stage-3-report@C3', escalationLevel: 0 }]), panel)).toContain('complaintId: the review panel on complaint C3 is already recorded');
    expect(check(kase([], [{ id: 'complaint-stage-3-response@C3', escalationLevel: 0 }]), response)).toBe('');
    expect(check(kase([], [{ id: 'complaint-stage-3-response@C3', escalationLevel: 0 }]), report)).toContain('is already recorded');
    // Another complaint's clock stands for nothing here.
    expect(check(kase([], [{ id: 'complaint-stage-3-panel@C9', escalationLevel: 0 }]), panel)).toContain('complaintId: no stage 3 complaint C3');
  });
});

describe('the number of a child in care review', () => {
  it('is accepted on a child in care review', () => {
    expect(check(kase([]), e('meeting-held', '2026-03-01T10:00:00Z', { meetingType: 'cic-review', reviewNumber: 4 }))).toBe('');
  });

  it.each(['core-group', 'icpc', 'review-conference'] as const)('is refused on a %s, naming reviewNumber', (meetingType) => {
    expect(check(kase([]), e('meeting-held', '2026-03-01T10:00:00Z', { meetingType, reviewNumber: 1 }))).toBe('reviewNumber: is for a child in care review only');
  });
});
