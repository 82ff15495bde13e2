/**
 * The import file's history columns, read in-process (no Temporal): `reviews_held`, `first_review`,
 * `last_review_conference`, `placement_type` and `legal_status`, each good and bad; the warnings for
 * rows whose dates imply a history the file does not give; and a file without these columns, read
 * exactly as before them. The deadline engine says what each imported case owes at the import.
 */
import { describe, expect, it } from 'vitest';
import { readImportBytes, readImportFile, withKnownTeams, type CellProblem, type ImportFile, type ImportRow } from '../../client/import/rows';
import { DATE_FORMS, quoted } from '../../domain/as-typed';
import { evaluateCase, type Obligation } from '../../domain/engine';
import type { CaseEvent } from '../../domain/facts';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { openingOf } from '../../workflows/inputs';

const NOW = new Date('2026-12-07T09:00:00Z');
const POLICY = loadDefaultSnapshot();

const STAFF = {
  caseId: 'IMP-1',
  reference: 'IMP-1',
  team: 'LOCALITY-SOUTH',
  worker: 'Ola Worker <ola.worker@council.example>',
  manager: 'Mo Manager <mo.manager@council.example>',
  head: 'Hal Head <hal.head@council.example>',
};

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A file of one row: the staff columns and `cells`, in that order. */
function read(cells: Record<string, string>, now = NOW): ImportFile {
  const row: Record<string, string> = { ...STAFF, ...cells };
  const columns = Object.keys(row);
  return readImportFile(`${columns.join(',')}\n${columns.map((c) => quote(row[c] ?? '')).join(',')}\n`, 'admin', now);
}

/** The one row of a good file. */
function good(cells: Record<string, string>, now = NOW): ImportRow {
  const file = read(cells, now);
  expect(file.problems).toEqual([]);
  const [row] = file.rows;
  if (!row) throw new Error('no row');
  return row;
}

/**
 * A problem's message after the cell as typed, which leads it (quoted) whenever the cell held
 * something: checked here for every problem, so each test names only what is wrong.
 */
function afterValue(p: CellProblem): string {
  if (p.value === undefined) return p.message;
  expect(p.message.startsWith(`${quoted(p.value)} `), p.message).toBe(true);
  return p.message.slice(quoted(p.value).length + 1);
}

/** What the file says is wrong with its one row. */
function bad(cells: Record<string, string>): Array<[string, string]> {
  const file = read(cells);
  expect(file.rows).toEqual([]);
  return file.problems.map((p) => [p.column, afterValue(p)]);
}

function warningsOf(cells: Record<string, string>, now = NOW): Array<[string, string]> {
  return read(cells, now).warnings.map((w) => [w.column, w.message]);
}

const recordedOf = (row: ImportRow, type: CaseEvent['type']): CaseEvent[] => (row.input.recorded ?? []).filter((e) => e.type === type);

/** What the case owes once opened with the row's input, at `now`: the open obligations, by kind. */
function openAt(row: ImportRow, now = NOW): Obligation[] {
  const opening = openingOf(row.input, now);
  expect(opening.problems).toEqual([]);
  return evaluateCase({ facts: { caseId: row.caseId, openedAt: opening.openedAt, events: opening.events, sent: [] }, policies: [POLICY], now: now.toISOString() }).open;
}
const openKind = (row: ImportRow, kind: string) => openAt(row).find((o) => o.kind === kind);

const LOOKED_AFTER = { looked_after_since: '05/01/2026', placement_start: '12/01/2026', placement_type: 'general' };
const WHOLE_NUMBER = 'must be a whole number from 1 to 200 (the child in care reviews held in this looked-after episode)';

describe('reviews_held', () => {
  it('numbers the last review, so a child with two reviews behind it is owed the six-monthly one', () => {
    const row = good({ ...LOOKED_AFTER, last_review: '01/07/2026', reviews_held: '2' });
    expect(recordedOf(row, 'meeting-held')).toEqual([{ type: 'meeting-held', at: '2026-06-30T23:00:00.000Z', by: 'admin', meetingType: 'cic-review', reviewNumber: 2 }]);
    // Six months after 01/07/2026 (BST) is 01/01/2027 (GMT).
    expect(openKind(row, 'cic-review')?.dueAt).toBe('2027-01-01T00:00:00.000Z');
    expect(openKind(row, 'cic-review-second')).toBeUndefined();
  });

  it('one review held: the second is owed within three months of it', () => {
    const row = good({ ...LOOKED_AFTER, last_review: '01/10/2026', reviews_held: '1' });
    expect(recordedOf(row, 'meeting-held')).toMatchObject([{ meetingType: 'cic-review', reviewNumber: 1 }]);
    expect(openKind(row, 'cic-review-second')?.dueAt).toBe('2027-01-01T00:00:00.000Z');
  });

  it.each(['0', '201', '2.5', 'two', '-1', '1e1'])('refuses %j', (value) => {
    expect(bad({ ...LOOKED_AFTER, last_review: '01/07/2026', reviews_held: value })).toEqual([['reviews_held', WHOLE_NUMBER]]);
  });

  it('needs last_review, and the child to be looked after', () => {
    expect(bad({ ...LOOKED_AFTER, reviews_held: '3' })).toEqual([['reviews_held', 'needs last_review (the date of the last of them)']]);
    expect(bad({ last_review: '01/07/2026', reviews_held: '3' })).toEqual([
      ['last_review', 'needs looked_after_since (a child in care review)'],
      ['reviews_held', 'needs looked_after_since (child in care reviews)'],
    ]);
  });

  it('counts the reviews of this episode: a last review before it is refused', () => {
    expect(bad({ ...LOOKED_AFTER, last_review: '01/12/2025', reviews_held: '3' })).toEqual([['reviews_held', 'counts the reviews of this looked-after episode, but last_review is before looked_after_since']]);
  });
});

describe('first_review', () => {
  it('given apart from the last: the first is review 1 and the last review 2, so the next is six-monthly', () => {
    const row = good({ ...LOOKED_AFTER, first_review: '30/01/2026', last_review: '01/07/2026' });
    expect(recordedOf(row, 'meeting-held')).toEqual([
      { type: 'meeting-held', at: '2026-01-30T00:00:00.000Z', by: 'admin', meetingType: 'cic-review', reviewNumber: 1 },
      { type: 'meeting-held', at: '2026-06-30T23:00:00.000Z', by: 'admin', meetingType: 'cic-review', reviewNumber: 2 },
    ]);
    expect(openKind(row, 'cic-review')?.dueAt).toBe('2027-01-01T00:00:00.000Z');
    expect(openAt(row).filter((o) => o.kind.startsWith('cic-review'))).toHaveLength(1);
  });

  it('with reviews_held: the last review has that number', () => {
    const row = good({ ...LOOKED_AFTER, first_review: '30/01/2026', last_review: '01/07/2026', reviews_held: '3' });
    expect(recordedOf(row, 'meeting-held')).toMatchObject([{ reviewNumber: 1 }, { reviewNumber: 3 }]);
  });

  it('the same date as the last review: one review held, the second owed within three months', () => {
    const row = good({ ...LOOKED_AFTER, first_review: '01/10/2026', last_review: '01/10/2026' });
    expect(recordedOf(row, 'meeting-held')).toEqual([{ type: 'meeting-held', at: '2026-09-30T23:00:00.000Z', by: 'admin', meetingType: 'cic-review', reviewNumber: 1 }]);
    expect(openKind(row, 'cic-review-second')?.dueAt).toBe('2027-01-01T00:00:00.000Z');
  });

  it('refuses a first review after the last, before the child was looked after, or alone', () => {
    expect(bad({ ...LOOKED_AFTER, first_review: '02/07/2026', last_review: '01/07/2026' })).toEqual([['first_review', 'must not be after last_review']]);
    expect(bad({ ...LOOKED_AFTER, first_review: '04/01/2026', last_review: '01/07/2026' })).toEqual([['first_review', 'must not be before looked_after_since (the reviews of this looked-after episode)']]);
    expect(bad({ ...LOOKED_AFTER, first_review: '30/01/2026' })).toEqual([['first_review', 'needs last_review (the same date when only one review has been held)']]);
    expect(bad({ first_review: '30/01/2026', last_review: '01/07/2026' })).toEqual([
      ['first_review', 'needs looked_after_since (a child in care review)'],
      ['last_review', 'needs looked_after_since (a child in care review)'],
    ]);
    expect(bad({ ...LOOKED_AFTER, first_review: '31/02/2026', last_review: '01/07/2026' })).toEqual([['first_review', `is not a real date: ${DATE_FORMS}`]]);
    expect(bad({ ...LOOKED_AFTER, first_review: '30/01/2027', last_review: '01/07/2026' })).toEqual([['first_review', 'is in the future']]);
  });

  it('refuses a reviews_held the dates contradict', () => {
    expect(bad({ ...LOOKED_AFTER, first_review: '30/01/2026', last_review: '01/07/2026', reviews_held: '1' })).toEqual([
      ['reviews_held', 'does not fit first_review and last_review: first_review is before last_review (two reviews at least)'],
    ]);
    expect(bad({ ...LOOKED_AFTER, first_review: '01/07/2026', last_review: '01/07/2026', reviews_held: '3' })).toEqual([
      ['reviews_held', 'does not fit first_review and last_review: they are the same date (one review)'],
    ]);
  });
});

describe('last_review_conference', () => {
  it('meets the first review conference; the next is due six months after it', () => {
    const row = good({
      tier: 'HIGH_IMMEDIATE',
      tier_reason: 'on a plan',
      tier_rated_at: '01/06/2026',
      last_visit: '01/12/2026',
      last_kit_call: '01/12/2026',
      cp_plan_start: '01/06/2026',
      last_core_group: '20/11/2026',
      last_review_conference: '01/09/2026',
    });
    expect(recordedOf(row, 'meeting-held')).toContainEqual({ type: 'meeting-held', at: '2026-08-31T23:00:00.000Z', by: 'admin', meetingType: 'review-conference' });
    const open = openAt(row);
    expect(open.find((o) => o.kind === 'first-review-conference')).toBeUndefined();
    expect(open.find((o) => o.kind === 'review-conference')?.dueAt).toBe('2027-03-01T00:00:00.000Z');
    expect(open.filter((o) => o.dueAt < NOW.toISOString())).toEqual([]);
  });

  it('without it, a plan six months old arrives with its first review conference overdue', () => {
    const row = good({ cp_plan_start: '01/06/2026', last_core_group: '20/11/2026' });
    expect(openKind(row, 'first-review-conference')?.dueAt).toBe('2026-08-31T23:00:00.000Z');
  });

  it('needs a plan, and is not before it or in the future', () => {
    expect(bad({ last_review_conference: '01/09/2026' })).toEqual([['last_review_conference', 'needs cp_plan_start (review conferences follow a child protection plan)']]);
    expect(bad({ cp_plan_start: '01/06/2026', last_review_conference: '31/05/2026' })).toEqual([['last_review_conference', 'must not be before cp_plan_start']]);
    expect(bad({ cp_plan_start: '01/06/2026', last_review_conference: '01/01/2027' })).toEqual([['last_review_conference', 'is in the future']]);
    expect(bad({ cp_plan_start: '01/06/2026', last_review_conference: 'last week' })).toEqual([['last_review_conference', `is not a date: ${DATE_FORMS}`]]);
  });
});

describe('placement_type and legal_status', () => {
  it('go on the placement, and set its visits', () => {
    const row = good({ looked_after_since: '01/11/2026', placement_start: '01/11/2026', placement_type: 'with-parent', legal_status: 'interim-care-order' });
    expect(recordedOf(row, 'placement-started')).toEqual([
      { type: 'placement-started', at: '2026-11-01T00:00:00.000Z', by: 'admin', placementId: 'IMPORTED', placementType: 'with-parent', legalStatus: 'interim-care-order' },
    ]);
    // Living with a parent under an interim care order, before the first review: weekly (regulation 28(4)).
    expect(openKind(row, 'cic-visit-weekly')?.dueAt).toBe('2026-11-08T00:00:00.000Z');
  });

  it('a placement intended to last until 18, over a year old: three-monthly visits', () => {
    const cells = { looked_after_since: '01/06/2025', first_review: '20/06/2025', last_review: '01/10/2026', reviews_held: '4', placement_start: '01/06/2025', last_visit: '01/12/2026' };
    expect(openKind(good({ ...cells, placement_type: 'until-18' }), 'cic-visit')?.dueAt).toBe('2027-03-01T00:00:00.000Z');
    expect(openKind(good({ ...cells, placement_type: 'general' }), 'cic-visit')?.dueAt).toBe('2027-01-12T00:00:00.000Z');
  });

  it('only the codes, named when one is wrong', () => {
    expect(bad({ looked_after_since: '01/11/2026', placement_start: '01/11/2026', placement_type: 'foster care' })).toEqual([
      ['placement_type', 'must be one of: general, until-18, with-parent-before-assessment, connected-person-temporary, with-parent'],
    ]);
    expect(bad({ looked_after_since: '01/11/2026', placement_start: '01/11/2026', placement_type: 'General' })).toEqual([
      ['placement_type', 'must be one of: general, until-18, with-parent-before-assessment, connected-person-temporary, with-parent'],
    ]);
    expect(bad({ looked_after_since: '01/11/2026', placement_start: '01/11/2026', legal_status: 'ICO' })).toEqual([
      ['legal_status', 'must be one of: interim-care-order, care-order, placement-order, accommodated, other'],
    ]);
  });

  it('need a placement', () => {
    expect(bad({ looked_after_since: '01/11/2026', placement_type: 'general', legal_status: 'care-order' })).toEqual([
      ['placement_type', 'needs placement_start (the placement it describes)'],
      ['legal_status', 'needs placement_start (the placement it describes)'],
    ]);
  });
});

describe('warnings: dates that imply a history the file does not give', () => {
  it('a last review long after the child became looked after, with no reviews_held or first_review', () => {
    const file = read({ ...LOOKED_AFTER, last_review: '01/07/2026' });
    expect(file.problems).toEqual([]);
    expect(file.rows).toHaveLength(1);
    expect(file.warnings).toEqual([
      {
        line: 2,
        column: 'last_review',
        message:
          'is more than 20 working days and 3 months after looked_after_since, so more than one review has been held, but without reviews_held or first_review it counts as the first (the next then due within 3 months of it): give reviews_held or first_review',
      },
    ]);
    expect(warningsOf({ ...LOOKED_AFTER, last_review: '01/07/2026', reviews_held: '2' })).toEqual([]);
    expect(warningsOf({ ...LOOKED_AFTER, first_review: '30/01/2026', last_review: '01/07/2026' })).toEqual([]);
    // Within 20 working days and 3 months (the second review's latest date, 02/05/2026): it may be the first.
    expect(warningsOf({ ...LOOKED_AFTER, last_review: '01/05/2026' }, new Date('2026-06-01T09:00:00Z'))).toEqual([]);
  });

  it('a last review before the child became looked after does not count', () => {
    expect(warningsOf({ ...LOOKED_AFTER, last_review: '01/12/2025' })).toEqual([
      ['last_review', 'is before looked_after_since: it is not a review of this looked-after episode, and the child arrives owing its first review'],
    ]);
  });

  it('a plan over three months old with no review conference, and over 10 working days with no core group', () => {
    expect(warningsOf({ cp_plan_start: '01/06/2026' })).toEqual([
      ['cp_plan_start', 'is more than 10 working days ago but no last_core_group is given: the case arrives owing its first core group, due by 15/06/2026; give last_core_group if one was held'],
      [
        'cp_plan_start',
        "is more than 3 months ago but no last_review_conference is given: the first review conference is counted from the plan's start, due by 01/09/2026, so the case arrives with it overdue; give last_review_conference if one was held",
      ],
    ]);
    expect(warningsOf({ cp_plan_start: '01/06/2026', last_core_group: '20/11/2026', last_review_conference: '01/09/2026' })).toEqual([]);
    // Not three months yet: nothing implied.
    expect(warningsOf({ cp_plan_start: '14/09/2026', last_core_group: '02/11/2026' })).toEqual([]);
  });

  it('looked after with no review or no placement', () => {
    expect(warningsOf({ looked_after_since: '01/10/2026' })).toEqual([
      ['looked_after_since', 'is more than 20 working days ago but no last_review is given: the child arrives owing its first review, due by 29/10/2026; give last_review (and reviews_held) if reviews were held'],
      ['looked_after_since', 'has no placement_start: no statutory visits are counted until a placement is recorded'],
    ]);
    expect(warningsOf({ looked_after_since: '01/12/2026', placement_start: '01/12/2026' })).toEqual([]);
  });

  it('a placement over a year old with no type, and with-parent without an order', () => {
    const reviewed = { looked_after_since: '01/06/2025', last_review: '01/10/2026', reviews_held: '4' };
    expect(warningsOf({ ...reviewed, placement_start: '01/06/2025' })).toEqual([
      [
        'placement_start',
        'is more than a year ago and no placement_type is given: the placement counts as general and its visits stay six-weekly (three-monthly only for a placement intended to last until 18: placement_type until-18)',
      ],
    ]);
    expect(warningsOf({ ...reviewed, placement_start: '01/06/2025', placement_type: 'until-18' })).toEqual([]);
    const withParent = [
      'placement_type',
      'with-parent: visits follow the order (legal_status interim-care-order: weekly until the first review, then four-weekly; care-order: six-weekly); without either they are six-weekly, as for a general placement',
    ];
    expect(warningsOf({ ...reviewed, placement_start: '01/06/2025', placement_type: 'with-parent' })).toEqual([withParent]);
    expect(warningsOf({ ...reviewed, placement_start: '01/06/2025', placement_type: 'with-parent', legal_status: 'accommodated' })).toEqual([withParent]);
    expect(warningsOf({ ...reviewed, placement_start: '01/06/2025', placement_type: 'with-parent', legal_status: 'care-order' })).toEqual([]);
  });

  it('in file order, and never stop a row', () => {
    const header = ['caseId', 'reference', 'team', 'worker', 'manager', 'head', 'cp_plan_start', 'last_core_group', 'looked_after_since', 'last_review', 'placement_start'];
    const staff = [STAFF.worker, STAFF.manager, STAFF.head].map(quote).join(',');
    const text = [header.join(','), `A-1,A-1,T,${staff},01/06/2026,20/11/2026,,,`, `A-2,A-2,T,${staff},,,05/01/2026,01/07/2026,12/01/2026`, `A-3,A-3,T,${staff},,,,01/07/2026,`].join('\n');
    const file = readImportFile(text, 'admin', NOW);
    expect(file.rows.map((r) => r.caseId)).toEqual(['A-1', 'A-2']);
    expect(file.problems).toEqual([{ line: 4, column: 'last_review', value: '01/07/2026', message: '"01/07/2026" needs looked_after_since (a child in care review)' }]);
    expect(file.warnings.map((w) => [w.line, w.column])).toEqual([
      [2, 'cp_plan_start'],
      [3, 'last_review'],
    ]);
  });
});

/** The example file as it was before the history columns (its header and rows unchanged). */
const EXAMPLE_BEFORE = `caseId,reference,team,worker,manager,head,iro,tier,tier_reason,tier_rated_at,tier_rated_by,last_visit,last_kit_call,cp_plan_start,last_core_group,next_conference,looked_after_since,last_review,placement_start,complaint_received
WCF-10001,WCF-10001,LOCALITY-NORTH,Sam Worker <sam.worker@council.example>,Tess Manager <tess.manager@council.example>,Hal Head <hal.head@council.example>,,PRIORITY,rated at the March review,02/03/2026,tm-tess,16/11/2026 10:30,20/11/2026,,,,,,,
WCF-10002,WCF-10002,LOCALITY-NORTH,Sam Worker <sam.worker@council.example>,Tess Manager <tess.manager@council.example>,Hal Head <hal.head@council.example>,,HIGH_IMMEDIATE,police referral,2026-09-14T16:00,tm-tess,2026-11-20T11:00,2026-11-25,14/09/2026,02/11/2026,15/03/2027 10:00,,,,
WCF-10003,WCF-10003,LOCALITY-SOUTH,Ola Worker <ola.worker@council.example>,Mo Manager <mo.manager@council.example>,Hal Head <hal.head@council.example>,Ida Chair <ida.chair@council.example>,VULNERABLE,stable placement,05/01/2026,,10/11/2026,,,,,05/01/2026,01/07/2026,12/01/2026,
WCF-10004,WCF-10004,LOCALITY-SOUTH,Ola Worker <ola.worker@council.example>,Mo Manager <mo.manager@council.example>,Hal Head <hal.head@council.example>,,,,,,,,,,,,,,24/11/2026
`;

describe('a file without the new columns', () => {
  it('reads exactly as before: the same events, the last review unnumbered, the placement untyped', () => {
    const file = readImportFile(EXAMPLE_BEFORE, 'admin', NOW);
    expect(file.problems).toEqual([]);
    expect(file.unreadable).toBe(false);
    expect(file.rows.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    const looked = file.rows.find((r) => r.caseId === 'WCF-10003');
    expect(looked?.input).toEqual({
      caseId: 'WCF-10003',
      details: {
        reference: 'WCF-10003',
        team: 'LOCALITY-SOUTH',
        contacts: {
          'allocated-worker': { name: 'Ola Worker', email: 'ola.worker@council.example' },
          'team-manager': { name: 'Mo Manager', email: 'mo.manager@council.example' },
          'head-of-service': { name: 'Hal Head', email: 'hal.head@council.example' },
          iro: { name: 'Ida Chair', email: 'ida.chair@council.example' },
        },
      },
      openedBy: 'admin',
      recorded: [
        { type: 'tier-set', at: '2026-01-05T00:00:00.000Z', by: 'admin', tier: 'VULNERABLE', reason: 'stable placement' },
        { type: 'contact', at: '2026-11-10T00:00:00.000Z', by: 'admin', contactType: 'visit' },
        { type: 'looked-after-started', at: '2026-01-05T00:00:00.000Z', by: 'admin' },
        { type: 'meeting-held', at: '2026-06-30T23:00:00.000Z', by: 'admin', meetingType: 'cic-review' },
        { type: 'placement-started', at: '2026-01-12T00:00:00.000Z', by: 'admin', placementId: 'IMPORTED' },
      ],
    });
  });

  it('reads as the same file with the new columns present and empty', () => {
    const [header, ...lines] = EXAMPLE_BEFORE.trimEnd().split('\n');
    const extra = ['last_review_conference', 'first_review', 'reviews_held', 'placement_type', 'legal_status'];
    const widened = [`${header},${extra.join(',')}`, ...lines.map((l) => `${l},${extra.map(() => '').join(',')}`)].join('\n');
    const before = readImportFile(EXAMPLE_BEFORE, 'admin', NOW);
    const after = readImportFile(widened, 'admin', NOW);
    expect(after.problems).toEqual([]);
    expect(after.rows).toEqual(before.rows);
    expect(after.warnings).toEqual(before.warnings);
  });

  it('warns where the old example left the history out: its looked-after child would arrive owing a second review', () => {
    const file = readImportFile(EXAMPLE_BEFORE, 'admin', NOW);
    expect(file.warnings.map((w) => [w.line, w.column])).toEqual([[4, 'last_review']]);
    const looked = file.rows.find((r) => r.caseId === 'WCF-10003');
    if (!looked) throw new Error('no WCF-10003');
    // Its one review counted as the first: the second was due three months after 01/07/2026.
    expect(openKind(looked, 'cic-review-second')?.dueAt).toBe('2026-09-30T23:00:00.000Z');
  });

  it('names the new columns among the columns of an import file', () => {
    const file = readImportFile('caseId,reference,team,worker,manager,head,child_name\n', 'admin', NOW);
    expect(file.problems[0]?.message).toContain('last_review_conference, next_conference, looked_after_since, first_review, last_review, reviews_held, placement_start, placement_type, legal_status');
  });
});

describe("errors in the administrator's words", () => {
  const COLUMNS = [...Object.keys(STAFF), 'last_visit', 'last_kit_call'];
  const line = (caseId: string, lastVisit: string, lastKitCall: string) => [caseId, caseId, STAFF.team, STAFF.worker, STAFF.manager, STAFF.head, lastVisit, lastKitCall].map(quote).join(',');
  const file = (...rows: string[]) => [COLUMNS.join(','), ...rows].join('\n');

  it.each([
    ['semicolons', file(line('A-1', '16/11/2026', '')).replace(/,/g, ';'), 'the columns are separated by semicolons, not commas'],
    ['tabs', file(line('A-1', '16/11/2026', '')).replace(/,/g, '\t'), 'the columns are separated by tabs, not commas'],
    [
      'UTF-16 read as UTF-8',
      file(line('A-1', '16/11/2026', ''))
        .split('')
        .join('\u0000'),
      'the file is saved as UTF-16 ("Unicode Text"), not as CSV',
    ],
  ])('a file whose columns are separated by %s is one problem, with the fix, not a cell per column', (_, text, says) => {
    const read = readImportFile(text, 'admin', NOW);
    expect(read.unreadable).toBe(true);
    expect(read.problems).toEqual([{ line: 1, column: '', message: `${says}: save it from the spreadsheet as "CSV UTF-8 (Comma delimited)" and try again` }]);
  });

  it.each([
    ['UTF-16 with its byte-order mark (Excel\'s "Unicode Text")', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file(line('A-1', '16/11/2026', '')), 'utf16le')]), /^the file is saved as UTF-16/],
    ['UTF-16 big-endian', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(file(line('A-1', '16/11/2026', '')), 'utf16le').swap16()]), /^the file is saved as UTF-16/],
    ['UTF-16 without a byte-order mark', Buffer.from(file(line('A-1', '16/11/2026', '')), 'utf16le'), /^the file is saved as UTF-16/],
    ['Windows-1252 (a £ in it)', Buffer.from(file(line('A-1', '16/11/2026', '')).replace('A-1,A-1', 'A-1,A\u00a31'), 'latin1'), /^the file is not UTF-8 text .*"CSV UTF-8 \(Comma delimited\)"/],
  ])('bytes saved as %s: named, with the fix', (_, bytes, says) => {
    const read = readImportBytes(bytes, 'admin', NOW);
    expect(read.unreadable).toBe(true);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]?.message).toMatch(says);
  });

  it('CSV UTF-8, with or without the byte-order mark Excel writes, is read', () => {
    for (const bom of ['', '\ufeff']) {
      const read = readImportBytes(Buffer.from(`${bom}${file(line('A-1', '16/11/2026 10:30', ''))}`, 'utf8'), 'admin', NOW);
      expect(read.problems).toEqual([]);
      expect(read.rows.map((r) => r.caseId)).toEqual(['A-1']);
    }
  });

  it('a US date is refused as typed, called month/day, with the day/month date to write; a date that reads both ways in the same file is not guessed', () => {
    const read = readImportFile(file(line('A-1', '11/30/2026 10:30', '11/02/2026'), line('A-2', '16/11/2026', '05/11/2026'), line('A-3', '05/05/2026', '')), 'admin', NOW);
    expect(read.rows.map((r) => r.caseId)).toEqual(['A-3']);
    const monthDay = '(line 2, last_visit "11/30/2026 10:30")';
    expect(read.problems).toEqual([
      { line: 2, column: 'last_visit', value: '11/30/2026 10:30', message: '"11/30/2026 10:30" is month/day/year (30 cannot be a month): dates are day/month/year, so write it 30/11/2026 10:30' },
      {
        line: 2,
        column: 'last_kit_call',
        value: '11/02/2026',
        message: `"11/02/2026" could be 11 February 2026 (day/month) or 2 November 2026 (month/day), and this file writes month/day dates ${monthDay}: save it with dates as day/month/year, e.g. 30/11/2026, or write this one as ISO (2026-02-11 for 11 February 2026, 2026-11-02 for 2 November 2026)`,
      },
      // Another row and another column: the file is one spreadsheet's export.
      {
        line: 3,
        column: 'last_kit_call',
        value: '05/11/2026',
        message: expect.stringContaining(`"05/11/2026" could be 5 November 2026 (day/month) or 11 May 2026 (month/day), and this file writes month/day dates ${monthDay}`) as string,
      },
    ]);
  });

  it('without a month/day date in the file, a date that reads both ways is day/month, as documented', () => {
    const read = readImportFile(file(line('A-1', '11/02/2026', '')), 'admin', NOW);
    expect(read.problems).toEqual([]);
    expect(recordedOf(read.rows[0]!, 'contact')).toMatchObject([{ at: '2026-02-11T00:00:00.000Z' }]);
  });

  it('a team the directory does not list is quoted, with the nearest known team when it is a slip', () => {
    const read = readImportFile(file(line('A-1', '16/11/2026', '')).replace(`,${STAFF.team},`, ',LOCALITY-NROTH,'), 'admin', NOW);
    const checked = withKnownTeams(read, { listed: true, codes: ['LOCALITY-NORTH', 'LOCALITY-SOUTH'] });
    expect(checked.rows).toEqual([]);
    expect(checked.problems).toEqual([
      {
        line: 2,
        column: 'team',
        value: 'LOCALITY-NROTH',
        message:
          '"LOCALITY-NROTH" is not a team in the team directory: did you mean LOCALITY-NORTH? (known teams: LOCALITY-NORTH, LOCALITY-SOUTH); an administrator adds a team at /admin/teams or with caseclock teams set',
      },
    ]);
  });
});
