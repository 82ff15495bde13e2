/**
 * The reconciliation of the case system (SSD) with CaseClock, for administrators: what only
 * CaseClock can see, because it holds both sides. Pure: the console and the command line gather the
 * inputs (the source's planned review dates, the case record's deadlines and events, the sync's
 * ledger and last report) and this module compares and groups them.
 *
 * Three kinds of row, each naming the child by case id and SSD person id, never by name:
 * - dates that disagree: the review the case system planned beside CaseClock's statutory deadline
 *   for the same review, where their UK dates differ by a day or more (or CaseClock has none open);
 * - events CaseClock holds that the source lacks: a visit, review or conference recorded in CaseClock
 *   by a person (not by the sync) with no row in the ledger of the same kind on the same day for
 *   that child. Listed for the team to enter in the case system; never deleted from the case;
 * - children whose source team or worker CaseClock does not know, from the sync's last report.
 */
import { localDateOf } from '../durations';
import type { ClaEpisodeRow, ClaReviewRow, CpReviewRow } from './rows';

/** A child the sync keeps a case for (ssd_cases). */
export interface SyncedChild {
  personId: string;
  caseId: string;
  status: 'open' | 'closed';
  team: string;
}

/** The two reviews the case system plans a date for, and CaseClock's obligation kinds for each. */
export const PLANNED_REVIEWS = {
  'cic-review': { label: 'child-in-care review', kinds: ['cic-review-first', 'cic-review-second', 'cic-review'] },
  'cp-review': { label: 'child protection review conference', kinds: ['first-review-conference', 'review-conference'] },
} as const;
export type PlannedReviewKind = keyof typeof PLANNED_REVIEWS;
/** Every obligation kind whose deadline the reconciliation reads. */
export const RECONCILED_OBLIGATION_KINDS: readonly string[] = Object.values(PLANNED_REVIEWS).flatMap((r) => [...r.kinds]);

/** The next review the case system planned for a child: its row and its due date (UK date). */
export interface PlannedReview {
  personId: string;
  review: PlannedReviewKind;
  sourceKey: string;
  due: string;
}

/** One of CaseClock's deadlines as the case record last noted it (the KPI's obligation outcomes). */
export interface RecordedDeadline {
  caseId: string;
  kind: string;
  dueAt: string;
  status: 'open' | 'met' | 'waived' | 'superseded';
}

/** The kinds of event both sides hold: a visit in which the child was seen, or a meeting of one type. */
export type ReconciledEventKind = 'visit' | 'cic-review' | 'review-conference' | 'icpc';
const EVENT_LABELS: Record<ReconciledEventKind, string> = {
  visit: 'visit',
  'cic-review': 'child-in-care review',
  'review-conference': 'review conference',
  icpc: 'initial child protection conference',
};

/** An event as the case record or the ledger holds it: its type and, for contacts and meetings, which. */
export interface HeldEvent {
  at: string;
  type: string;
  contactType?: string;
  meetingType?: string;
}

/** A visit, review or conference recorded on a case by someone: the case record's event entry. */
export interface RecordedByPerson extends HeldEvent {
  caseId: string;
  by: string;
}

/** An event of one row of the sync's ledger (the source's rows last read). */
export interface LedgerEvent extends HeldEvent {
  personId: string;
}

/** One item of the sync's report (store/ssd-sync-store.ts SyncReportItem). */
export interface ReportItem {
  problem: string;
  personId?: string;
  sourceKey?: string;
  detail?: string;
}

/** What the report says about a child's team or worker, in words: the problems the reconciliation lists. */
const TEAM_OR_WORKER_PROBLEMS: Record<string, (detail: string) => string> = {
  'unknown-team': (d) => `the case system's team ${d} is not in its own list of teams (ssd_department)`,
  'team-not-in-caseclock': (d) => `the case system's team ${d} is not in CaseClock's team directory`,
  'no-team': (d) => `the allocation ${d} names no team`,
  'unknown-worker': (d) => `the allocated worker ${d} is not in the case system's list of professionals`,
  'no-worker': (d) => `the allocation ${d} names no worker`,
  'worker-not-in-staff-directory': (d) => `the allocated worker (staff id ${d}) is not in CaseClock's staff directory`,
  'team-manager-not-in-staff-directory': (d) => `the team manager (${d}) is not in CaseClock's staff directory`,
  'head-of-service-not-in-staff-directory': (d) => `the head of service (${d}) is not in CaseClock's staff directory`,
  'no-allocation': () => 'no allocated worker in the case system',
  'several-allocations': (d) => `several allocated workers at once (${d})`,
};
export const TEAM_OR_WORKER_PROBLEM_CODES: readonly string[] = Object.keys(TEAM_OR_WORKER_PROBLEMS);

export type ReconciliationSection = 'dates-disagree' | 'caseclock-only' | 'not-known-in-caseclock';
export const SECTION_ORDER: readonly ReconciliationSection[] = ['dates-disagree', 'caseclock-only', 'not-known-in-caseclock'];

export interface ReconciliationRow {
  section: ReconciliationSection;
  /** What disagrees, as a code for scripts: a review kind, an event kind, or the report's problem. */
  problem: string;
  /** The case CaseClock keeps for the child; null while it has none (a child the sync could not open). */
  caseId: string | null;
  personId: string;
  /** CaseClock's team of the case; null while it has none. */
  team: string | null;
  what: string;
  /** The source's date (UK date), where it has one. */
  sourceDate: string | null;
  /** CaseClock's date (UK date), where it has one. */
  caseclockDate: string | null;
  /** Days from CaseClock's date to the source's (positive: the source is later); dates that disagree only. */
  days: number | null;
}

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const ukDateOfSsd = (value: string): string => value.slice(0, 10);

/**
 * Each child's next planned review of each kind: the earliest due date among the review rows not yet
 * held and not cancelled. A child-in-care review names its period of care, found in ssd_cla_episodes.
 */
export function plannedReviewsOf(rows: { claReviews: readonly ClaReviewRow[]; claEpisodes: readonly ClaEpisodeRow[]; cpReviews: readonly CpReviewRow[] }): PlannedReview[] {
  const personOfClaId = new Map<string, string>();
  for (const e of rows.claEpisodes) if (e.clae_cla_id !== null) personOfClaId.set(e.clae_cla_id, e.clae_person_id);
  const next = new Map<string, PlannedReview>();
  const consider = (p: PlannedReview) => {
    const key = `${p.personId}\u0000${p.review}`;
    const seen = next.get(key);
    if (!seen || p.due < seen.due || (p.due === seen.due && p.sourceKey < seen.sourceKey)) next.set(key, p);
  };
  for (const r of rows.claReviews) {
    const personId = r.clar_cla_id === null ? undefined : personOfClaId.get(r.clar_cla_id);
    if (personId === undefined || r.clar_cla_review_due_date === null || r.clar_cla_review_date !== null || r.clar_cla_review_cancelled === 'Y') continue;
    consider({ personId, review: 'cic-review', sourceKey: `ssd_cla_reviews:${r.clar_cla_review_id}`, due: ukDateOfSsd(r.clar_cla_review_due_date) });
  }
  for (const r of rows.cpReviews) {
    if (r.cppr_cp_review_due === null || r.cppr_cp_review_date !== null) continue;
    consider({ personId: r.cppr_person_id, review: 'cp-review', sourceKey: `ssd_cp_reviews:${r.cppr_cp_review_id}`, due: ukDateOfSsd(r.cppr_cp_review_due) });
  }
  return [...next.values()];
}

const reviewOfKind = (kind: string): PlannedReviewKind | undefined => (Object.keys(PLANNED_REVIEWS) as PlannedReviewKind[]).find((r) => (PLANNED_REVIEWS[r].kinds as readonly string[]).includes(kind));

/**
 * The planned reviews of children whose case is open, beside the case's open deadline for the same
 * review (the earliest, should there be several): listed where the UK dates differ by a day or more,
 * or where the case has no such deadline open. A deadline with no plan in the source is not listed:
 * a case system that leaves due dates blank would otherwise list every case.
 */
export function datesThatDisagree(children: readonly SyncedChild[], planned: readonly PlannedReview[], deadlines: readonly RecordedDeadline[]): ReconciliationRow[] {
  const byPerson = new Map(children.filter((c) => c.status === 'open').map((c) => [c.personId, c]));
  const open = new Map<string, string>();
  for (const d of deadlines) {
    const review = reviewOfKind(d.kind);
    if (d.status !== 'open' || review === undefined) continue;
    const key = `${d.caseId}\u0000${review}`;
    const seen = open.get(key);
    if (seen === undefined || d.dueAt < seen) open.set(key, d.dueAt);
  }
  const rows: ReconciliationRow[] = [];
  for (const p of planned) {
    const child = byPerson.get(p.personId);
    if (!child) continue;
    const dueAt = open.get(`${child.caseId}\u0000${p.review}`);
    const label = PLANNED_REVIEWS[p.review].label;
    const common = { section: 'dates-disagree' as const, problem: p.review, caseId: child.caseId, personId: child.personId, team: child.team, sourceDate: p.due };
    if (dueAt === undefined) {
      rows.push({ ...common, what: `the case system plans a ${label} (${p.sourceKey}); CaseClock has no ${label} deadline open`, caseclockDate: null, days: null });
      continue;
    }
    const caseclockDate = localDateOf(dueAt);
    const days = daysBetween(caseclockDate, p.due);
    if (days === 0) continue;
    const by = `${Math.abs(days)} day${Math.abs(days) === 1 ? '' : 's'} ${days > 0 ? 'after' : 'before'}`;
    rows.push({ ...common, what: `${label}: the case system plans it ${by} CaseClock's deadline (${p.sourceKey})`, caseclockDate, days });
  }
  return rows;
}

/** Which of the reconciled kinds an event is, if any. */
export function reconciledKindOf(e: HeldEvent): ReconciledEventKind | undefined {
  if (e.type === 'contact') return e.contactType === 'visit' ? 'visit' : undefined;
  if (e.type === 'meeting-held' && (e.meetingType === 'cic-review' || e.meetingType === 'review-conference' || e.meetingType === 'icpc')) return e.meetingType;
  return undefined;
}

/**
 * Visits, reviews and conferences recorded in CaseClock by anyone but the sync, on the cases the sync
 * keeps, that the ledger has no row of the same kind on the same UK day for. Core groups are not
 * compared: the SSD has no table for them.
 */
export function caseclockOnlyEvents(children: readonly SyncedChild[], recorded: readonly RecordedByPerson[], ledger: readonly LedgerEvent[], syncUser: string): ReconciliationRow[] {
  const byCase = new Map(children.map((c) => [c.caseId, c]));
  const inSource = new Set<string>();
  for (const e of ledger) {
    const kind = reconciledKindOf(e);
    if (kind !== undefined) inSource.add(`${e.personId}\u0000${kind}\u0000${localDateOf(e.at)}`);
  }
  const rows: ReconciliationRow[] = [];
  for (const e of recorded) {
    const child = byCase.get(e.caseId);
    const kind = reconciledKindOf(e);
    if (!child || kind === undefined || e.by === syncUser) continue;
    const day = localDateOf(e.at);
    if (inSource.has(`${child.personId}\u0000${kind}\u0000${day}`)) continue;
    rows.push({
      section: 'caseclock-only',
      problem: kind,
      caseId: child.caseId,
      personId: child.personId,
      team: child.team,
      what: `a ${EVENT_LABELS[kind]} recorded in CaseClock by ${e.by}, not in the case system`,
      sourceDate: null,
      caseclockDate: day,
      days: null,
    });
  }
  return rows;
}

/** The children the sync's report says it could not give a known team or worker, once per child and problem. */
export function notKnownInCaseClock(children: readonly SyncedChild[], report: readonly ReportItem[]): ReconciliationRow[] {
  const byPerson = new Map(children.map((c) => [c.personId, c]));
  const seen = new Set<string>();
  const rows: ReconciliationRow[] = [];
  for (const item of report) {
    const describe = TEAM_OR_WORKER_PROBLEMS[item.problem];
    if (describe === undefined || item.personId === undefined) continue;
    const key = `${item.personId}\u0000${item.problem}\u0000${item.detail ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const child = byPerson.get(item.personId);
    rows.push({
      section: 'not-known-in-caseclock',
      problem: item.problem,
      caseId: child?.caseId ?? null,
      personId: item.personId,
      team: child?.team ?? null,
      what: describe(item.detail ?? 'unnamed'),
      sourceDate: null,
      caseclockDate: null,
      days: null,
    });
  }
  return rows;
}

export interface ReconciliationInput {
  children: readonly SyncedChild[];
  planned: readonly PlannedReview[];
  deadlines: readonly RecordedDeadline[];
  recorded: readonly RecordedByPerson[];
  ledger: readonly LedgerEvent[];
  report: readonly ReportItem[];
  /** The user id the sync records as (activities/ssd-sync.ts SSD_SYNC_USER). */
  syncUser: string;
}

/** Every row, by section, then team (a child without a case last), case or person, and date. */
export function reconcile(input: ReconciliationInput): ReconciliationRow[] {
  const rows = [
    ...datesThatDisagree(input.children, input.planned, input.deadlines),
    ...caseclockOnlyEvents(input.children, input.recorded, input.ledger, input.syncUser),
    ...notKnownInCaseClock(input.children, input.report),
  ];
  const text = (s: string | null) => s ?? '\uffff';
  return rows.sort(
    (a, b) =>
      SECTION_ORDER.indexOf(a.section) - SECTION_ORDER.indexOf(b.section) ||
      text(a.team).localeCompare(text(b.team)) ||
      text(a.caseId).localeCompare(text(b.caseId)) ||
      a.personId.localeCompare(b.personId) ||
      text(a.caseclockDate ?? a.sourceDate).localeCompare(text(b.caseclockDate ?? b.sourceDate)) ||
      a.problem.localeCompare(b.problem),
  );
}

/** How many rows of each section, for the page's headings and the command line's summary. */
export function countBySection(rows: readonly ReconciliationRow[]): Record<ReconciliationSection, number> {
  const counts: Record<ReconciliationSection, number> = { 'dates-disagree': 0, 'caseclock-only': 0, 'not-known-in-caseclock': 0 };
  for (const r of rows) counts[r.section] += 1;
  return counts;
}
