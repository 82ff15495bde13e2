/**
 * The SSD's rows as CaseClock events: pure functions, no I/O. Each row becomes one entry, keyed by
 * its source key `<table>:<row id>` (e.g. `ssd_cp_visits:CPV-123`), holding the events it says
 * happened, each at its own date. The key is what lets the sync record a row once however often it
 * is read, and notice when the council corrects or deletes it (./diff.ts).
 *
 * A row that says nothing CaseClock's clocks use (a cancelled review, a visit with no date) is an
 * entry with no events, so its later correction is still seen. What a row cannot say (a code
 * CaseClock does not know, a person it cannot find) is a typed warning, never a guess.
 */
import type { CaseEvent, EventOf } from '../facts';
import type { LegalStatus, PlacementType } from '../kinds';
import { EPISODE_CONTINUES, STARTED_TO_BE_LOOKED_AFTER, TEMPORARY_PLACEMENT_CODES, closeReasonOfCode, legalStatusOfCode, placementTypeOfCode } from './codes';
import { instantOfSsdDate } from './dates';
import type {
  CinEpisodeRow,
  CinVisitRow,
  ClaEpisodeRow,
  ClaPlacementRow,
  ClaReviewRow,
  ClaVisitRow,
  CpPlanRow,
  CpReviewRow,
  CpVisitRow,
  InitialCpConferenceRow,
  LegalStatusRow,
  MissingRow,
  S47EnquiryRow,
  SsdEventTable,
  SsdFlag,
  SsdRows,
} from './rows';

/**
 * `<table>:<row id>`: one row of the SSD, whatever the read; `<table>.<column>:<row id>` for the risk
 * tier a configured column gives the same row (./tier.ts), kept apart so the setting corrects no row.
 */
export type SourceKey = `${SsdEventTable}:${string}` | `ssd_${string}.${string}:${string}`;
export const sourceKeyOf = (table: SsdEventTable, rowId: string): SourceKey => `${table}:${rowId}`;

/** What one row says happened to one child. */
export interface SsdEntry {
  sourceKey: SourceKey;
  personId: string;
  /** In date order; at most one of each type, so `entryKeyOf` names each event of the row. */
  events: CaseEvent[];
}

/** The id of one event of a row in the case record: the row's key and the event's type. */
export const entryKeyOf = (sourceKey: SourceKey, event: Pick<CaseEvent, 'type'>): string => `${sourceKey}/${event.type}`;

/** What a row could not say, for the sync's report: values, never sentences to parse. */
export type SsdWarning =
  | { problem: 'unreadable-date'; sourceKey: SourceKey; column: string; reason: 'not-a-date' | 'out-of-range' }
  /** A visit whose "child seen" flag is blank: counted as a visit, since the case system recorded one. */
  | { problem: 'child-seen-unrecorded'; sourceKey: SourceKey }
  /** A missing episode whose return is dated before its start: read as a return when the child went. */
  | { problem: 'return-before-start'; sourceKey: SourceKey }
  /** The SSD records that a return interview was accepted but not when it was held. */
  | { problem: 'return-interview-undated'; sourceKey: SourceKey }
  | { problem: 'unknown-code'; sourceKey: SourceKey; column: string; code: string }
  /** A row that names its child only through a looked-after period (clar_cla_id) CaseClock has no episode for. */
  | { problem: 'unknown-cla-id'; sourceKey: SourceKey; claId: string | null }
  /** A child protection plan with no initial conference among the rows: CaseClock starts a plan only from one. */
  | { problem: 'plan-without-conference'; sourceKey: SourceKey };

/** What opens a case and what it is: the child in need episode, a child protection plan, a period of care. */
export type CaseKind = 'child-in-need' | 'child-protection' | 'looked-after';

export interface SsdEpisode {
  sourceKey: SourceKey;
  personId: string;
  kind: CaseKind;
  openedAt: string;
  closedAt?: string;
  /** The CIN census reason in words, when the child in need episode closed. */
  closeReason?: string;
}

export interface SsdReading {
  /** Every row of an event table, in source key order. */
  entries: SsdEntry[];
  episodes: SsdEpisode[];
  warnings: SsdWarning[];
}

export interface SsdMappingOptions {
  /** The user id the events are recorded by (the sync's own, e.g. `ssd-sync`). */
  by: string;
}

/** The rows of other tables one row's mapping looks at (a review names its child through its period of care). */
export interface SsdLookups {
  personOfClaId: ReadonlyMap<string, string>;
  legalStatusesOf: (personId: string) => readonly LegalStatusRow[];
  placementsOf: (personId: string) => readonly ClaPlacementRow[];
  episodesOf: (personId: string) => readonly ClaEpisodeRow[];
  conferenceIds: ReadonlySet<string>;
  plansWithConference: ReadonlySet<string>;
}

/** One row's mapping: its entry (absent when its child cannot be told) and what it could not say. */
export interface RowMapping {
  entry?: SsdEntry;
  warnings: SsdWarning[];
}

class RowReader {
  readonly warnings: SsdWarning[] = [];
  readonly events: CaseEvent[] = [];
  constructor(
    readonly sourceKey: SourceKey,
    readonly by: string,
  ) {}

  /** A date column as an instant; a blank one is undefined, an unreadable one a warning too. */
  date(column: string, value: string | null): string | undefined {
    if (value === null) return undefined;
    const read = instantOfSsdDate(value);
    if ('instant' in read) return read.instant;
    this.warnings.push({ problem: 'unreadable-date', sourceKey: this.sourceKey, column, reason: read.problem });
    return undefined;
  }

  unknownCode(column: string, code: string): void {
    this.warnings.push({ problem: 'unknown-code', sourceKey: this.sourceKey, column, code });
  }

  /** Adds an event at `at` (nothing when the date is blank or unreadable). */
  add(at: string | undefined, event: (at: string) => CaseEvent): void {
    if (at !== undefined) this.events.push(event(at));
  }

  done(personId: string): RowMapping {
    const events = [...this.events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { entry: { sourceKey: this.sourceKey, personId, events }, warnings: this.warnings };
  }
}

// --- Visits: the contact event, whichever plan the visit was made under ------------------------

/**
 * A visit in which the child was seen is a visit (and says whether alone); one in which the child
 * was not seen is contact with the family, not a statutory visit, so it meets no visit clock.
 */
function visit(r: RowReader, dateColumn: string, date: string | null, seen: SsdFlag, seenAlone: SsdFlag): void {
  if (seen === null) r.warnings.push({ problem: 'child-seen-unrecorded', sourceKey: r.sourceKey });
  r.add(r.date(dateColumn, date), (at) => {
    if (seen === 'N') return { type: 'contact', at, by: r.by, contactType: 'other' };
    return { type: 'contact', at, by: r.by, contactType: 'visit', ...(seenAlone === null ? {} : { childSeenAlone: seenAlone === 'Y' }) };
  });
}

export function cinVisit(row: CinVisitRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cin_visits', row.cinv_cin_visit_id), opts.by);
  visit(r, 'cinv_cin_visit_date', row.cinv_cin_visit_date, row.cinv_cin_visit_seen, row.cinv_cin_visit_seen_alone);
  return r.done(row.cinv_person_id);
}

export function cpVisit(row: CpVisitRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cp_visits', row.cppv_cp_visit_id), opts.by);
  visit(r, 'cppv_cp_visit_date', row.cppv_cp_visit_date, row.cppv_cp_visit_seen, row.cppv_cp_visit_seen_alone);
  return r.done(row.cppv_person_id);
}

export function claVisit(row: ClaVisitRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cla_visits', row.clav_cla_visit_id), opts.by);
  visit(r, 'clav_cla_visit_date', row.clav_cla_visit_date, row.clav_cla_visit_seen, row.clav_cla_visit_seen_alone);
  return r.done(row.clav_person_id);
}

// --- Child protection -----------------------------------------------------------------------------

/**
 * The strategy discussion at which the section 47 enquiry was started: the SSD records the enquiry's
 * start date and no separate discussion, so the enquiry's start is the discussion's date.
 */
export function s47Enquiry(row: S47EnquiryRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_s47_enquiry', row.s47e_s47_enquiry_id), opts.by);
  r.add(r.date('s47e_s47_start_date', row.s47e_s47_start_date), (at) => ({ type: 'strategy-discussion', at, by: r.by, s47Started: true }));
  return r.done(row.s47e_person_id);
}

/**
 * An initial conference held: a plan made (outcome flag Y) or not (N); a transferred-in conference
 * counts the same. Meetings carry no meetingId: in CaseClock that names a meeting scheduled on the
 * case, and the SSD's meeting ids are the case system's; the source key identifies the row.
 */
export function initialCpConference(row: InitialCpConferenceRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_initial_cp_conference', row.icpc_icpc_id), opts.by);
  const outcome = row.icpc_icpc_outcome_cp_flag === 'Y' ? 'cp-plan' : row.icpc_icpc_outcome_cp_flag === 'N' ? 'no-plan' : undefined;
  r.add(r.date('icpc_icpc_date', row.icpc_icpc_date), (at) => ({
    type: 'meeting-held',
    at,
    by: r.by,
    meetingType: 'icpc',
    ...(outcome === undefined ? {} : { outcome }),
  }));
  return r.done(row.icpc_person_id);
}

/** A review conference held; one that decided the plan should not continue ends it. */
export function cpReview(row: CpReviewRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cp_reviews', row.cppr_cp_review_id), opts.by);
  r.add(r.date('cppr_cp_review_date', row.cppr_cp_review_date), (at) => ({
    type: 'meeting-held',
    at,
    by: r.by,
    meetingType: 'review-conference',
    ...(row.cppr_cp_review_outcome_continue_cp === 'N' ? { outcome: 'plan-ended' as const } : {}),
  }));
  return r.done(row.cppr_person_id);
}

/**
 * A child protection plan gives no event of its own: its initial conference starts it and the review
 * that ends it ends it (CaseClock has no "plan ended" apart from a meeting). A plan no conference
 * row names is reported, so the sync can ask for one.
 */
export function cpPlan(row: CpPlanRow, opts: SsdMappingOptions, lookups: Pick<SsdLookups, 'conferenceIds' | 'plansWithConference'>): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cp_plans', row.cppl_cp_plan_id), opts.by);
  const named = (row.cppl_icpc_id !== null && lookups.conferenceIds.has(row.cppl_icpc_id)) || lookups.plansWithConference.has(row.cppl_cp_plan_id);
  if (!named) r.warnings.push({ problem: 'plan-without-conference', sourceKey: r.sourceKey });
  return r.done(row.cppl_person_id);
}

// --- Looked-after children ------------------------------------------------------------------------

/**
 * An SSDA903 episode changes with every placement and legal status; only a period of care starting
 * (reason S) makes the child looked after, and only an episode ceasing for a reason other than X1
 * (another episode began the same day) ends it. Without a start reason, an episode that begins on
 * the day the child entered care starts one; without a ceased reason, one ends it only when no other
 * episode of the child begins that day.
 */
export function claEpisode(row: ClaEpisodeRow, opts: SsdMappingOptions, lookups: Pick<SsdLookups, 'episodesOf'>): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cla_episodes', row.clae_cla_episode_id), opts.by);
  const start = r.date('clae_cla_episode_start_date', row.clae_cla_episode_start_date);
  const ceased = r.date('clae_cla_episode_ceased_date', row.clae_cla_episode_ceased_date);
  const reason = row.clae_cla_episode_start_reason;
  const startsCare = reason === null ? row.clae_entered_care_date !== null && sameDay(row.clae_entered_care_date, row.clae_cla_episode_start_date) : reason === STARTED_TO_BE_LOOKED_AFTER;
  if (startsCare) r.add(start, (at) => ({ type: 'looked-after-started', at, by: r.by }));
  const ceasedReason = row.clae_cla_episode_ceased_reason;
  const nextSameDay = () => lookups.episodesOf(row.clae_person_id).some((e) => e.clae_cla_episode_id !== row.clae_cla_episode_id && sameDay(e.clae_cla_episode_start_date, row.clae_cla_episode_ceased_date));
  const endsCare = ceasedReason === null ? !nextSameDay() : ceasedReason !== EPISODE_CONTINUES;
  if (endsCare) r.add(ceased, (at) => ({ type: 'looked-after-ended', at, by: r.by }));
  return r.done(row.clae_person_id);
}

const sameDay = (a: string | null, b: string | null) => a !== null && b !== null && a.slice(0, 10) === b.slice(0, 10);

/** The legal status in force at `date` (local wall-clock strings compare as dates). */
function legalStatusAt(statuses: readonly LegalStatusRow[], date: string): LegalStatusRow | undefined {
  let found: LegalStatusRow | undefined;
  for (const s of statuses) {
    const from = s.lega_legal_status_start_date;
    if (from === null || from.slice(0, 10) > date.slice(0, 10)) continue;
    if (s.lega_legal_status_end_date !== null && s.lega_legal_status_end_date.slice(0, 10) <= date.slice(0, 10)) continue;
    if (found === undefined || (found.lega_legal_status_start_date ?? '') < from) found = s;
  }
  return found;
}

function personOfPlacement(row: ClaPlacementRow, lookups: Pick<SsdLookups, 'personOfClaId'>): string | undefined {
  return row.clap_person_id ?? (row.clap_cla_id === null ? undefined : lookups.personOfClaId.get(row.clap_cla_id));
}

/**
 * A placement started, with its regulation 28 type and the legal status in force that day. A
 * temporary move (T0-T4) starts no placement.
 */
export function claPlacement(row: ClaPlacementRow, opts: SsdMappingOptions, lookups: Pick<SsdLookups, 'personOfClaId' | 'legalStatusesOf'>): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cla_placement', row.clap_cla_placement_id), opts.by);
  const personId = personOfPlacement(row, lookups);
  if (personId === undefined) return { warnings: [{ problem: 'unknown-cla-id', sourceKey: r.sourceKey, claId: row.clap_cla_id }] };
  const code = row.clap_cla_placement_type;
  if (code !== null && TEMPORARY_PLACEMENT_CODES.has(code)) return r.done(personId);
  const placementType = code === null ? undefined : placementTypeOfCode(code);
  if (code !== null && placementType === undefined) r.unknownCode('clap_cla_placement_type', code);
  const startDate = row.clap_cla_placement_start_date;
  const status = startDate === null ? undefined : legalStatusAt(lookups.legalStatusesOf(personId), startDate);
  const legalStatus = status ? legalStatusOf(status) : undefined;
  r.add(r.date('clap_cla_placement_start_date', startDate), (at) => placementStarted(r.by, at, row.clap_cla_placement_id, placementType, legalStatus));
  return r.done(personId);
}

function legalStatusOf(row: LegalStatusRow): LegalStatus | undefined {
  return row.lega_legal_status === null ? undefined : legalStatusOfCode(row.lega_legal_status);
}

function placementStarted(by: string, at: string, placementId: string, placementType: PlacementType | undefined, legalStatus: LegalStatus | undefined): EventOf<'placement-started'> {
  return {
    type: 'placement-started',
    at,
    by,
    placementId,
    ...(placementType === undefined ? {} : { placementType }),
    ...(legalStatus === undefined ? {} : { legalStatus }),
  };
}

/**
 * A legal status that begins during a placement. CaseClock records it as the placement starting
 * again with the new status (domain/facts.ts), which also restarts the first-visit clock; so only
 * where the status sets the visiting rhythm (a child living with a parent under an interim or full
 * care order, regulation 28(4) and 28(5)). Elsewhere the status rides on the placement's own event.
 */
export function legalStatus(row: LegalStatusRow, opts: SsdMappingOptions, lookups: Pick<SsdLookups, 'placementsOf'>): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_legal_status', row.lega_legal_status_id), opts.by);
  const status = legalStatusOf(row);
  if (row.lega_legal_status !== null && status === undefined) r.unknownCode('lega_legal_status', row.lega_legal_status);
  const from = row.lega_legal_status_start_date;
  const at = r.date('lega_legal_status_start_date', from);
  if (from === null || at === undefined || status === undefined) return r.done(row.lega_person_id);
  const day = from.slice(0, 10);
  const placement = lookups.placementsOf(row.lega_person_id).find((p) => {
    const start = p.clap_cla_placement_start_date?.slice(0, 10);
    const end = p.clap_cla_placement_end_date?.slice(0, 10);
    return start !== undefined && start < day && (end === undefined || end > day);
  });
  const placementType = placement?.clap_cla_placement_type ? placementTypeOfCode(placement.clap_cla_placement_type) : undefined;
  if (placement && placementType === 'with-parent' && (status === 'interim-care-order' || status === 'care-order')) {
    r.add(at, (when) => placementStarted(r.by, when, placement.clap_cla_placement_id, placementType, status));
  }
  return r.done(row.lega_person_id);
}

/** A child in care review held (a cancelled one was not). Its number in the period is counted by the case. */
export function claReview(row: ClaReviewRow, opts: SsdMappingOptions, lookups: Pick<SsdLookups, 'personOfClaId'>): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cla_reviews', row.clar_cla_review_id), opts.by);
  const personId = row.clar_cla_id === null ? undefined : lookups.personOfClaId.get(row.clar_cla_id);
  if (personId === undefined) return { warnings: [{ problem: 'unknown-cla-id', sourceKey: r.sourceKey, claId: row.clar_cla_id }] };
  if (row.clar_cla_review_cancelled !== 'Y') {
    r.add(r.date('clar_cla_review_date', row.clar_cla_review_date), (at) => ({
      type: 'meeting-held',
      at,
      by: r.by,
      meetingType: 'cic-review',
    }));
  }
  return r.done(personId);
}

/**
 * A missing (or away) episode: missing at its start, returned at its end (the return interview's
 * clock starts there). The SSD says whether a return interview was accepted but not when it was
 * held, so no interview event: reported instead.
 */
export function missingEpisode(row: MissingRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_missing', row.miss_table_id), opts.by);
  const start = r.date('miss_missing_episode_start_date', row.miss_missing_episode_start_date);
  let end = r.date('miss_missing_episode_end_date', row.miss_missing_episode_end_date);
  // A return recorded before the child went missing (often a date typed without its time): the
  // child is taken as back when they went, so the return interview's clock starts, and it is reported.
  if (start !== undefined && end !== undefined && end < start) {
    r.warnings.push({ problem: 'return-before-start', sourceKey: r.sourceKey });
    end = start;
  }
  r.add(start, (at) => ({ type: 'missing-started', at, by: r.by }));
  r.add(end, (at) => ({ type: 'child-returned', at, by: r.by }));
  if (row.miss_missing_rhi_accepted === 'Y') r.warnings.push({ problem: 'return-interview-undated', sourceKey: r.sourceKey });
  return r.done(row.miss_person_id);
}

// --- Child in need episodes: what opens and closes a case -----------------------------------------

/** The referral that opens the child in need episode, and its closure (with the CIN census reason) that closes the case. */
export function cinEpisode(row: CinEpisodeRow, opts: SsdMappingOptions): RowMapping {
  const r = new RowReader(sourceKeyOf('ssd_cin_episodes', row.cine_referral_id), opts.by);
  r.add(r.date('cine_referral_date', row.cine_referral_date), (at) => ({ type: 'referral-received', at, by: r.by }));
  const code = row.cine_close_reason;
  const reason = code === null ? undefined : closeReasonOfCode(code);
  if (code !== null && reason === undefined) r.unknownCode('cine_close_reason', code);
  r.add(r.date('cine_close_date', row.cine_close_date), (at) => ({
    type: 'case-closed',
    at,
    by: r.by,
    reason: code === null ? 'child in need episode closed (no reason recorded)' : `child in need episode closed: ${code}${reason === undefined ? '' : ` (${reason})`}`,
  }));
  return r.done(row.cine_person_id);
}

/** The episodes that make a child's case what it is, with when each opened and closed. */
export function episodesOf(rows: SsdRows, lookups: Pick<SsdLookups, 'episodesOf'>): SsdEpisode[] {
  const episodes: SsdEpisode[] = [];
  const push = (sourceKey: SourceKey, personId: string, kind: CaseKind, opened: string | null, closed: string | null, closeReason?: string) => {
    const openedAt = opened === null ? undefined : instantOfSsdDate(opened);
    if (openedAt === undefined || !('instant' in openedAt)) return;
    const closedAt = closed === null ? undefined : instantOfSsdDate(closed);
    episodes.push({
      sourceKey,
      personId,
      kind,
      openedAt: openedAt.instant,
      ...(closedAt !== undefined && 'instant' in closedAt ? { closedAt: closedAt.instant } : {}),
      ...(closeReason === undefined ? {} : { closeReason }),
    });
  };
  for (const e of rows.cinEpisodes) {
    const reason = e.cine_close_reason === null ? undefined : (closeReasonOfCode(e.cine_close_reason) ?? e.cine_close_reason);
    push(sourceKeyOf('ssd_cin_episodes', e.cine_referral_id), e.cine_person_id, 'child-in-need', e.cine_referral_date, e.cine_close_date, reason);
  }
  for (const p of rows.cpPlans) push(sourceKeyOf('ssd_cp_plans', p.cppl_cp_plan_id), p.cppl_person_id, 'child-protection', p.cppl_cp_plan_start_date, p.cppl_cp_plan_end_date);
  // A period of care: from the episode that starts it to the first one after it that ends it.
  for (const personId of new Set(rows.claEpisodes.map((e) => e.clae_person_id))) {
    const ordered = [...lookups.episodesOf(personId)].sort((x, y) => ((x.clae_cla_episode_start_date ?? '') < (y.clae_cla_episode_start_date ?? '') ? -1 : 1));
    let opening: ClaEpisodeRow | undefined;
    const closePeriod = (closed: string | null) => {
      if (opening) push(sourceKeyOf('ssd_cla_episodes', opening.clae_cla_episode_id), personId, 'looked-after', opening.clae_cla_episode_start_date, closed);
      opening = undefined;
    };
    for (const e of ordered) {
      const types = (claEpisode(e, { by: 'ssd' }, lookups).entry?.events ?? []).map((ev) => ev.type);
      if (types.includes('looked-after-started')) {
        // A period with no end before a new one starts: it ended when the next began.
        closePeriod(e.clae_cla_episode_start_date);
        opening = e;
      }
      if (types.includes('looked-after-ended')) closePeriod(e.clae_cla_episode_ceased_date);
    }
    closePeriod(null);
  }
  return episodes.sort((a, b) => (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0));
}

/**
 * What a child's case is at `at`: the most intensive of its open episodes (looked after, then a
 * child protection plan, then child in need), or undefined when none is open.
 */
export function caseKindAt(episodes: readonly SsdEpisode[], personId: string, at: string): CaseKind | undefined {
  const open = episodes.filter((e) => e.personId === personId && e.openedAt <= at && (e.closedAt === undefined || e.closedAt > at)).map((e) => e.kind);
  return (['looked-after', 'child-protection', 'child-in-need'] as const).find((k) => open.includes(k));
}

export function lookupsOf(rows: SsdRows): SsdLookups {
  const group = <T>(items: readonly T[], key: (t: T) => string | null): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const item of items) {
      const k = key(item);
      if (k === null) continue;
      const list = m.get(k);
      if (list) list.push(item);
      else m.set(k, [item]);
    }
    return m;
  };
  const personOfClaId = new Map<string, string>();
  for (const e of rows.claEpisodes) if (e.clae_cla_id !== null) personOfClaId.set(e.clae_cla_id, e.clae_person_id);
  const statuses = group(rows.legalStatuses, (s) => s.lega_person_id);
  const episodes = group(rows.claEpisodes, (e) => e.clae_person_id);
  const placements = group(rows.claPlacements, (p) => p.clap_person_id ?? (p.clap_cla_id === null ? null : (personOfClaId.get(p.clap_cla_id) ?? null)));
  return {
    personOfClaId,
    legalStatusesOf: (personId) => statuses.get(personId) ?? [],
    placementsOf: (personId) => placements.get(personId) ?? [],
    episodesOf: (personId) => episodes.get(personId) ?? [],
    conferenceIds: new Set(rows.initialCpConferences.map((c) => c.icpc_icpc_id)),
    plansWithConference: new Set(rows.initialCpConferences.flatMap((c) => (c.icpc_cp_plan_id === null ? [] : [c.icpc_cp_plan_id]))),
  };
}

/** Every row of a read as entries, with the episodes and whatever the rows could not say. */
export function readSsd(rows: SsdRows, opts: SsdMappingOptions): SsdReading {
  const lookups = lookupsOf(rows);
  const mappings: RowMapping[] = [
    ...rows.cinEpisodes.map((row) => cinEpisode(row, opts)),
    ...rows.cinVisits.map((row) => cinVisit(row, opts)),
    ...rows.cpVisits.map((row) => cpVisit(row, opts)),
    ...rows.claVisits.map((row) => claVisit(row, opts)),
    ...rows.cpPlans.map((row) => cpPlan(row, opts, lookups)),
    ...rows.cpReviews.map((row) => cpReview(row, opts)),
    ...rows.initialCpConferences.map((row) => initialCpConference(row, opts)),
    ...rows.s47Enquiries.map((row) => s47Enquiry(row, opts)),
    ...rows.claEpisodes.map((row) => claEpisode(row, opts, lookups)),
    ...rows.claPlacements.map((row) => claPlacement(row, opts, lookups)),
    ...rows.claReviews.map((row) => claReview(row, opts, lookups)),
    ...rows.legalStatuses.map((row) => legalStatus(row, opts, lookups)),
    ...rows.missing.map((row) => missingEpisode(row, opts)),
  ];
  const entries = mappings.flatMap((m) => (m.entry ? [m.entry] : [])).sort((a, b) => (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0));
  return { entries, episodes: episodesOf(rows, lookups), warnings: mappings.flatMap((m) => m.warnings) };
}
