/**
 * Bad input, as pure tests: the zod schemas every entry point uses (events, opening a case,
 * reporting an incident, details, reassignment, policy application), the case consistency rules,
 * the error text users see, and the email renderer's escaping. The same inputs go through the
 * real client and workflow in client-updates.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMessage, type CaseMessage } from '../../activities/render-message';
import { describeProblems, problemsWithEvent, type CaseSoFar } from '../../domain/consistency';
import { CaseEvent, IsoInstant } from '../../domain/facts';
import { ApplyPolicyInput, OpenCaseInput, ReassignInput, ReportIncidentInput, UpdateDetailsInput } from '../../workflows/inputs';
import { describeZodError, parseOrFail } from '../../workflows/validation';

const AT = '2026-01-20T10:00:00Z';
const by = 'sw-test';
const details = { reference: 'REF-1', team: 'TEAM-1', contacts: {} };
const MB = 'x'.repeat(1_000_000);

/** The refusal text for `raw` under `schema`, or 'accepted'. */
function refusal(schema: Parameters<typeof parseOrFail>[0], raw: unknown): string {
  try {
    parseOrFail(schema, raw, 'test');
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
}

/** A refusal names the field first, and carries no stack trace, no line break, nothing unbounded. */
function expectRefusedNaming(message: string, field: string): void {
  expect(message).toMatch(new RegExp(`^test refused: (.*; )?${field.replace(/[.]/g, '\\.')}: `));
  expect(message).not.toMatch(/\n|\bat .*\(.*:\d+:\d+\)|ZodError|\.ts:\d+/);
  expect(message.length).toBeLessThan(8_000);
}

describe('event schema: wrong types, missing fields, unknown kinds and tiers', () => {
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'visit', '\\(input\\)'],
    ['null', null, '\\(input\\)'],
    ['an array', [], '\\(input\\)'],
    ['no type', { at: AT, by }, 'type'],
    ['unknown type', { type: 'teleport', at: AT, by }, 'type'],
    ['type of the wrong type', { type: 7, at: AT, by }, 'type'],
    ['at as a number', { type: 'contact', at: 1_768_903_200_000, by, contactType: 'visit' }, 'at'],
    ['at missing', { type: 'contact', by, contactType: 'visit' }, 'at'],
    ['by missing', { type: 'contact', at: AT, contactType: 'visit' }, 'by'],
    ['contactType unknown', { type: 'contact', at: AT, by, contactType: 'telepathy' }, 'contactType'],
    ['childSeenAlone as text', { type: 'contact', at: AT, by, contactType: 'visit', childSeenAlone: 'yes' }, 'childSeenAlone'],
    ['unknown tier', { type: 'tier-set', at: AT, by, tier: 'SUPER_HIGH', reason: 'r' }, 'tier'],
    ['tier in lower case', { type: 'tier-set', at: AT, by, tier: 'priority', reason: 'r' }, 'tier'],
    ['unknown obligation kind', { type: 'hold-started', at: AT, by, holdId: 'H1', kind: 'nap-time', reason: 'r' }, 'kind'],
    ['unknown meeting type', { type: 'meeting-scheduled', at: AT, by, meetingId: 'M1', meetingType: 'party', scheduledFor: AT }, 'meetingType'],
    ['meeting fields missing', { type: 'meeting-scheduled', at: AT, by }, 'meetingId'],
    ['unknown report type', { type: 'report-submitted', at: AT, by, reportType: 'essay', meetingId: 'M1' }, 'reportType'],
    ['level as text', { type: 'escalation-acknowledged', at: AT, by, obligationId: 'o', level: '2' }, 'level'],
    ['level 0', { type: 'escalation-acknowledged', at: AT, by, obligationId: 'o', level: 0 }, 'level'],
    ['level 1.5', { type: 'escalation-acknowledged', at: AT, by, obligationId: 'o', level: 1.5 }, 'level'],
    ['complaint stage 4', { type: 'complaint-received', at: AT, by, complaintId: 'C1', stage: 4 }, 'stage'],
    ['complaint stage as text', { type: 'complaint-received', at: AT, by, complaintId: 'C1', stage: '3' }, 'stage'],
    ['complaint extended at stage 3', { type: 'complaint-extended', at: AT, by, complaintId: 'C1', stage: 3, reason: 'r' }, 'stage'],
    ['complaint panel with no complaint id', { type: 'complaint-panel-held', at: AT, by }, 'complaintId'],
    ['complaint report for a/b', { type: 'complaint-panel-reported', at: AT, by, complaintId: 'a/b' }, 'complaintId'],
    ['unknown placement type', { type: 'placement-started', at: AT, by, placementId: 'P1', placementType: 'foster-ish' }, 'placementType'],
    ['unknown legal status', { type: 'placement-started', at: AT, by, placementId: 'P1', legalStatus: 'section-21' }, 'legalStatus'],
    ['s47Started as text', { type: 'strategy-discussion', at: AT, by, s47Started: 'yes' }, 's47Started'],
    ['review number 0', { type: 'meeting-held', at: AT, by, meetingType: 'cic-review', reviewNumber: 0 }, 'reviewNumber'],
    ['review number 201', { type: 'meeting-held', at: AT, by, meetingType: 'cic-review', reviewNumber: 201 }, 'reviewNumber'],
    ['review number 1.5', { type: 'meeting-held', at: AT, by, meetingType: 'cic-review', reviewNumber: 1.5 }, 'reviewNumber'],
    ['review number as text', { type: 'meeting-held', at: AT, by, meetingType: 'cic-review', reviewNumber: '2' }, 'reviewNumber'],
    ['empty obligation id', { type: 'obligation-waived', at: AT, by, obligationId: '', reason: 'r' }, 'obligationId'],
    ['outcome unknown', { type: 'meeting-held', at: AT, by, meetingType: 'icpc', outcome: 'maybe' }, 'outcome'],
  ];
  it.each(cases)('%s: refused, naming the field', (_name, raw, field) => {
    expectRefusedNaming(refusal(CaseEvent, raw), field);
  });
});

describe('dates: unparseable, impossible, far past and far future', () => {
  const bad = [
    '2026-02-30T10:00:00Z', // 30 February
    '2026-02-29T10:00:00Z', // not a leap year
    '2026-04-31T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:60:00Z',
    '20026-01-20T10:00:00Z', // year 20026
    '+020026-01-20T10:00:00Z',
    '2026-01-20T10:00:00', // no offset: ambiguous across the clock change
    '2026-01-20',
    '2026-01-20T10:00:00+25:00',
    ' 2026-01-20T10:00:00Z',
    'tomorrow',
    '',
    '1999-12-31T23:59:59Z', // before CaseClock's range
    '2100-01-01T00:00:00Z', // after it
    `2026-01-20T10:00:00.${'0'.repeat(100)}Z`,
  ];
  it.each(bad)('%j is refused as at, scheduledFor, newDate and awareAt', (date) => {
    expectRefusedNaming(refusal(CaseEvent, { type: 'contact', at: date, by, contactType: 'visit' }), 'at');
    expectRefusedNaming(refusal(CaseEvent, { type: 'meeting-scheduled', at: AT, by, meetingId: 'M1', meetingType: 'icpc', scheduledFor: date }), 'scheduledFor');
    expectRefusedNaming(refusal(CaseEvent, { type: 'meeting-postponed', at: AT, by, meetingId: 'M1', newDate: date, reason: 'r' }), 'newDate');
    expectRefusedNaming(refusal(ReportIncidentInput, { incidentId: 'SI-1', details, reportedBy: by, awareAt: date }), 'awareAt');
    expectRefusedNaming(refusal(OpenCaseInput, { caseId: 'C-1', details, openedBy: by, initialTier: { tier: 'PRIORITY', reason: 'r', at: date } }), 'initialTier.at');
  });

  it('accepts real instants with an offset and stores them in UTC', () => {
    expect(IsoInstant.parse('2024-02-29T10:00:00Z')).toBe('2024-02-29T10:00:00.000Z');
    expect(IsoInstant.parse('2026-03-29T02:30:00+01:00')).toBe('2026-03-29T01:30:00.000Z');
    expect(IsoInstant.parse('2099-12-31T23:59:59Z')).toBe('2099-12-31T23:59:59.000Z');
  });
});

describe('free text: bounded, no control characters, HTML kept as text', () => {
  const closed = (reason: string) => ({ type: 'case-closed', at: AT, by, reason });

  it('refuses a 1 MB reason without echoing it', () => {
    const message = refusal(CaseEvent, closed(MB));
    expectRefusedNaming(message, 'reason');
    expect(message).toContain('at most 2000 characters');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['escape sequence', 'a\u001b[31mred'],
    ['bell', 'a\u0007b'],
    ['backspace', 'a\u0008b'],
    ['DEL', 'a\u007fb'],
    ['vertical tab', 'a\u000bb'],
  ])('refuses %s in a reason', (_name, reason) => {
    expectRefusedNaming(refusal(CaseEvent, closed(reason)), 'reason');
  });

  it('refuses C1 control characters and bidi overrides in a reason', () => {
    for (const reason of ['a\u009b31mred', 'a\u0085b', 'abc\u202Etxt.exe']) expectRefusedNaming(refusal(CaseEvent, closed(reason)), 'reason');
  });

  it('refuses blank text', () => {
    expectRefusedNaming(refusal(CaseEvent, closed(' \n\t ')), 'reason');
  });

  it('keeps line breaks, tabs, HTML and <script> as plain text', () => {
    for (const reason of ['line one\nline two\tend', '<script>alert("x")</script>', '<b>bold</b> & "quotes"', "'; DROP TABLE cases; --"]) {
      expect(CaseEvent.parse(closed(reason))).toMatchObject({ reason: reason.trim() });
    }
  });

  it('staff names: bounded free text, refusing control characters', () => {
    const contact = (name: string) => ({ role: 'allocated-worker', contact: { name, email: 'a@example.test' }, by });
    expectRefusedNaming(refusal(ReassignInput, contact('x'.repeat(201))), 'contact.name');
    expectRefusedNaming(refusal(ReassignInput, contact('Fictitious\u0000Name')), 'contact.name');
    expect(refusal(ReassignInput, contact('<img src=x onerror=alert(1)>'))).toBe('accepted');
  });
});

describe('identifiers: no path or query syntax', () => {
  const ids = ['../x', 'a?b=c', 'a/b', 'a\\b', 'a b', '.hidden', '-rf', 'a%2Fb', 'a#b', 'a\nb', 'ä', '', 'x'.repeat(65)];
  it.each(ids)('%j is refused wherever an id is typed', (id) => {
    expectRefusedNaming(refusal(CaseEvent, { type: 'hold-ended', at: AT, by, holdId: id }), 'holdId');
    expectRefusedNaming(refusal(CaseEvent, { type: 'contact', at: AT, by: id, contactType: 'visit' }), 'by');
    expectRefusedNaming(refusal(CaseEvent, { type: 'pre-meeting-held', at: AT, by, meetingId: id }), 'meetingId');
    expectRefusedNaming(refusal(CaseEvent, { type: 'complaint-received', at: AT, by, complaintId: id, stage: 1 }), 'complaintId');
    expectRefusedNaming(refusal(OpenCaseInput, { caseId: id, details, openedBy: by }), 'caseId');
    expectRefusedNaming(refusal(OpenCaseInput, { caseId: 'C-1', details: { ...details, reference: id }, openedBy: by }), 'details.reference');
    expectRefusedNaming(refusal(OpenCaseInput, { caseId: 'C-1', details: { ...details, team: id }, openedBy: by }), 'details.team');
    expectRefusedNaming(refusal(ReportIncidentInput, { incidentId: id, details, reportedBy: by, awareAt: AT }), 'incidentId');
    expectRefusedNaming(refusal(ReportIncidentInput, { incidentId: 'SI-1', linkedCaseId: id, details, reportedBy: by, awareAt: AT }), 'linkedCaseId');
  });
});

describe('opening a case, details, reassignment and policy: shape errors name the field', () => {
  it.each<[string, Parameters<typeof parseOrFail>[0], unknown, string]>([
    ['open: nothing at all', OpenCaseInput, {}, 'caseId'],
    ['open: details null', OpenCaseInput, { caseId: 'C-1', details: null, openedBy: by }, 'details'],
    ['open: unknown tier', OpenCaseInput, { caseId: 'C-1', details, openedBy: by, initialTier: { tier: 'SUPER', reason: 'r' } }, 'initialTier.tier'],
    ['open: tier without reason', OpenCaseInput, { caseId: 'C-1', details, openedBy: by, initialTier: { tier: 'PRIORITY' } }, 'initialTier.reason'],
    ['open: contacts as an array', OpenCaseInput, { caseId: 'C-1', details: { ...details, contacts: [] }, openedBy: by }, 'details.contacts'],
    ['open: unknown role', OpenCaseInput, { caseId: 'C-1', details: { ...details, contacts: { janitor: { name: 'n', email: 'a@example.test' } } }, openedBy: by }, 'details.contacts'],
    ['open: bad email', OpenCaseInput, { caseId: 'C-1', details: { ...details, contacts: { iro: { name: 'n', email: 'not-an-email' } } }, openedBy: by }, 'details.contacts.iro.email'],
    ['details: reference missing', UpdateDetailsInput, { details: { team: 'T', contacts: {} }, by }, 'details.reference'],
    ['reassign: unknown role', ReassignInput, { role: 'boss', contact: { name: 'n', email: 'a@example.test' }, by }, 'role'],
    ['reassign: email with a header break', ReassignInput, { role: 'iro', contact: { name: 'n', email: 'a@example.test\r\nBcc: b@example.test' }, by }, 'contact.email'],
    ['policy: unknown mode', ApplyPolicyInput, { snapshot: {}, mode: 'sideways', by }, 'mode'],
  ])('%s', (_name, schema, raw, field) => {
    expectRefusedNaming(refusal(schema, raw), field);
  });

  it('does not echo a huge or control-laden unknown key back whole', () => {
    const key = `<script>\n${'k'.repeat(100_000)}`;
    const message = refusal(OpenCaseInput, { caseId: 'C-1', details: { ...details, contacts: { [key]: { name: 'n', email: 'a@example.test' } } }, openedBy: by });
    expectRefusedNaming(message, 'details.contacts');
    expect(message).toContain('\\u000a');
  });

  it('lists at most a few problems, then how many more', () => {
    const message = describeZodError(
      (() => {
        const r = OpenCaseInput.safeParse({
          caseId: '',
          openedBy: '',
          details: { reference: '', team: '', contacts: Object.fromEntries(['iro', 'deputy-lead', 'team-manager', 'head-of-service', 'group-manager', 'allocated-worker'].map((role) => [role, { name: '', email: '' }])) },
        });
        if (r.success) throw new Error('expected a failure');
        return r.error;
      })(),
    );
    expect(message).toMatch(/; and \d+ more$/);
  });

  it('drops unknown fields rather than storing them', () => {
    expect(CaseEvent.parse({ type: 'contact', at: AT, by, contactType: 'visit', childName: 'Not Stored' })).not.toHaveProperty('childName');
  });
});

describe('consistency: duplicate and out-of-order events', () => {
  const openedAt = '2026-01-05T09:00:00.000Z';
  const now = '2026-02-01T12:00:00.000Z';
  const e = <T extends CaseEvent['type']>(type: T, at: string, rest: object = {}) => CaseEvent.parse({ type, at, by, ...rest });
  const kase = (events: CaseEvent[], open: CaseSoFar['open'] = [], subject: CaseSoFar['subject'] = 'case'): CaseSoFar => ({ subject, openedAt, events, open });
  const check = (k: CaseSoFar, event: CaseEvent) => describeProblems(problemsWithEvent(k, event, now));

  const scheduled = e('meeting-scheduled', '2026-01-10T09:00:00Z', { meetingId: 'CG-1', meetingType: 'core-group', scheduledFor: '2026-01-20T10:00:00Z' });
  const held = e('meeting-held', '2026-01-20T10:00:00Z', { meetingId: 'CG-1', meetingType: 'core-group' });
  const holdStarted = e('hold-started', '2026-01-15T09:00:00Z', { holdId: 'H1', reason: 'family away' });
  const holdEnded = e('hold-ended', '2026-01-22T09:00:00Z', { holdId: 'H1' });

  it.each<[string, CaseSoFar, CaseEvent, string]>([
    ['a visit before the case opened', kase([]), e('contact', '2026-01-04T09:00:00Z', { contactType: 'visit' }), 'at: is before the case was opened'],
    ['a visit tomorrow', kase([]), e('contact', '2026-02-02T12:00:00Z', { contactType: 'visit' }), 'at: is in the future'],
    ['a visit in 2099', kase([]), e('contact', '2099-01-01T12:00:00Z', { contactType: 'visit' }), 'at: is in the future'],
    ['the same meeting scheduled twice', kase([scheduled]), scheduled, 'meetingId: meeting CG-1 is already recorded'],
    [
      'a meeting scheduled for before it was scheduled',
      kase([]),
      e('meeting-scheduled', '2026-01-10T09:00:00Z', { meetingId: 'M2', meetingType: 'icpc', scheduledFor: '2026-01-09T09:00:00Z' }),
      'scheduledFor: must be after',
    ],
    ['the same meeting held twice', kase([scheduled, held]), held, 'meetingId: meeting CG-1 is already held'],
    ['a meeting held before it was scheduled', kase([scheduled]), e('meeting-held', '2026-01-08T10:00:00Z', { meetingId: 'CG-1', meetingType: 'core-group' }), 'at: is before meeting CG-1 was scheduled'],
    ['a meeting held as the wrong type', kase([scheduled]), e('meeting-held', '2026-01-20T10:00:00Z', { meetingId: 'CG-1', meetingType: 'icpc' }), 'meetingType: meeting CG-1 is a core-group'],
    ['a meeting postponed to before the postponement', kase([scheduled]), e('meeting-postponed', '2026-01-12T09:00:00Z', { meetingId: 'CG-1', newDate: '2026-01-11T09:00:00Z', reason: 'r' }), 'newDate: must be after'],
    ['a held meeting cancelled', kase([scheduled, held]), e('meeting-cancelled', '2026-01-21T09:00:00Z', { meetingId: 'CG-1', reason: 'r' }), 'meetingId: meeting CG-1 is already held'],
    ['a pre-meeting for a core group', kase([scheduled]), e('pre-meeting-held', '2026-01-15T09:00:00Z', { meetingId: 'CG-1' }), 'meetingId: meeting CG-1 is not a conference'],
    ['a hold ended twice', kase([holdStarted, holdEnded]), holdEnded, 'holdId: hold H1 has already ended'],
    ['a hold ended before it started', kase([holdStarted]), e('hold-ended', '2026-01-14T09:00:00Z', { holdId: 'H1' }), 'at: is before hold H1 started'],
    ['a hold that never started ended', kase([]), holdEnded, 'holdId: no hold H1 on this case'],
    ['a hold started twice', kase([holdStarted]), holdStarted, 'holdId: hold H1 already exists'],
    [
      'acknowledging a level never reached',
      kase([], [{ id: 'kit-call@x', escalationLevel: 1 }]),
      e('escalation-acknowledged', now, { obligationId: 'kit-call@x', level: 2 }),
      'level: obligation kit-call@x has not been escalated to level 2',
    ],
    [
      'acknowledging an obligation never escalated',
      kase([], [{ id: 'kit-call@x', escalationLevel: 0 }]),
      e('escalation-acknowledged', now, { obligationId: 'kit-call@x', level: 1 }),
      'level: obligation kit-call@x has not been escalated to level 1',
    ],
    ['acknowledging an obligation that is not open', kase([]), e('escalation-acknowledged', now, { obligationId: 'visit@y', level: 1 }), 'obligationId: no open obligation visit@y'],
    ['waiving an obligation that is not open', kase([]), e('obligation-waived', now, { obligationId: 'visit@y', reason: 'r' }), 'obligationId: no open obligation visit@y'],
    ['a child returned who never went missing', kase([]), e('child-returned', now), 'type: no missing episode is open'],
    ['a child returned before going missing', kase([e('missing-started', '2026-01-20T09:00:00Z')]), e('child-returned', '2026-01-18T09:00:00Z'), 'at: is before the child went missing'],
    [
      'a return interview before the return',
      kase([e('missing-started', '2026-01-20T09:00:00Z'), e('child-returned', '2026-01-21T09:00:00Z')]),
      e('return-interview-held', '2026-01-20T12:00:00Z'),
      'at: is before the child was recorded as returned',
    ],
    ['a referral decided before it was received', kase([e('referral-received', '2026-01-20T09:00:00Z')]), e('referral-decided', '2026-01-19T09:00:00Z'), 'at: is before the referral was received'],
    [
      'a complaint answered before it was received',
      kase([e('complaint-received', '2026-01-20T09:00:00Z', { complaintId: 'C1', stage: 1 })]),
      e('complaint-responded', '2026-01-19T09:00:00Z', { complaintId: 'C1', stage: 1 }),
      'at: is before complaint C1 was received',
    ],
    [
      'the same complaint answered twice',
      kase([e('complaint-received', '2026-01-20T09:00:00Z', { complaintId: 'C1', stage: 1 }), e('complaint-responded', '2026-01-21T09:00:00Z', { complaintId: 'C1', stage: 1 })]),
      e('complaint-responded', '2026-01-22T09:00:00Z', { complaintId: 'C1', stage: 1 }),
      'complaintId: complaint C1 already has its stage 1 response',
    ],
    [
      'a placement before the child became looked after',
      kase([e('looked-after-started', '2026-01-20T09:00:00Z')]),
      e('placement-started', '2026-01-19T09:00:00Z', { placementId: 'P1' }),
      'at: is before the child became looked after',
    ],
    ['a policy applied through recordEvent', kase([]), e('policy-applied', now, { policyVersion: '9', mode: 'forward' }), 'type: apply a policy with the applyPolicy action'],
    [
      'a rapid review before the notification',
      kase([e('incident-reported', openedAt, { incidentId: 'SI-1' }), e('incident-notified', '2026-01-20T09:00:00Z', { incidentId: 'SI-1' })], [], 'incident'),
      e('rapid-review-completed', '2026-01-19T09:00:00Z', { incidentId: 'SI-1' }),
      'at: is before the incident-notified event',
    ],
    [
      'the panel notified twice',
      kase([e('incident-reported', openedAt, { incidentId: 'SI-1' }), e('incident-notified', '2026-01-20T09:00:00Z', { incidentId: 'SI-1' })], [], 'incident'),
      e('incident-notified', '2026-01-21T09:00:00Z', { incidentId: 'SI-1' }),
      'type: incident-notified is already recorded',
    ],
    ['anything after the case closed', kase([e('case-closed', '2026-01-20T09:00:00Z', { reason: 'r' })]), e('contact', '2026-01-21T09:00:00Z', { contactType: 'visit' }), 'type: the case is closed'],
  ])('%s: refused, naming the field', (_name, k, event, expected) => {
    expect(check(k, event)).toContain(expected);
  });

  it('accepts the same events in order (no false alarms)', () => {
    expect(check(kase([scheduled]), held)).toBe('');
    expect(check(kase([holdStarted]), holdEnded)).toBe('');
    expect(check(kase([e('missing-started', '2026-01-20T09:00:00Z')]), e('child-returned', '2026-01-20T09:00:00Z'))).toBe('');
    expect(check(kase([e('referral-received', '2026-01-20T09:00:00Z')]), e('assessment-completed', '2026-01-25T09:00:00Z'))).toBe('');
  });

  it('keeps refusals on one line when an id holds line breaks or HTML', () => {
    const hostileId = 'x\n<script>alert(1)</script>\r\nforged: line';
    // The schema refuses such an id outright; the consistency rules stay one line even without it.
    expectRefusedNaming(refusal(CaseEvent, { type: 'obligation-waived', at: now, by: 'sw1', obligationId: hostileId, reason: 'r' }), 'obligationId');
    const unchecked = { type: 'obligation-waived', at: now, by: 'sw1', obligationId: hostileId, reason: 'r' } as CaseEvent;
    const message = check(kase([]), unchecked);
    expect(message).toBe('obligationId: no open obligation x\\u000a<script>alert(1)</script>\\u000d\\u000aforged: line');
  });
});

describe('emails render typed text escaped', () => {
  const hostile = '<script>alert("x")</script>&<img src=x onerror=alert(1)>';
  const message = (overrides: Partial<CaseMessage>): CaseMessage => ({
    messageId: 'C-1/kit-call@2026-01-20T10:00:00.000Z/escalation/L1/0',
    caseId: 'C-1',
    caseReference: 'C-1',
    team: 'TEAM-1',
    type: 'escalation',
    level: 1,
    repeat: 0,
    role: 'team-manager',
    sendAt: '2026-01-20T10:00:00.000Z',
    obligation: { id: 'kit-call@x', kind: 'kit-call', title: 'Keeping-in-touch call', dueAt: '2026-01-20T10:00:00.000Z', basis: 'Protocol' },
    ...overrides,
  });

  it.each<[string, Partial<CaseMessage>]>([
    ['case reference', { caseReference: hostile }],
    ['team', { team: hostile }],
    ['obligation title and basis', { obligation: { id: 'o', kind: 'kit-call', title: hostile, dueAt: '2026-01-20T10:00:00.000Z', basis: hostile } }],
    ['meeting id', { type: 'notice', meeting: { meetingId: hostile, meetingType: 'icpc', change: 'postponed', scheduledFor: '2026-01-20T10:00:00.000Z' } }],
    ['meeting type', { type: 'notice', meeting: { meetingId: 'M1', meetingType: hostile, change: 'cancelled' } }],
    ['message id', { messageId: hostile }],
  ])('%s', (_name, overrides) => {
    const { html, text } = renderMessage(message(overrides), 'https://caseclock.example.test');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain(escapeHtml('<script>alert("x")</script>'));
    // The plain-text part is text: it may carry the characters, never as markup.
    expect(text).toContain('<script>');
  });

  it('links to the case with its id URL-encoded', () => {
    const { html } = renderMessage(message({ caseId: '../admin?x=1' }), 'https://caseclock.example.test');
    expect(html).toContain('href="https://caseclock.example.test/cases/..%2Fadmin%3Fx%3D1"');
    const hostileLink = renderMessage(message({ caseId: hostile }), 'https://caseclock.example.test');
    expect(hostileLink.html).not.toMatch(/<script|<img|"x"/i);
    expect(hostileLink.text).not.toContain('<script');
  });
});
