/**
 * A council's open cases as a CSV file, one case a row, checked cell by cell before anything is
 * started: each row becomes the input that opens its case (OpenCaseInput, with the date the case
 * counts as opened and what had already happened, each at its recorded date), or the list of its
 * bad cells (line, column, what is wrong). No Temporal here: `--dry-run` and the tests use it alone.
 */
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { IsoInstant, FreeText, SafeId, UserId, type CaseEvent } from '../../domain/facts';
import { RiskTier, type StaffRole } from '../../domain/kinds';
import { futureProblems, openingOf, OpenCaseInput, StaffContact } from '../../workflows/inputs';
import { localToInstant, parseContact, ukToIsoLocal } from '../actions/fields';

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
  'next_conference',
  'looked_after_since',
  'last_review',
  'placement_start',
  'complaint_received',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Columns every row must fill. */
const REQUIRED: readonly ImportColumn[] = ['caseId', 'reference', 'team', 'worker', 'manager', 'head'];

const CONTACT_COLUMNS: ReadonlyArray<{ column: ImportColumn; role: StaffRole }> = [
  { column: 'worker', role: 'allocated-worker' },
  { column: 'manager', role: 'team-manager' },
  { column: 'head', role: 'head-of-service' },
  { column: 'iro', role: 'iro' },
];

/** One bad cell: the file's line, the column, what is wrong (column `''`: the row or the file as a whole). */
export interface CellProblem {
  line: number;
  column: string;
  message: string;
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
  /** Lines of rows with at least one bad cell (nothing of them is started), with the case id as typed. */
  badLines: Map<number, string>;
  /** The file as a whole cannot be imported (not CSV, or its columns are wrong). */
  unreadable: boolean;
  /** Rows in the file (good and bad). */
  total: number;
}

/** A date as typed (28/03/2026, 28/03/2026 10:00, 2026-03-28, 2026-03-28T10:00 in UK time, or an instant with an offset): an instant, or what is wrong. */
export function importDate(value: string): { instant: string } | { error: string } {
  let v = ukToIsoLocal(value.trim());
  // A date alone is the start of that day in UK time.
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) v = `${v}T00:00`;
  const converted = localToInstant(v);
  if ('error' in converted) return converted;
  const instant = IsoInstant.safeParse(converted.instant);
  if (!instant.success) return { error: 'must be a date as dd/mm/yyyy (with hh:mm if known) or ISO, e.g. 28/03/2026 or 2026-03-28T10:00' };
  return { instant: instant.data };
}

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
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: true, info: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as typeof records;
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    return { rows: [], problems: [{ line: e.lines ?? 1, column: '', message: `not a readable CSV file: ${e.message ?? String(err)}` }], badLines: new Map(), unreadable: true, total: 0 };
  }
  const header = records[0] ? Object.keys(records[0].record) : headerOf(text);
  const unknown = header.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED.filter((c) => !header.includes(c));
  for (const c of unknown) problems.push({ line: 1, column: c, message: `is not a column of an import file (the columns: ${IMPORT_COLUMNS.join(', ')})` });
  for (const c of missing) problems.push({ line: 1, column: c, message: 'is a required column and is missing' });
  if (unknown.length > 0 || missing.length > 0) return { rows: [], problems, badLines: new Map(), unreadable: true, total: records.length };

  const rows: ImportRow[] = [];
  const badLines = new Map<number, string>();
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const checked = checkRow(record, line, by, now);
    const caseId = record['caseId'] ?? '';
    const earlier = seen.get(caseId);
    if (caseId !== '' && earlier !== undefined) checked.problems.push({ line, column: 'caseId', message: `${caseId} is already on line ${earlier}` });
    else if (caseId !== '') seen.set(caseId, line);
    if (checked.problems.length > 0 || !checked.input) {
      const order = (c: string) => (IMPORT_COLUMNS as readonly string[]).indexOf(c);
      problems.push(...checked.problems.sort((a, b) => order(a.column) - order(b.column)));
      badLines.set(line, caseId);
    } else rows.push({ line, caseId: checked.input.caseId, input: checked.input });
  }
  return { rows, problems, badLines, unreadable: false, total: records.length };
}

function headerOf(text: string): string[] {
  const first = (parse(text, { to_line: 1, bom: true, trim: true }) as string[][])[0];
  return first ?? [];
}

/** One row: the input that opens its case, or its bad cells. */
function checkRow(record: Record<string, string>, line: number, by: string, now: Date): { input?: OpenCaseInput; problems: CellProblem[] } {
  const problems: CellProblem[] = [];
  const bad = (column: string, message: string) => problems.push({ line, column, message });
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
      bad(column, parsed.error);
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
    const d = importDate(v);
    if ('error' in d) {
      bad(c, d.error);
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
  add('last_visit', (at) => ({ type: 'contact', at, by, contactType: 'visit' }));
  add('last_kit_call', (at) => ({ type: 'contact', at, by, contactType: 'kit-call' }));
  add('cp_plan_start', (at) => ({ type: 'meeting-held', at, by, meetingType: 'icpc', outcome: 'cp-plan' }));
  add('last_core_group', (at) => ({ type: 'meeting-held', at, by, meetingType: 'core-group' }));
  add('looked_after_since', (at) => ({ type: 'looked-after-started', at, by }));
  add('last_review', (at) => ({ type: 'meeting-held', at, by, meetingType: 'cic-review' }));
  add('placement_start', (at) => ({ type: 'placement-started', at, by, placementId: 'IMPORTED' }));
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

  if (problems.length > 0 || caseId === undefined) return { problems };
  const raw = {
    caseId,
    details: { reference, team, contacts },
    openedBy: by,
    recorded: recorded.map((r) => r.event),
  };
  const parsed = OpenCaseInput.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) bad(columnOf(issue.path.map(String), recorded), firstIssue({ issues: [issue] } as z.ZodError));
    return { problems };
  }
  // The rules the case itself applies to what is recorded on it (nothing before what it follows from, ...).
  for (const p of openingOf(parsed.data, now).problems) {
    const [, index] = p.field.split('.');
    bad(columnOf(['recorded', index ?? ''], recorded), p.message);
  }
  return problems.length > 0 ? { problems } : { input: parsed.data, problems };
}

function columnOf(path: readonly string[], recorded: ReadonlyArray<{ column: ImportColumn }>): string {
  if (path[0] === 'recorded') return recorded[Number(path[1])]?.column ?? '';
  if (path[0] === 'details') return path[1] === 'contacts' ? (CONTACT_COLUMNS.find((c) => c.role === path[2])?.column ?? '') : (path[1] ?? '');
  return path[0] ?? '';
}
