/**
 * A council's open cases as a CSV file, one case a row, checked cell by cell before anything is
 * started: each row becomes the input that opens its case (OpenCaseInput, with the date the case
 * counts as opened and what had already happened, each at its recorded date), or the list of its
 * bad cells (line, column, what is wrong), with warnings for rows whose dates imply a history the
 * file does not give (never stopping a row). No Temporal here: `--dry-run` and the tests use it alone.
 */
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { WorkingDayCalendar } from '../../domain/calendar';
import { addIsoDuration, localDateOf } from '../../domain/durations';
import { FreeText, MeetingHeld, SafeId, UserId, type CaseEvent } from '../../domain/facts';
import { LegalStatus, PlacementType, RiskTier, type StaffRole } from '../../domain/kinds';
import { futureProblems, openingOf, OpenCaseInput, StaffContact } from '../../workflows/inputs';
import { CONTACT_FORMAT, parseContact } from '../actions/fields';
import { type KnownTeams, unknownTeam } from '../../common/teams';
import { quoted, readsBothWays, readUkDateTime, writtenMonthDay } from '../../domain/as-typed';

/** The columns of an import file, in the order of the example (docs/examples/import-example.csv). */
export const IMPORT_COLUMNS = [
  'caseId',
  'reference',
  'team',
  'worker',
  'manager',
  'head',
  'iro',
  'tier',
  'tier_reason',
  'tier_rated_at',
  'tier_rated_by',
  'last_visit',
  'last_kit_call',
  'cp_plan_start',
  'last_core_group',
  'last_review_conference',
  'next_conference',
  'looked_after_since',
  'first_review',
  'last_review',
  'reviews_held',
  'placement_start',
  'placement_type',
  'legal_status',
  'complaint_received',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Columns that hold a date (docs/import.md: dates as UK staff type them). */
const DATE_COLUMNS: readonly ImportColumn[] = [
  'tier_rated_at',
  'last_visit',
  'last_kit_call',
  'cp_plan_start',
  'last_core_group',
  'last_review_conference',
  'next_conference',
  'looked_after_since',
  'first_review',
  'last_review',
  'placement_start',
  'complaint_received',
];

/** Columns every row must fill. */
const REQUIRED: readonly ImportColumn[] = ['caseId', 'reference', 'team', 'worker', 'manager', 'head'];

const CONTACT_COLUMNS: ReadonlyArray<{ column: ImportColumn; role: StaffRole }> = [
  { column: 'worker', role: 'allocated-worker' },
  { column: 'manager', role: 'team-manager' },
  { column: 'head', role: 'head-of-service' },
  { column: 'iro', role: 'iro' },
];

/**
 * One bad cell: the file's line, the column, what is wrong (column `''`: the row or the file as a
 * whole). A cell that held something is quoted as typed at the start of the message, and kept as `value`.
 */
export interface CellProblem {
  line: number;
  column: string;
  message: string;
  value?: string;
}

export interface ImportRow {
  line: number;
  caseId: string;
  input: OpenCaseInput;
}

export interface ImportFile {
  rows: ImportRow[];
  /** Every bad cell of the file, in file order. */
  problems: CellProblem[];
  /**
   * Cells that are good but whose dates imply a history the file does not give (e.g. a child looked
   * after for years whose last review would count as the first), in file order. They never stop a row.
   */
  warnings: CellProblem[];
  /** Lines of rows with at least one bad cell (nothing of them is started), with the case id as typed. */
  badLines: Map<number, string>;
  /** The file as a whole cannot be imported (not CSV, or its columns are wrong). */
  unreadable: boolean;
  /** Rows in the file (good and bad). */
  total: number;
}

/**
 * A cell of a date column that can only be month/day (11/30/2026): where the file shows it writes
 * dates the US way, so a date that reads both ways in it (11/02/2026) is not taken as day/month.
 */
interface MonthDayDate {
  line: number;
  column: ImportColumn;
  value: string;
}

/** The file's month/day dates, by column (the first of each), read before any row is checked. */
function monthDayDates(records: ReadonlyArray<{ record: Record<string, string>; info: { lines: number } }>): Map<ImportColumn, MonthDayDate> {
  const found = new Map<ImportColumn, MonthDayDate>();
  for (const { record, info } of records) {
    for (const column of DATE_COLUMNS) {
      const value = record[column]?.trim();
      if (found.has(column) || value === undefined || value === '') continue;
      if (writtenMonthDay(value)) found.set(column, { line: info.lines, column, value });
    }
  }
  return found;
}

/** What a file that writes month/day elsewhere makes of a date typed d/m that reads both ways. */
function readsBothWaysProblem(instant: string, seen: MonthDayDate): string {
  const [y, m, d] = localDateOf(instant).split('-');
  const dayMonth = `${Number(d)} ${MONTHS[Number(m) - 1] ?? ''} ${y}`;
  const monthDay = `${Number(m)} ${MONTHS[Number(d) - 1] ?? ''} ${y}`;
  return `could be ${dayMonth} (day/month) or ${monthDay} (month/day), and this file writes month/day dates (line ${seen.line}, ${seen.column} ${quoted(seen.value)}): save it with dates as day/month/year, e.g. 30/11/2026, or write this one as ISO (${y}-${m}-${d} for ${dayMonth}, ${y}-${d}-${m} for ${monthDay})`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'is not valid';
  if (issue.code === 'invalid_value') return `must be one of: ${issue.values.map(String).join(', ')}`;
  return issue.message;
}

/**
 * Reads and checks a whole import file. `by` records who imports (it opens the cases, and rated
 * the tier when `tier_rated_by` is empty); `now` is the moment past dates are checked against.
 */
export function readImportFile(text: string, by: string, now: Date): ImportFile {
  const problems: CellProblem[] = [];
  const shape = shapeProblem(text);
  if (shape !== undefined) return unreadableFile(shape);
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: true, info: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as typeof records;
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    return unreadableFile({ line: e.lines ?? 1, column: '', message: `not a readable CSV file: ${e.message ?? String(err)}` });
  }
  const header = records[0] ? Object.keys(records[0].record) : headerOf(text);
  const unknown = header.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED.filter((c) => !header.includes(c));
  for (const c of unknown) problems.push({ line: 1, column: c, message: `is not a column of an import file (the columns: ${IMPORT_COLUMNS.join(', ')})` });
  for (const c of missing) problems.push({ line: 1, column: c, message: 'is a required column and is missing' });
  if (unknown.length > 0 || missing.length > 0) return { rows: [], problems, warnings: [], badLines: new Map(), unreadable: true, total: records.length };

  const rows: ImportRow[] = [];
  const warnings: CellProblem[] = [];
  const badLines = new Map<number, string>();
  const order = (c: string) => (IMPORT_COLUMNS as readonly string[]).indexOf(c);
  const seen = new Map<string, number>();
  const monthDay = monthDayDates(records);
  for (const { record, info } of records) {
    const line = info.lines;
    const checked = checkRow(record, line, by, now, monthDay);
    const caseId = record['caseId'] ?? '';
    const earlier = seen.get(caseId);
    if (caseId !== '' && earlier !== undefined) checked.problems.push({ line, column: 'caseId', value: caseId, message: `${quoted(caseId)} is already on line ${earlier}` });
    else if (caseId !== '') seen.set(caseId, line);
    warnings.push(...checked.warnings.sort((a, b) => order(a.column) - order(b.column)));
    if (checked.problems.length > 0 || !checked.input) {
      problems.push(...checked.problems.sort((a, b) => order(a.column) - order(b.column)));
      badLines.set(line, caseId);
    } else rows.push({ line, caseId: checked.input.caseId, input: checked.input });
  }
  return { rows, problems, warnings, badLines, unreadable: false, total: records.length };
}

function unreadableFile(problem: CellProblem): ImportFile {
  return { rows: [], problems: [problem], warnings: [], badLines: new Map(), unreadable: true, total: 0 };
}

const SAVE_AS_CSV_UTF8 = 'save it from the spreadsheet as "CSV UTF-8 (Comma delimited)" and try again';

/**
 * A file a spreadsheet saved in another shape than CSV: its columns separated by semicolons (Excel
 * where the computer's list separator is `;`) or tabs ("Unicode Text", "Text (Tab delimited)"), or
 * UTF-16 text read as UTF-8. Said once, with the fix, instead of the header's cells one by one.
 */
function shapeProblem(text: string): CellProblem | undefined {
  const header = (text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '').slice(0, 100_000);
  if (header.includes('\u0000')) return { line: 1, column: '', message: `the file is saved as UTF-16 ("Unicode Text"), not as CSV: ${SAVE_AS_CSV_UTF8}` };
  const count = (sep: string) => header.split(sep).length - 1;
  const commas = count(',');
  const known = (sep: string) => header.split(sep).filter((c) => (IMPORT_COLUMNS as readonly string[]).includes(c.trim().replace(/^"|"$/g, ''))).length;
  for (const [sep, name] of [
    [';', 'semicolons'],
    ['\t', 'tabs'],
  ] as const) {
    if (count(sep) > commas && known(sep) >= 2) return { line: 1, column: '', message: `the columns are separated by ${name}, not commas: ${SAVE_AS_CSV_UTF8}` };
  }
  return undefined;
}

/**
 * The file's bytes as text, or why they are not CSV UTF-8 text (UTF-16, or another encoding such
 * as Excel's plain "CSV (Comma delimited)" with a £ or an accent in it): the file then cannot be read.
 */
export function importText(bytes: Uint8Array): { text: string } | { problem: CellProblem } {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) return { problem: { line: 1, column: '', message: `the file is saved as UTF-16 ("Unicode Text"), not as CSV: ${SAVE_AS_CSV_UTF8}` } };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { problem: { line: 1, column: '', message: `the file is not UTF-8 text (a spreadsheet's plain "CSV" keeps £ and accents in another encoding): ${SAVE_AS_CSV_UTF8}` } };
  }
}

/** Reads and checks an import file from its bytes (importText, then readImportFile). */
export function readImportBytes(bytes: Uint8Array, by: string, now: Date): ImportFile {
  const decoded = importText(bytes);
  return 'problem' in decoded ? unreadableFile(decoded.problem) : readImportFile(decoded.text, by, now);
}

function headerOf(text: string): string[] {
  const first = (parse(text, { to_line: 1, bom: true, trim: true }) as string[][])[0];
  return first ?? [];
}

/** One row: the input that opens its case, or its bad cells. */
function checkRow(record: Record<string, string>, line: number, by: string, now: Date, monthDay: ReadonlyMap<ImportColumn, MonthDayDate>): { input?: OpenCaseInput; problems: CellProblem[]; warnings: CellProblem[] } {
  const problems: CellProblem[] = [];
  const warnings: CellProblem[] = [];
  // What the cell held, as typed, leads the message: the administrator finds it in the file by it.
  const bad = (column: string, message: string) => {
    const value = record[column]?.trim();
    problems.push(value === undefined || value === '' ? { line, column, message } : { line, column, value, message: `${quoted(value)} ${message}` });
  };
  const cell = (c: ImportColumn): string | undefined => {
    const v = record[c]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  for (const c of REQUIRED) if (cell(c) === undefined) bad(c, 'is required');

  const checked = <T>(c: ImportColumn, schema: z.ZodType<T>): T | undefined => {
    const v = cell(c);
    if (v === undefined) return undefined;
    const r = schema.safeParse(v);
    if (!r.success) bad(c, firstIssue(r.error));
    return r.success ? r.data : undefined;
  };
  const caseId = checked('caseId', SafeId);
  const reference = checked('reference', SafeId);
  const team = checked('team', SafeId);

  const contacts: Partial<Record<StaffRole, StaffContact>> = {};
  for (const { column, role } of CONTACT_COLUMNS) {
    const parsed = parseContact(cell(column));
    if (parsed === undefined) continue;
    if ('error' in parsed) {
      bad(column, parsed.error === CONTACT_FORMAT ? `is not a name and email: ${CONTACT_FORMAT}` : parsed.error);
      continue;
    }
    const contact = StaffContact.safeParse(parsed);
    if (!contact.success) bad(column, `${contact.error.issues[0]?.path.join('.') ?? ''} ${firstIssue(contact.error)}`.trim());
    else contacts[role] = contact.data;
  }

  /** A date in the past (or, `future`, after now). */
  const date = (c: ImportColumn, when: 'past' | 'future' = 'past'): string | undefined => {
    const v = cell(c);
    if (v === undefined) return undefined;
    const d = readUkDateTime(v);
    if (!d.ok) {
      bad(c, d.problem);
      return undefined;
    }
    // 11/02/2026 is read day/month, unless the file writes month/day elsewhere (the same column first).
    const monthDayDate = monthDay.get(c) ?? monthDay.values().next().value;
    if (monthDayDate !== undefined && readsBothWays(d)) {
      bad(c, readsBothWaysProblem(d.instant, monthDayDate));
      return undefined;
    }
    if (when === 'past' && futureProblems(c, d.instant, now).length > 0) {
      bad(c, 'is in the future');
      return undefined;
    }
    if (when === 'future' && d.instant <= now.toISOString()) {
      bad(c, 'must be in the future (a conference still to come)');
      return undefined;
    }
    return d.instant;
  };

  const tier = checked('tier', RiskTier);
  const reason = checked('tier_reason', FreeText());
  const ratedAt = date('tier_rated_at');
  const ratedBy = checked('tier_rated_by', UserId);
  if (cell('tier') === undefined) {
    for (const c of ['tier_reason', 'tier_rated_at', 'tier_rated_by'] as const) if (cell(c) !== undefined) bad(c, 'needs a tier');
  } else {
    if (cell('tier_reason') === undefined) bad('tier_reason', 'is required with a tier');
    if (cell('tier_rated_at') === undefined) bad('tier_rated_at', 'is required with a tier (the clocks start from it)');
  }

  // What had happened, each from its column (problems the case would find name that column).
  const recorded: Array<{ column: ImportColumn; event: CaseEvent }> = [];
  const add = (column: ImportColumn, event: (at: string) => CaseEvent, when: 'past' | 'future' = 'past') => {
    const at = date(column, when);
    if (at !== undefined) recorded.push({ column, event: event(at) });
  };
  if (tier !== undefined && reason !== undefined && ratedAt !== undefined) {
    recorded.push({ column: 'tier_rated_at', event: { type: 'tier-set', at: ratedAt, by: ratedBy ?? by, tier, reason } });
  }
  const recordedAt = (column: ImportColumn) => recorded.find((r) => r.column === column)?.event.at;
  add('last_visit', (at) => ({ type: 'contact', at, by, contactType: 'visit' }));
  add('last_kit_call', (at) => ({ type: 'contact', at, by, contactType: 'kit-call' }));
  add('cp_plan_start', (at) => ({ type: 'meeting-held', at, by, meetingType: 'icpc', outcome: 'cp-plan' }));
  add('last_core_group', (at) => ({ type: 'meeting-held', at, by, meetingType: 'core-group' }));
  // The last review conference meets the first one (due three months after the plan's start); the next is six-monthly.
  add('last_review_conference', (at) => ({ type: 'meeting-held', at, by, meetingType: 'review-conference' }));
  add('looked_after_since', (at) => ({ type: 'looked-after-started', at, by }));
  // The child in care reviews of this episode: the last, numbered when the file says which it was
  // (reviews_held, or 2 at least when the first is given apart from it), so the next is the one that follows.
  const reviews = reviewsOf(cell, date, bad);
  if (reviews.first !== undefined) recorded.push({ column: 'first_review', event: { type: 'meeting-held', at: reviews.first, by, meetingType: 'cic-review', reviewNumber: 1 } });
  if (reviews.last !== undefined) {
    const reviewNumber = reviews.lastNumber;
    recorded.push({ column: 'last_review', event: { type: 'meeting-held', at: reviews.last, by, meetingType: 'cic-review', ...(reviewNumber === undefined ? {} : { reviewNumber }) } });
  }
  const placementType = checked('placement_type', PlacementType);
  const legalStatus = checked('legal_status', LegalStatus);
  add('placement_start', (at) => ({
    type: 'placement-started',
    at,
    by,
    placementId: 'IMPORTED',
    ...(placementType === undefined ? {} : { placementType }),
    ...(legalStatus === undefined ? {} : { legalStatus }),
  }));
  add('complaint_received', (at) => ({ type: 'complaint-received', at, by, complaintId: 'IMPORTED', stage: 1 }));
  // Scheduled now (at the import) for its date: a review conference once a plan is in place, else an initial one.
  add(
    'next_conference',
    (scheduledFor) => ({
      type: 'meeting-scheduled',
      at: now.toISOString(),
      by,
      meetingId: 'CONF-IMPORTED',
      meetingType: cell('cp_plan_start') !== undefined ? 'review-conference' : 'icpc',
      scheduledFor,
    }),
    'future',
  );
  if (cell('placement_start') !== undefined && cell('looked_after_since') === undefined) bad('placement_start', 'needs looked_after_since (a placement of a child in care)');
  if (cell('last_review') !== undefined && cell('looked_after_since') === undefined) bad('last_review', 'needs looked_after_since (a child in care review)');
  if (cell('last_core_group') !== undefined && cell('cp_plan_start') === undefined) bad('last_core_group', 'needs cp_plan_start (core groups follow a child protection plan)');
  if (cell('last_review_conference') !== undefined && cell('cp_plan_start') === undefined) {
    bad('last_review_conference', 'needs cp_plan_start (review conferences follow a child protection plan)');
  }
  const planStart = recordedAt('cp_plan_start');
  const lastConference = recordedAt('last_review_conference');
  if (planStart !== undefined && lastConference !== undefined && lastConference < planStart) bad('last_review_conference', 'must not be before cp_plan_start');
  for (const c of ['placement_type', 'legal_status'] as const) {
    if (cell(c) !== undefined && cell('placement_start') === undefined) bad(c, 'needs placement_start (the placement it describes)');
  }
  const lookedAfterSince = recordedAt('looked_after_since');
  if (lookedAfterSince !== undefined && reviews.first !== undefined && reviews.first < lookedAfterSince) {
    bad('first_review', 'must not be before looked_after_since (the reviews of this looked-after episode)');
  }
  if (lookedAfterSince !== undefined && reviews.last !== undefined && reviews.last < lookedAfterSince && cell('reviews_held') !== undefined) {
    bad('reviews_held', 'counts the reviews of this looked-after episode, but last_review is before looked_after_since');
  }
  warnings.push(...historyWarnings(line, cell, recordedAt, now));

  if (problems.length > 0 || caseId === undefined) return { problems, warnings };
  const raw = {
    caseId,
    details: { reference, team, contacts },
    openedBy: by,
    recorded: recorded.map((r) => r.event),
  };
  const parsed = OpenCaseInput.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) bad(columnOf(issue.path.map(String), recorded), firstIssue({ issues: [issue] } as z.ZodError));
    return { problems, warnings };
  }
  // The rules the case itself applies to what is recorded on it (nothing before what it follows from, ...).
  for (const p of openingOf(parsed.data, now).problems) {
    const [, index] = p.field.split('.');
    bad(columnOf(['recorded', index ?? ''], recorded), p.message);
  }
  return problems.length > 0 ? { problems, warnings } : { input: parsed.data, problems, warnings };
}

type Cell = (c: ImportColumn) => string | undefined;

/** How many reviews `reviews_held` says were held: a whole number from 1 to 200, as a review's number. */
const ReviewsHeld = MeetingHeld.shape.reviewNumber.unwrap();

/**
 * The child in care reviews of the current episode as the file gives them: the last (`last_review`),
 * the first (`first_review`, when given apart from the last), and the last one's number: `reviews_held`,
 * else 2 when the first is given apart from it, else 1 when they are the same, else unsaid (as before
 * these columns: the case counts it as the first).
 */
function reviewsOf(cell: Cell, date: (c: ImportColumn) => string | undefined, bad: (column: string, message: string) => void): { first?: string; last?: string; lastNumber?: number } {
  let held: number | undefined;
  const typed = cell('reviews_held');
  if (typed !== undefined) {
    const r = /^\d+$/.test(typed) ? ReviewsHeld.safeParse(Number(typed)) : undefined;
    if (r?.success) held = r.data;
    else bad('reviews_held', 'must be a whole number from 1 to 200 (the child in care reviews held in this looked-after episode)');
  }
  const first = date('first_review');
  const last = date('last_review');
  if (typed !== undefined && cell('last_review') === undefined) bad('reviews_held', 'needs last_review (the date of the last of them)');
  if (typed !== undefined && cell('looked_after_since') === undefined) bad('reviews_held', 'needs looked_after_since (child in care reviews)');
  if (cell('first_review') !== undefined && cell('last_review') === undefined) bad('first_review', 'needs last_review (the same date when only one review has been held)');
  if (cell('first_review') !== undefined && cell('looked_after_since') === undefined) bad('first_review', 'needs looked_after_since (a child in care review)');
  if (last === undefined) return {};
  if (first === undefined) return { last, ...(held === undefined ? {} : { lastNumber: held }) };
  if (first > last) {
    bad('first_review', 'must not be after last_review');
    return {};
  }
  if (first === last) {
    if (held !== undefined && held !== 1) bad('reviews_held', 'does not fit first_review and last_review: they are the same date (one review)');
    return { last, lastNumber: 1 };
  }
  if (held === 1) bad('reviews_held', 'does not fit first_review and last_review: first_review is before last_review (two reviews at least)');
  return { first, last, lastNumber: held ?? 2 };
}

const CALENDAR = WorkingDayCalendar.englandAndWales();

/** dd/mm/yyyy, as staff type it. */
function ukDate(instant: string): string {
  const [y, m, d] = localDateOf(instant).split('-');
  return `${d}/${m}/${y}`;
}

/**
 * What a row's good cells imply happened that the file does not say: each would start a clock from
 * an earlier date than the council's own record does (so the case may arrive overdue for what was
 * in fact done), or count it on a rhythm the file cannot tell. Warnings only: the row imports as it is.
 */
function historyWarnings(line: number, cell: Cell, recordedAt: (c: ImportColumn) => string | undefined, now: Date): CellProblem[] {
  const warnings: CellProblem[] = [];
  const warn = (column: ImportColumn, message: string) => warnings.push({ line, column, message });
  const nowIso = now.toISOString();
  const lookedAfter = recordedAt('looked_after_since');
  const lastReview = recordedAt('last_review');
  const plan = recordedAt('cp_plan_start');
  const placement = recordedAt('placement_start');
  if (lookedAfter !== undefined && cell('last_review') === undefined) {
    const due = CALENDAR.addWorkingDays(lookedAfter, 20);
    if (due < nowIso)
      warn('looked_after_since', `is more than 20 working days ago but no last_review is given: the child arrives owing its first review, due by ${ukDate(due)}; give last_review (and reviews_held) if reviews were held`);
  }
  if (lookedAfter !== undefined && lastReview !== undefined && lastReview < lookedAfter) {
    warn('last_review', 'is before looked_after_since: it is not a review of this looked-after episode, and the child arrives owing its first review');
  } else if (lookedAfter !== undefined && lastReview !== undefined && cell('reviews_held') === undefined && cell('first_review') === undefined) {
    const secondDue = addIsoDuration(CALENDAR.addWorkingDays(lookedAfter, 20), 'P3M');
    if (lastReview > secondDue) {
      warn(
        'last_review',
        'is more than 20 working days and 3 months after looked_after_since, so more than one review has been held, but without reviews_held or first_review it counts as the first (the next then due within 3 months of it): give reviews_held or first_review',
      );
    }
  }
  if (lookedAfter !== undefined && cell('placement_start') === undefined) warn('looked_after_since', 'has no placement_start: no statutory visits are counted until a placement is recorded');
  if (plan !== undefined && cell('last_core_group') === undefined) {
    const due = CALENDAR.addWorkingDays(plan, 10);
    if (due < nowIso) warn('cp_plan_start', `is more than 10 working days ago but no last_core_group is given: the case arrives owing its first core group, due by ${ukDate(due)}; give last_core_group if one was held`);
  }
  if (plan !== undefined && cell('last_review_conference') === undefined) {
    const due = addIsoDuration(plan, 'P3M');
    if (due < nowIso) {
      warn(
        'cp_plan_start',
        `is more than 3 months ago but no last_review_conference is given: the first review conference is counted from the plan's start, due by ${ukDate(due)}, so the case arrives with it overdue; give last_review_conference if one was held`,
      );
    }
  }
  if (placement !== undefined && cell('placement_type') === undefined && addIsoDuration(placement, 'P1Y') < nowIso) {
    warn(
      'placement_start',
      'is more than a year ago and no placement_type is given: the placement counts as general and its visits stay six-weekly (three-monthly only for a placement intended to last until 18: placement_type until-18)',
    );
  }
  const legal = cell('legal_status');
  if (cell('placement_type') === 'with-parent' && legal !== 'interim-care-order' && legal !== 'care-order') {
    warn(
      'placement_type',
      'with-parent: visits follow the order (legal_status interim-care-order: weekly until the first review, then four-weekly; care-order: six-weekly); without either they are six-weekly, as for a general placement',
    );
  }
  return warnings;
}

function columnOf(path: readonly string[], recorded: ReadonlyArray<{ column: ImportColumn }>): string {
  if (path[0] === 'recorded') return recorded[Number(path[1])]?.column ?? '';
  if (path[0] === 'details') return path[1] === 'contacts' ? (CONTACT_COLUMNS.find((c) => c.role === path[2])?.column ?? '') : (path[1] ?? '');
  return path[0] ?? '';
}

/**
 * The file with every good row whose team the team directory does not list (common/teams.ts)
 * turned into a bad `team` cell: the dry run names it, and the import starts nothing of that row.
 */
export function withKnownTeams(file: ImportFile, known: KnownTeams): ImportFile {
  const refused = new Map<number, CellProblem>();
  for (const row of file.rows) {
    const team = row.input.details.team;
    const problem = unknownTeam(known, team);
    if (problem !== undefined) refused.set(row.line, { line: row.line, column: 'team', value: team, message: `${quoted(team)} ${problem}` });
  }
  if (refused.size === 0) return file;
  const badLines = new Map(file.badLines);
  for (const row of file.rows) if (refused.has(row.line)) badLines.set(row.line, row.caseId);
  return {
    ...file,
    rows: file.rows.filter((r) => !refused.has(r.line)),
    problems: [...file.problems, ...refused.values()].sort((a, b) => a.line - b.line),
    badLines: new Map([...badLines].sort(([a], [b]) => a - b)),
  };
}
