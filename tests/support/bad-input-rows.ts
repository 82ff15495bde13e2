/**
 * The bad-input tables every way into a case shares: the console's forms (tests/input/console-http.test.ts)
 * and the integration API (tests/console/api.test.ts) send the same rows, each naming the field
 * the refusal must name and, where it matters, what it must say. A row's form is the action's form
 * fields by name, as the console posts them and as the API takes them in its JSON body.
 */
import { DateTime } from 'luxon';

export const SCRIPT = '<script>alert(1)</script>';
export const IMG = '<img src=x onerror=alert(1)>';
export const CONTACTS = {
  worker: 'Sam Worker <worker@council.test>',
  manager: 'Tess Manager <manager@council.test>',
  head: 'Hal Head <head@council.test>',
  deputy: 'Dee Lead <deputy@council.test>',
  iro: 'Ira Officer <iro@council.test>',
};

/** Fields of 60,000 characters and ids of 65: past every limit. */
export const K60 = 'x'.repeat(60_000);
export const LONG_ID = 'A'.repeat(65);

/** UK local time as a datetime-local field holds it, `hours` from now. */
export const ukLocal = (hours: number) => DateTime.now().setZone('Europe/London').plus({ hours }).toFormat("yyyy-MM-dd'T'HH:mm");

/** An action row: the form sent, then either the field whose note must say what is wrong (400) or the case's refusal (409). */
export type ActionRow = [name: string, slug: string, form: Record<string, string>, expected: { field: string; says?: RegExp } | { refusal: RegExp; field?: string }];

export const caseActionRows: ActionRow[] = [
  // visit, kit-call, contact: dates
  ['visit on 30 February', 'visit', { at: '2027-02-30T10:00' }, { field: 'at', says: /not a real date/ }],
  ['visit in year 9999', 'visit', { at: '9999-01-01T10:00' }, { field: 'at', says: /between 2000 and 2100/ }],
  ['visit "next Tuesday"', 'visit', { at: 'next Tuesday' }, { field: 'at', says: /ISO-8601/ }],
  ['visit at a number', 'visit', { at: '1767261600000' }, { field: 'at' }],
  ['visit at markup', 'visit', { at: SCRIPT }, { field: 'at' }],
  ['visit at a time the clocks skip', 'visit', { at: '2026-03-29T01:30' }, { field: 'at', says: /does not exist in UK time/ }],
  ['visit, child seen alone "maybe"', 'visit', { childSeenAlone: 'maybe' }, { field: 'childSeenAlone', says: /must be one of: yes, no/ }],
  ['visit before the case opened', 'visit', { at: ukLocal(-3) }, { refusal: /at: is before the case was opened/, field: 'at' }],
  ['visit in 2020', 'visit', { at: '2020-01-01T10:00' }, { refusal: /at: is before the case was opened/, field: 'at' }],
  ['visit next year', 'visit', { at: ukLocal(24 * 365) }, { refusal: /at: is in the future/, field: 'at' }],
  ['kit call in year 20026', 'kit-call', { at: '20026-01-01T10:00' }, { field: 'at' }],
  ['kit call with a NUL', 'kit-call', { at: `${ukLocal(0)}\u0000` }, { field: 'at' }],
  ['contact in month 13', 'contact', { at: '2026-13-01T10:00' }, { field: 'at', says: /not a real date/ }],
  // tier
  ['tier missing', 'tier', { reason: 'r' }, { field: 'tier', says: /is required/ }],
  ['unknown tier', 'tier', { tier: 'SUPER_HIGH', reason: 'r' }, { field: 'tier', says: /must be one of: HIGH_IMMEDIATE/ }],
  ['tier in lower case', 'tier', { tier: 'priority', reason: 'r' }, { field: 'tier' }],
  ['tier with no reason', 'tier', { tier: 'PRIORITY' }, { field: 'reason', says: /is required/ }],
  ['tier with the reason as an array', 'tier', { tier: 'PRIORITY', 'reason[]': 'r' }, { field: 'reason', says: /is required/ }],
  ['tier with a blank reason', 'tier', { tier: 'PRIORITY', reason: '   ' }, { field: 'reason', says: /is required/ }],
  ['tier reason of 60,000 characters', 'tier', { tier: 'PRIORITY', reason: K60 }, { field: 'reason', says: /at most 2000/ }],
  ['tier reason with a NUL', 'tier', { tier: 'PRIORITY', reason: 'a\u0000b' }, { field: 'reason', says: /control characters/ }],
  ['tier reason with an escape sequence', 'tier', { tier: 'PRIORITY', reason: '\u001b[2J\u001b[Hcleared' }, { field: 'reason', says: /control characters/ }],
  ['tier reason with a right-to-left override', 'tier', { tier: 'PRIORITY', reason: 'fine\u202eeno' }, { field: 'reason', says: /control characters/ }],
  // meetings
  ['meeting id missing', 'meeting-schedule', { meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId', says: /is required/ }],
  ['meeting id ../x', 'meeting-schedule', { meetingId: '../x', meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId', says: /letters, digits/ }],
  ['meeting id a?x=1', 'meeting-schedule', { meetingId: 'a?x=1', meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId' }],
  ['meeting id a#b', 'meeting-schedule', { meetingId: 'a#b', meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId' }],
  ['meeting id with a space', 'meeting-schedule', { meetingId: 'CG 2', meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId' }],
  ['meeting id %2F', 'meeting-schedule', { meetingId: 'a%2Fb', meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId' }],
  ['meeting id of 65 characters', 'meeting-schedule', { meetingId: LONG_ID, meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId', says: /at most 64/ }],
  ['meeting id as markup', 'meeting-schedule', { meetingId: IMG, meetingType: 'icpc', scheduledFor: ukLocal(48) }, { field: 'meetingId' }],
  ['unknown meeting type', 'meeting-schedule', { meetingId: 'M-2', meetingType: 'party', scheduledFor: ukLocal(48) }, { field: 'meetingType', says: /must be one of/ }],
  ['meeting with no date', 'meeting-schedule', { meetingId: 'M-2', meetingType: 'icpc' }, { field: 'scheduledFor', says: /is required/ }],
  ['meeting on 30 February', 'meeting-schedule', { meetingId: 'M-2', meetingType: 'icpc', scheduledFor: '2027-02-30T10:00' }, { field: 'scheduledFor', says: /not a real date/ }],
  ['meeting in year 9999', 'meeting-schedule', { meetingId: 'M-2', meetingType: 'icpc', scheduledFor: '9999-12-31T10:00' }, { field: 'scheduledFor', says: /between 2000 and 2100/ }],
  ['the same meeting scheduled twice', 'meeting-schedule', { meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: ukLocal(48) }, { refusal: /meetingId: meeting ICPC-1 is already recorded/, field: 'meetingId' }],
  ['a meeting scheduled for before it was scheduled', 'meeting-schedule', { meetingId: 'M-3', meetingType: 'icpc', scheduledFor: ukLocal(-1) }, { refusal: /scheduledFor: must be after/, field: 'scheduledFor' }],
  ['postponing a meeting that does not exist', 'meeting-postpone', { meetingId: 'NOPE', newDate: ukLocal(48), reason: 'r' }, { refusal: /meetingId: no meeting NOPE/, field: 'meetingId' }],
  ['postponing to "soon"', 'meeting-postpone', { meetingId: 'ICPC-1', newDate: 'soon', reason: 'r' }, { field: 'newDate' }],
  ['postponing with no reason', 'meeting-postpone', { meetingId: 'ICPC-1', newDate: ukLocal(48) }, { field: 'reason', says: /is required/ }],
  ['postponing with a control character in the reason', 'meeting-postpone', { meetingId: 'ICPC-1', newDate: ukLocal(48), reason: 'chair\u0007unwell' }, { field: 'reason' }],
  ['cancelling with no reason', 'meeting-cancel', { meetingId: 'ICPC-1' }, { field: 'reason', says: /is required/ }],
  ['cancelling meeting ../ICPC-1', 'meeting-cancel', { meetingId: '../ICPC-1', reason: 'r' }, { field: 'meetingId' }],
  ['cancelling a meeting already held', 'meeting-cancel', { meetingId: 'CG-1', reason: 'r' }, { refusal: /meetingId: meeting CG-1 is already held/, field: 'meetingId' }],
  ['the same meeting held twice', 'meeting-held', { meetingId: 'CG-1', meetingType: 'core-group' }, { refusal: /meetingId: .*already held/, field: 'meetingId' }],
  ['a meeting held before it was scheduled', 'meeting-held', { meetingId: 'ICPC-1', meetingType: 'icpc', at: ukLocal(-1) }, { refusal: /at: is before meeting ICPC-1 was scheduled/, field: 'at' }],
  ['meeting held with no type', 'meeting-held', { meetingId: 'ICPC-1' }, { field: 'meetingType', says: /is required/ }],
  ['meeting held with an unknown outcome', 'meeting-held', { meetingType: 'icpc', outcome: 'maybe' }, { field: 'outcome', says: /must be one of/ }],
  ['child in care review number 0', 'meeting-held', { meetingType: 'cic-review', reviewNumber: '0' }, { field: 'reviewNumber', says: /must be a whole number from 1 to 200/ }],
  ['child in care review number "first"', 'meeting-held', { meetingType: 'cic-review', reviewNumber: 'first' }, { field: 'reviewNumber', says: /must be a whole number from 1 to 200/ }],
  ['a review number on a core group', 'meeting-held', { meetingType: 'core-group', reviewNumber: '2' }, { refusal: /reviewNumber: is for a child in care review only/, field: 'reviewNumber' }],
  ['pre-meeting with no meeting id', 'pre-meeting', {}, { field: 'meetingId', says: /is required/ }],
  ['report of an unknown type', 'report', { reportType: 'novel', meetingId: 'ICPC-1' }, { field: 'reportType', says: /must be one of/ }],
  ['report with no meeting', 'report', { reportType: 'conference-report' }, { field: 'meetingId', says: /is required/ }],
  // episodes
  ['missing episode of an unknown kind', 'missing', { what: 'teleport' }, { field: 'what', says: /must be one of/ }],
  ['missing episode with nothing chosen', 'missing', {}, { field: 'what', says: /is required/ }],
  ['a return interview with no return', 'missing', { what: 'return-interview-held' }, { refusal: /not been recorded as returned/, field: 'what' }],
  ['complaint at stage 4', 'complaint', { what: 'complaint-received', complaintId: 'C-1', stage: '4' }, { field: 'stage', says: /must be one of: 1, 2, 3/ }],
  ['complaint received with no stage', 'complaint', { what: 'complaint-received', complaintId: 'C-1' }, { field: 'stage', says: /is required/ }],
  ['complaint extended at stage 3', 'complaint', { what: 'complaint-extended', complaintId: 'C-1', stage: '3', reason: 'r' }, { field: 'stage', says: /must be 1 or 2/ }],
  ['a review panel on an unknown complaint', 'complaint', { what: 'complaint-panel-held', complaintId: 'C-9' }, { refusal: /complaintId: no stage 3 complaint C-9 on this case/, field: 'complaintId' }],
  ['complaint id a/b', 'complaint', { what: 'complaint-received', complaintId: 'a/b', stage: '1' }, { field: 'complaintId' }],
  ['a complaint extended before it was received', 'complaint', { what: 'complaint-extended', complaintId: 'C-9', stage: '1', reason: 'r' }, { refusal: /complaintId: /, field: 'complaintId' }],
  ['referral of an unknown kind', 'referral', { what: 'referral-lost' }, { field: 'what' }],
  ['assessment on 31 April', 'assessment', { at: '2026-04-31T10:00' }, { field: 'at', says: /not a real date/ }],
  ['strategy discussion in year 9999', 'strategy', { at: '9999-06-01T10:00' }, { field: 'at' }],
  ['strategy discussion, s47 started "maybe"', 'strategy', { s47Started: 'maybe' }, { field: 's47Started', says: /must be one of: yes, no/ }],
  ['looked after with nothing chosen', 'looked-after', {}, { field: 'what', says: /is required/ }],
  ['placement with no id', 'placement', {}, { field: 'placementId', says: /is required/ }],
  ['placement id as markup', 'placement', { placementId: '<b>x</b>' }, { field: 'placementId' }],
  ['placement of an unknown type', 'placement', { placementId: 'P-1', placementType: 'foster-ish' }, { field: 'placementType', says: /must be one of: general, until-18/ }],
  ['placement with an unknown legal status', 'placement', { placementId: 'P-1', legalStatus: 'section-21' }, { field: 'legalStatus', says: /must be one of: interim-care-order/ }],
  // clocks
  ['waiving an id full of markup and line breaks', 'waive', { obligationId: `x\n${SCRIPT}`, reason: 'r' }, { field: 'obligationId' }],
  ['waiving an obligation that is not open', 'waive', { obligationId: 'kit-call@2026-01-01T10:00:00.000Z', reason: 'r' }, { refusal: /obligationId: /, field: 'obligationId' }],
  ['waiving with no reason', 'waive', { obligationId: 'kit-call@2026-01-01T10:00:00.000Z' }, { field: 'reason', says: /is required/ }],
  ['hold with no id', 'hold', { reason: 'r' }, { field: 'holdId', says: /is required/ }],
  ['hold of an unknown clock', 'hold', { holdId: 'H9', kind: 'nap-time', reason: 'r' }, { field: 'kind', says: /must be one of/ }],
  ['hold with a right-to-left override in the reason', 'hold', { holdId: 'H9', reason: '\u202egnol' }, { field: 'reason', says: /control characters/ }],
  ['ending a hold that never existed', 'resume', { holdId: 'H404' }, { refusal: /holdId: no hold H404/, field: 'holdId' }],
  ['ending a hold twice', 'resume', { holdId: 'H1' }, { refusal: /holdId: .*already ended/, field: 'holdId' }],
  ['ending hold ..%2FH1', 'resume', { holdId: '..%2FH1' }, { field: 'holdId' }],
  // escalations (the hidden fields of the acknowledge button)
  ['acknowledging level "abc"', 'ack', { obligationId: 'initial-visit-high@x', level: 'abc' }, { field: 'level' }],
  ['acknowledging level 99', 'ack', { obligationId: 'initial-visit-high@x', level: '99' }, { field: 'level' }],
  ['acknowledging level 0', 'ack', { obligationId: 'initial-visit-high@x', level: '0' }, { field: 'level' }],
  ['acknowledging level 1.5', 'ack', { obligationId: 'initial-visit-high@x', level: '1.5' }, { field: 'level' }],
  ['acknowledging with no level', 'ack', { obligationId: 'initial-visit-high@x' }, { field: 'level', says: /is required/ }],
  ['acknowledging with no obligation', 'ack', { level: '1' }, { field: 'obligationId', says: /is required/ }],
  ['acknowledging an obligation that does not exist', 'ack', { obligationId: 'kit-call@nowhere', level: '1' }, { refusal: /obligationId: no open obligation/, field: 'obligationId' }],
  // reassignment, policy, closing
  ['reassigning an unknown role', 'reassign', { role: 'boss', name: 'Fictitious Person', email: 'a@council.test' }, { field: 'role', says: /must be one of/ }],
  ['reassigning to "nobody"', 'reassign', { role: 'iro', name: 'Fictitious Person', email: 'nobody' }, { field: 'email', says: /email/ }],
  ['reassigning to an email with a header break', 'reassign', { role: 'iro', name: 'Fictitious Person', email: 'a@council.test\r\nBcc: b@council.test' }, { field: 'email' }],
  ['reassigning to a name with a NUL', 'reassign', { role: 'iro', name: 'a\u0000b', email: 'a@council.test' }, { field: 'name', says: /control characters/ }],
  ['reassigning to a 300-character name', 'reassign', { role: 'iro', name: 'n'.repeat(300), email: 'a@council.test' }, { field: 'name', says: /at most 200/ }],
  ['reassigning with nothing', 'reassign', {}, { field: 'role', says: /is required/ }],
  ['new contacts: a worker with no email', 'details', { worker: 'Sam Worker' }, { field: 'worker', says: /Name (&lt;|<)email>/ }],
  ['new contacts: an IRO name with a NUL', 'details', { iro: 'Ira\u0000 <iro@council.test>' }, { field: 'iro', says: /control characters/ }],
  ['new contacts: a manager with a bad email', 'details', { manager: 'Tess Manager <nobody>' }, { field: 'manager', says: /email/ }],
  ['applying policy ../../etc/passwd', 'apply-policy', { policy: '../../etc/passwd', mode: 'forward' }, { field: 'policy', says: /must be one of/ }],
  ['applying a policy sideways', 'apply-policy', { policy: 'national', mode: 'sideways' }, { field: 'mode', says: /must be one of/ }],
  ['applying no policy', 'apply-policy', { mode: 'forward' }, { field: 'policy' }],
  ['closing with no reason', 'close', {}, { field: 'reason', says: /is required/ }],
  ['closing with a NUL in the reason', 'close', { reason: '\u0000' }, { field: 'reason' }],
];

/** The opening form with every field good, for a fresh case id. */
export const openingForm = (id: string): Record<string, string> => ({ caseId: id, reference: id, team: 'LOCALITY-NORTH', tier: 'PRIORITY', reason: 'rated by team manager', ...CONTACTS, policy: 'default' });
/** Openings refused: [name, form (given a fresh case id), field, what its note says]. */
export const openCaseRows: Array<[string, (id: string) => Record<string, string>, string, RegExp?]> = [
  ['no case id', (id) => ({ ...openingForm(id), caseId: '' }), 'caseId', /is required/],
  ['case id ../x', (id) => ({ ...openingForm(id), caseId: `../${id}` }), 'caseId', /letters, digits/],
  ['case id with a query', (id) => ({ ...openingForm(id), caseId: `${id}?x=1` }), 'caseId'],
  ['case id with a fragment', (id) => ({ ...openingForm(id), caseId: `${id}#x` }), 'caseId'],
  ['case id with a space', (id) => ({ ...openingForm(id), caseId: `${id} 2` }), 'caseId'],
  ['case id with %2F', (id) => ({ ...openingForm(id), caseId: `${id}%2Fx` }), 'caseId'],
  ['case id of 65 characters', (id) => ({ ...openingForm(id), caseId: LONG_ID }), 'caseId', /at most 64/],
  ['case id with a right-to-left override', (id) => ({ ...openingForm(id), caseId: `\u202e${id}` }), 'caseId'],
  ['case id as markup', (id) => ({ ...openingForm(id), caseId: SCRIPT }), 'caseId'],
  ['no reference', (id) => ({ ...openingForm(id), reference: '' }), 'reference', /is required/],
  ['reference as markup', (id) => ({ ...openingForm(id), reference: '<b>x</b>' }), 'reference'],
  ['no team', (id) => ({ ...openingForm(id), team: '' }), 'team', /is required/],
  ['team a/b', (id) => ({ ...openingForm(id), team: 'a/b' }), 'team'],
  ['team with a NUL', (id) => ({ ...openingForm(id), team: 'NORTH\u0000' }), 'team'],
  ['an unknown tier', (id) => ({ ...openingForm(id), tier: 'SUPER' }), 'tier', /must be one of/],
  ['a tier with no reason', (id) => ({ ...openingForm(id), reason: '' }), 'reason', /is required with a tier/],
  ['a reason with no tier', (id) => ({ ...openingForm(id), tier: '' }), 'tier', /is required when a reason is given/],
  ['a reason with an escape sequence', (id) => ({ ...openingForm(id), reason: '\u001b]0;owned\u0007' }), 'reason', /control characters/],
  ['a reason of 60,000 characters', (id) => ({ ...openingForm(id), reason: K60 }), 'reason', /at most 2000/],
  ['rated on 30 February', (id) => ({ ...openingForm(id), ratedAt: '2027-02-30T10:00' }), 'ratedAt', /not a real date/],
  ['rated in year 9999', (id) => ({ ...openingForm(id), ratedAt: '9999-01-01T10:00' }), 'ratedAt', /between 2000 and 2100/],
  ['rated "last week"', (id) => ({ ...openingForm(id), ratedAt: 'last week' }), 'ratedAt'],
  ['rated next year', (id) => ({ ...openingForm(id), ratedAt: ukLocal(24 * 365) }), 'ratedAt', /in the future/],
  ['a worker with no email', (id) => ({ ...openingForm(id), worker: 'Sam Worker' }), 'worker', /Name (&lt;|<)email>/],
  ['a worker with a bad email', (id) => ({ ...openingForm(id), worker: 'Sam Worker <nobody>' }), 'worker', /email/],
  ['a manager name with a NUL', (id) => ({ ...openingForm(id), manager: 'Tess\u0000 <manager@council.test>' }), 'manager', /control characters/],
  ['an IRO name of 300 characters', (id) => ({ ...openingForm(id), iro: `${'n'.repeat(300)} <iro@council.test>` }), 'iro', /at most 200/],
  ['an unknown policy', (id) => ({ ...openingForm(id), policy: 'lenient' }), 'policy', /must be one of: default/],
  ['policy ../../package', (id) => ({ ...openingForm(id), policy: '../../package' }), 'policy', /must be one of/],
];
