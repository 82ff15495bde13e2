/**
 * A synthetic council in the Standard Safeguarding Dataset's form, for development and tests:
 * teams, workers and managers, and children with their referrals, s47 enquiries, conferences,
 * plans, periods of care, placements, legal statuses, visits, reviews, missing episodes and
 * allocations, over `years` up to `asOf`. The same seed gives the same council, row for row.
 *
 * The rhythms are plausible, not exact: CIN visits about every four weeks, CP visits about every
 * two weeks, looked-after visits within a week of placement then about every six weeks, CP reviews
 * at three months then six-monthly, looked-after reviews at 20 working days, three months, then
 * six-monthly; a few visits, reviews and return interviews late or missing, so clocks would fire.
 * Every personal column holds a canary (tools/ssd/personal.ts).
 *
 * Each row keeps its history (recorded, changed, corrected, deleted, each on a day), so the council
 * can be seen as its nightly extract on any day of the period, and a day's changes are the rows
 * that extract added, changed or lost that day.
 *
 *   npx tsx tools/ssd/council.ts --children 200 --csv DIR
 *   npx tsx tools/ssd/council.ts --children 200 --pg postgres://...
 *   (also --seed, --years, --as-of YYYY-MM-DD; --changes YYYY-MM-DD writes that day's changes instead)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { nhsCheckDigit } from './personal';
import { SSD_PRIMARY_KEYS, SSD_ROW_SCHEMAS, type SsdRow, type SsdTableName } from './schemas';

// --- Days and times ------------------------------------------------------------------------------

/** Days since 1970-01-01: whole days keep the calendar arithmetic exact. */
type Day = number;
const MS_PER_DAY = 86_400_000;

export const dayOf = (date: string): Day => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a date as YYYY-MM-DD: ${date}`);
  return Math.round(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY);
};
export const dateOf = (day: Day): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
/** The council's local wall-clock time, as the extract holds it. */
const at = (day: Day, minuteOfDay = 0): string => `${dateOf(day)} ${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}:00`;
const weekday = (day: Day): number => (day + 4) % 7; // 1970-01-01 was a Thursday; 0 is Sunday.
const isWeekend = (day: Day): boolean => weekday(day) === 0 || weekday(day) === 6;
/** Weekdays only: the council's dates need to be plausible, not to follow the bank holidays. */
function addWorkingDays(day: Day, n: number): Day {
  let d = day;
  for (let left = n; left > 0;) {
    d += 1;
    if (!isWeekend(d)) left -= 1;
  }
  return d;
}
const nextWorkingDay = (day: Day): Day => (isWeekend(day) ? addWorkingDays(day, 1) : day);
function addMonths(day: Day, months: number): Day {
  const d = new Date(day * MS_PER_DAY);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastOfMonth = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastOfMonth));
  return Math.round(target.getTime() / MS_PER_DAY);
}

// --- Deterministic randomness --------------------------------------------------------------------

/** A small seeded generator (mulberry32), one stream per child so children do not depend on each other. */
class Random {
  private state: number;
  constructor(seed: string) {
    let h = 2166136261;
    for (let i = 0; i < seed.length; i += 1) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
    this.state = h >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** A time in office hours, on the quarter hour. */
  officeMinute(): number {
    return 9 * 60 + 15 * this.int(0, 31);
  }
  yn(p: number): 'Y' | 'N' {
    return this.chance(p) ? 'Y' : 'N';
  }
}

// --- The council and its rows' histories ---------------------------------------------------------

export interface CouncilOptions {
  seed: string;
  children: number;
  years: number;
  /** The last day of the period (the night of the latest extract), YYYY-MM-DD. */
  asOf: string;
}

export const DEFAULT_COUNCIL: CouncilOptions = { seed: 'caseclock', children: 10_000, years: 2, asOf: '2026-06-30' };

export type VersionKind = 'new' | 'change' | 'correction';

/** One row of one table through time: each version the day it reached the extract, then perhaps deleted. */
export interface RowHistory<R> {
  versions: { on: Day; kind: VersionKind; row: R }[];
  deletedOn: Day | null;
}

type AnyHistory = RowHistory<Record<string, unknown>>;

export type SsdTables = { [T in SsdTableName]: SsdRow<T>[] };
type Histories = { [T in SsdTableName]: RowHistory<SsdRow<T>>[] };

export interface Council {
  options: CouncilOptions;
  firstDay: string;
  lastDay: string;
  histories: Histories;
  /** The extract on the night of `asOf`. */
  tables: SsdTables;
}

export const SSD_TABLE_NAMES = Object.keys(SSD_ROW_SCHEMAS) as SsdTableName[];

const emptyTables = <V>(make: () => V): { [T in SsdTableName]: V } => Object.fromEntries(SSD_TABLE_NAMES.map((t) => [t, make()])) as { [T in SsdTableName]: V };

/** Records rows and their changes, dropping whatever would reach the extract after the last day. */
class Recorder {
  readonly histories: Histories = emptyTables(() => []) as unknown as Histories;
  private readonly counters = new Map<string, number>();
  constructor(private readonly lastDay: Day) {}

  /** The next id of a kind of row, as a case system numbers them. */
  id(kind: string, base: number): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return String(base + n);
  }

  add<T extends SsdTableName>(table: T, on: Day, row: SsdRow<T>): RowHistory<SsdRow<T>> | undefined {
    if (on > this.lastDay) return undefined;
    const history: RowHistory<SsdRow<T>> = { versions: [{ on, kind: 'new', row }], deletedOn: null };
    (this.histories[table] as RowHistory<SsdRow<T>>[]).push(history);
    return history;
  }

  change<R>(history: RowHistory<R> | undefined, on: Day, patch: Partial<R>, kind: VersionKind = 'change'): void {
    if (!history || history.deletedOn !== null || on > this.lastDay) return;
    const last = history.versions[history.versions.length - 1]!;
    if (on < last.on) throw new Error(`a row changed on ${dateOf(on)}, before its last version of ${dateOf(last.on)}`);
    history.versions.push({ on, kind, row: { ...last.row, ...patch } });
  }

  delete<R>(history: RowHistory<R> | undefined, on: Day): void {
    if (!history || history.deletedOn !== null || on > this.lastDay) return;
    history.deletedOn = on;
  }
}

// --- Code sets (the spec's guidance) -------------------------------------------------------------

const NEED_CODES = ['N1', 'N1', 'N1', 'N1', 'N2', 'N3', 'N4', 'N4', 'N5', 'N5', 'N6', 'N7', 'N8'] as const;
const REFERRAL_SOURCES = [
  ['1A', 'Individual'],
  ['1B', 'Individual - family member'],
  ['2A', 'Schools'],
  ['3A', 'Health services - GP'],
  ['3B', 'Health services - health visitor'],
  ['5A', 'Police'],
  ['5A', 'Police'],
  ['6', 'Other legal agency'],
  ['8', 'Other'],
] as const;
const ABUSE_CATEGORIES = ['NEG', 'NEG', 'NEG', 'EMO', 'EMO', 'PHY', 'SAB', 'MUL'] as const;
const PLACEMENT_TYPES = ['U1', 'U3', 'U4', 'U4', 'U5', 'U6', 'U6', 'K2', 'R1', 'P1'] as const;
const CHANGE_REASONS = ['CARPL', 'CARPL', 'PLACE', 'CREQB', 'LAREQ', 'OTHER'] as const;
const PARTICIPATION = ['PN1', 'PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7'] as const;
const FORENAMES = ['Aisha', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Fatima', 'George', 'Hannah', 'Imran', 'Jess', 'Kieran', 'Lucy', 'Mohammed', 'Nadia', 'Owen', 'Priya'];
const SURNAMES = ['Ahmed', 'Brown', 'Clarke', 'Davies', 'Evans', 'Green', 'Hughes', 'Khan', 'Lewis', 'Morris', 'Patel', 'Roberts', 'Shaw', 'Taylor', 'Walker', 'Wright'];

/**
 * An outcome column: the spec's keys, all present whatever is known ("" until the outcome is
 * recorded, as `yes` undefined), and the worker's free-text comment where the spec has one.
 */
const outcomeJson = (keys: readonly string[], yes: readonly string[] | undefined, comment?: { key: string; text: string }): string => {
  const entries: Record<string, string | number> = {};
  for (const key of keys) entries[key] = yes === undefined ? '' : yes.includes(key) ? 'Y' : 'N';
  entries.OTHER_OUTCOMES_EXIST_FLAG = yes === undefined ? '' : 'N';
  entries.TOTAL_NO_OF_OUTCOMES = yes?.length ?? '';
  if (comment) entries[comment.key] = comment.text;
  return JSON.stringify(entries);
};

// --- The workforce -------------------------------------------------------------------------------

type Area = 'front door' | 'safeguarding' | 'children in care' | 'disabled children';
interface Team {
  id: string;
  name: string;
  area: Area;
  workers: string[];
}
interface Workforce {
  teams: Team[];
  byArea: Record<Area, Team[]>;
}

const AREAS: { area: Area; name: string; share: number; teamNames: string[] }[] = [
  { area: 'front door', name: 'Front Door and Assessment', share: 0.2, teamNames: ['Assessment Team', 'MASH Team'] },
  { area: 'safeguarding', name: 'Safeguarding and Family Support', share: 0.45, teamNames: ['Family Support Team', 'Child Protection Team'] },
  { area: 'children in care', name: 'Children in Care', share: 0.25, teamNames: ['Children in Care Team', 'Permanence Team'] },
  { area: 'disabled children', name: 'Disabled Children and Edge of Care', share: 0.1, teamNames: ['Disabled Children Team', 'Edge of Care Team'] },
];

function workforce(rec: Recorder, random: Random, children: number, firstDay: Day): Workforce {
  const on = firstDay;
  const workerCount = Math.max(8, Math.ceil(children / 16)); // about 16 children a worker
  const root = rec.id('dept', 100);
  rec.add('ssd_department', on, { dept_team_id: root, dept_team_name: "Children's Services", dept_team_parent_id: null, dept_team_parent_name: null });
  const teams: Team[] = [];
  const byArea = { 'front door': [], safeguarding: [], 'children in care': [], 'disabled children': [] } as Record<Area, Team[]>;
  const person = (): string => `${random.pick(FORENAMES)} ${random.pick(SURNAMES)}`;
  const professional = (title: string, department: string, caseload: number): string => {
    const id = rec.id('prof', 50_000);
    rec.add('ssd_professionals', on, {
      prof_professional_id: id,
      prof_staff_id: `STAFF${id}`,
      prof_professional_name: person(),
      prof_social_worker_registration_no: title.includes('Social Worker') || title.includes('Manager') ? `SW${random.int(10_000, 199_999)}` : null,
      prof_professional_job_title: title,
      prof_professional_caseload: caseload,
      prof_professional_department: department,
      prof_full_time_equivalency: random.pick([1, 1, 1, 0.8, 0.6]),
      prof_agency_worker_flag: random.yn(0.15),
    });
    return id;
  };
  for (const { area, name, share, teamNames } of AREAS) {
    const areaId = rec.id('dept', 100);
    rec.add('ssd_department', on, { dept_team_id: areaId, dept_team_name: name, dept_team_parent_id: root, dept_team_parent_name: "Children's Services" });
    professional('Head of Service', name, 0);
    const areaWorkers = Math.max(2, Math.round(workerCount * share));
    const teamCount = Math.max(1, Math.round(areaWorkers / 7));
    for (let t = 0; t < teamCount; t += 1) {
      const id = rec.id('dept', 100);
      const teamName = `${teamNames[t % teamNames.length]!} ${t + 1}`;
      rec.add('ssd_department', on, { dept_team_id: id, dept_team_name: teamName, dept_team_parent_id: areaId, dept_team_parent_name: name });
      professional('Team Manager', teamName, 0);
      const workers: string[] = [];
      const size = Math.max(2, Math.round(areaWorkers / teamCount));
      for (let w = 0; w < size; w += 1) {
        const title = random.pick(['Social Worker', 'Social Worker', 'Senior Social Worker', 'Advanced Practitioner', 'Family Support Worker']);
        workers.push(professional(title, teamName, random.int(8, 24)));
      }
      const team = { id, name: teamName, area, workers };
      teams.push(team);
      byArea[area].push(team);
    }
  }
  return { teams, byArea };
}

// --- A child's story -----------------------------------------------------------------------------

interface Allocation {
  team: Team;
  worker: string;
}

class Child {
  readonly personId: string;
  readonly referralId: string;
  private allocation: RowHistory<SsdRow<'ssd_involvements'>> | undefined;
  current: Allocation;
  dob: Day = 0;

  constructor(
    private readonly rec: Recorder,
    private readonly random: Random,
    private readonly staff: Workforce,
    readonly index: number,
    readonly referral: Day,
    private readonly lastDay: Day,
  ) {
    this.personId = String(1_000_000 + index);
    this.referralId = rec.id('referral', 3_000_000);
    this.current = this.allocate('front door');
  }

  private allocate(area: Area): Allocation {
    const team = this.random.pick(this.staff.byArea[area]);
    return { team, worker: this.random.pick(team.workers) };
  }

  /** A new allocated worker from `on` (the previous allocation ends the same day). */
  allocateTo(area: Area, on: Day, reason: string | null, next: Allocation = this.allocate(area)): void {
    this.endAllocation(on, reason);
    this.current = next;
    this.allocation = this.rec.add('ssd_involvements', on, {
      invo_involvements_id: this.rec.id('involvement', 7_000_000),
      invo_professional_id: next.worker,
      invo_professional_role_id: 'Allocated Case Worker',
      invo_professional_team: next.team.id,
      invo_involvement_start_date: at(on, this.random.officeMinute()),
      invo_involvement_end_date: null,
      invo_worker_change_reason: null,
      invo_person_id: this.personId,
      invo_referral_id: this.referralId,
    });
  }

  endAllocation(on: Day, reason: string | null): void {
    this.rec.change(this.allocation, on, { invo_involvement_end_date: at(on, 17 * 60), invo_worker_change_reason: reason });
  }

  /** Visits from `from` until `until`, about every `every` days; the seen flags as the table has them. */
  visits(kind: 'cin' | 'cp' | 'cla', from: Day, until: Day, every: number, first: number, context: { planId?: string; claId?: string }): void {
    const age = this.ageAt(from);
    let day = from + this.random.int(0, first);
    while (day <= Math.min(until, this.lastDay)) {
      const visitDay = isWeekend(day) ? day + (weekday(day) === 6 ? 2 : 1) : day;
      const minute = this.random.officeMinute();
      const seen = this.random.yn(0.95);
      const alone = seen === 'Y' && age >= 5 ? this.random.yn(0.7) : 'N';
      const recordedOn = visitDay + this.random.pick([0, 0, 1, 1, 2, 3, 5]);
      let history: AnyHistory | undefined;
      if (kind === 'cin') {
        history = this.rec.add('ssd_cin_visits', recordedOn, {
          cinv_cin_visit_id: this.rec.id('visit', 20_000_000),
          cinv_person_id: this.personId,
          cinv_cin_visit_date: at(visitDay, minute),
          cinv_cin_visit_seen: seen,
          cinv_cin_visit_seen_alone: alone,
          cinv_cin_visit_bedroom: seen === 'Y' ? this.random.yn(0.5) : 'N',
        });
      } else if (kind === 'cp') {
        history = this.rec.add('ssd_cp_visits', recordedOn, {
          cppv_cp_visit_id: this.rec.id('visit', 20_000_000),
          cppv_person_id: this.personId,
          cppv_cp_plan_id: context.planId ?? null,
          cppv_cp_visit_date: at(visitDay, minute),
          cppv_cp_visit_seen: seen,
          cppv_cp_visit_seen_alone: alone,
          cppv_cp_visit_bedroom: seen === 'Y' ? this.random.yn(0.6) : 'N',
        });
      } else {
        history = this.rec.add('ssd_cla_visits', recordedOn, {
          clav_cla_visit_id: this.rec.id('visit', 20_000_000),
          clav_cla_id: context.claId ?? null,
          clav_person_id: this.personId,
          clav_cla_visit_date: at(visitDay, minute),
          clav_cla_visit_seen: seen,
          clav_cla_visit_seen_alone: alone,
        });
      }
      // A visit recorded on the wrong date and corrected, or entered in error and deleted, later.
      const dateColumn = kind === 'cin' ? 'cinv_cin_visit_date' : kind === 'cp' ? 'cppv_cp_visit_date' : 'clav_cla_visit_date';
      if (this.random.chance(0.02)) {
        const shift = this.random.pick([-3, -2, -1, 1, 2]);
        this.rec.change(history, recordedOn + this.random.int(1, 14), { [dateColumn]: at(visitDay + shift, minute) }, 'correction');
      } else if (this.random.chance(0.01)) {
        this.rec.delete(history, recordedOn + this.random.int(1, 20));
      }
      // Most visits come early; some late, so the visiting clocks would fire.
      const late = this.random.chance(0.08) ? this.random.int(5, Math.max(10, every)) : 0;
      day = visitDay + Math.max(3, every - this.random.int(0, Math.ceil(every / 4)) + late);
    }
  }

  ageAt(day: Day): number {
    return Math.floor((day - this.dob) / 365.25);
  }
}

/** Rows of one child: person, address, UPN, contact, referral and what followed. */
function childStory(rec: Recorder, seed: string, staff: Workforce, index: number, firstDay: Day, lastDay: Day): void {
  const random = new Random(`${seed}:child:${index}`);
  // Four in ten children were already known when the period began, as in any council's caseload.
  const referral = nextWorkingDay(random.chance(0.4) ? random.int(firstDay - 3 * 365, firstDay - 1) : random.int(firstDay, lastDay - 1));
  const child = new Child(rec, random, staff, index, referral, lastDay);
  const ageAtReferral = random.int(0, 17);
  child.dob = referral - ageAtReferral * 365 - random.int(0, 364);
  const sex = random.pick(['M', 'F', 'F', 'M', 'M', 'F', 'U']);
  const knownSince = Math.max(child.dob, referral - random.int(30, 2_000));
  rec.add('ssd_person', referral, {
    pers_person_id: child.personId,
    pers_forename: `CANARY-FORENAME-${index}`,
    pers_surname: `CANARY-SURNAME-${index}`,
    pers_sex: sex,
    pers_gender: sex === 'M' ? '01' : sex === 'F' ? '02' : '00',
    pers_ethnicity: `CANARY-ETHNICITY-${index}`,
    pers_dob: at(child.dob),
    pers_common_child_id: nhsCanary(index),
    pers_legacy_id: `CR${child.personId}`,
    pers_upn_unknown: ageAtReferral < 4 ? 'UN1' : null,
    pers_send_flag: random.yn(0.12),
    pers_expected_dob: null,
    pers_death_date: null,
    pers_is_mother: sex === 'F' && ageAtReferral >= 15 ? random.yn(0.05) : 'N',
    pers_nationality: `CANARY-NATIONALITY-${index}`,
  });
  rec.add('ssd_address', referral, {
    addr_table_id: rec.id('address', 4_000_000),
    addr_address_json: JSON.stringify({
      ROOM: '',
      FLOOR: '',
      FLAT: '',
      BUILDING: '',
      HOUSE: `CANARY-HOUSE-${index}`,
      STREET: `CANARY-STREET-${index}`,
      TOWN: `CANARY-TOWN-${index}`,
      UPRN: `CANARY-UPRN-${index}`,
      EASTING: '',
      NORTHING: '',
    }),
    addr_person_id: child.personId,
    addr_address_type: 'Home',
    addr_address_start_date: at(knownSince),
    addr_address_end_date: null,
    addr_address_postcode: `CANARY-POSTCODE-${index}`,
  });
  if (ageAtReferral >= 4) {
    rec.add('ssd_linked_identifiers', referral, {
      link_table_id: rec.id('link', 5_000_000),
      link_person_id: child.personId,
      link_identifier_type: 'Unique Pupil Number',
      link_identifier_value: `CANARY-UPN-${index}`,
      link_valid_from_date: at(knownSince),
      link_valid_to_date: null,
    });
  }

  const [sourceCode, sourceDesc] = random.pick(REFERRAL_SOURCES);
  rec.add('ssd_contacts', referral, {
    cont_contact_id: rec.id('contact', 6_000_000),
    cont_person_id: child.personId,
    cont_contact_date: at(referral - random.int(0, 2), random.officeMinute()),
    cont_contact_source_code: sourceCode,
    cont_contact_source_desc: sourceDesc,
    cont_contact_outcome_json: outcomeJson(['NEW_REFERRAL_FLAG', 'EXISTING_REFERRAL_FLAG', 'CP_ENQUIRY_FLAG', 'NFA_FLAG', 'ADVICE_FLAG', 'MISSING_FLAG'], ['NEW_REFERRAL_FLAG']),
  });

  // The path: no further action, child in need, s47 (some to a plan), or into care.
  const roll = random.next();
  const pathway = roll < 0.1 ? 'nfa' : roll < 0.55 ? 'cin' : roll < 0.82 ? 's47' : 'cla';
  const need = random.pick(NEED_CODES);
  const front = child.current;
  const episode = rec.add('ssd_cin_episodes', referral, {
    cine_referral_id: child.referralId,
    cine_person_id: child.personId,
    cine_referral_date: at(referral, random.officeMinute()),
    cine_cin_primary_need_code: need,
    cine_referral_source_code: sourceCode,
    cine_referral_source_desc: sourceDesc,
    cine_referral_outcome_json: outcomeJson(
      ['SINGLE_ASSESSMENT_FLAG', 'NFA_FLAG', 'STRATEGY_DISCUSSION_FLAG', 'CLA_REQUEST_FLAG', 'CP_CONFERENCE_FLAG'],
      pathway === 'nfa' ? ['NFA_FLAG'] : pathway === 's47' ? ['STRATEGY_DISCUSSION_FLAG'] : pathway === 'cla' ? ['CLA_REQUEST_FLAG'] : ['SINGLE_ASSESSMENT_FLAG'],
    ),
    cine_referral_nfa: pathway === 'nfa' ? 'Y' : 'N',
    cine_close_reason: null,
    cine_close_date: null,
    cine_referral_team: front.team.id,
    cine_referral_worker_id: front.worker,
  });
  const close = (on: Day, reason: string): void => {
    if (on > lastDay) return;
    if (episode && episode.versions[episode.versions.length - 1]!.row.cine_close_date !== null) return;
    rec.change(episode, on, { cine_close_date: at(on, 16 * 60), cine_close_reason: reason });
    child.endAllocation(on, 'Case closed');
  };
  child.allocateTo('front door', referral, null, front);
  if (pathway === 'nfa') {
    close(addWorkingDays(referral, random.int(1, 5)), 'RC8');
    return;
  }

  let supportFrom = addWorkingDays(referral, random.int(5, 30));
  if (pathway === 's47') {
    const strategy = addWorkingDays(referral, random.int(0, 3));
    const toConference = random.chance(0.55);
    // An enquiry that leads to a conference ends before it (the conference is within 15 working days).
    const s47End = addWorkingDays(strategy, toConference ? random.int(4, 9) : random.int(5, 20));
    const s47Id = rec.id('s47', 8_000_000);
    const s47Keys = ['NFA_FLAG', 'LEGAL_ACTION_FLAG', 'PROV_OF_SERVICES_FLAG', 'CP_CONFERENCE_FLAG', 'MONITOR_FLAG'];
    const s47Comment = { key: 'OUTCOME_COMMENTS', text: `CANARY-TEXT-S47-${s47Id}` };
    const s47 = rec.add('ssd_s47_enquiry', strategy, {
      s47e_s47_enquiry_id: s47Id,
      s47e_referral_id: child.referralId,
      s47e_person_id: child.personId,
      s47e_s47_start_date: at(strategy, random.officeMinute()),
      s47e_s47_end_date: null,
      s47e_s47_nfa: null,
      s47e_s47_outcome_json: outcomeJson(s47Keys, undefined, s47Comment),
      s47e_s47_completed_by_worker_id: front.worker,
      s47e_s47_completed_by_team: front.team.id,
    });
    rec.change(s47, s47End, {
      s47e_s47_end_date: at(s47End, 16 * 60),
      s47e_s47_nfa: toConference ? 'N' : random.yn(0.4),
      s47e_s47_outcome_json: outcomeJson(s47Keys, toConference ? ['CP_CONFERENCE_FLAG'] : ['PROV_OF_SERVICES_FLAG'], s47Comment),
    });
    supportFrom = s47End;
    if (toConference) {
      const target = addWorkingDays(strategy, 15);
      // Most conferences meet the 15 working days; some are late.
      const held = random.chance(0.2) ? addWorkingDays(target, random.int(1, 10)) : addWorkingDays(strategy, random.int(10, 15));
      const planned = random.chance(0.9);
      const icpcId = rec.id('icpc', 9_000_000);
      const icpcKeys = ['NFA_FLAG', 'REFERRAL_TO_OTHER_AGENCY_FLAG', 'SINGLE_ASSESSMENT_FLAG', 'PROV_OF_SERVICES_FLAG', 'CP_FLAG'];
      const icpcComment = { key: 'COMMENTS', text: `CANARY-TEXT-ICPC-${icpcId}` };
      const planId = planned ? rec.id('cpplan', 9_500_000) : null;
      const icpc = rec.add('ssd_initial_cp_conference', s47End, {
        icpc_icpc_id: icpcId,
        icpc_icpc_meeting_id: `M${icpcId}`,
        icpc_s47_enquiry_id: s47Id,
        icpc_person_id: child.personId,
        icpc_cp_plan_id: null,
        icpc_referral_id: child.referralId,
        icpc_icpc_transfer_in: 'N',
        icpc_icpc_target_date: at(target),
        icpc_icpc_date: null,
        icpc_icpc_outcome_cp_flag: null,
        icpc_icpc_outcome_json: outcomeJson(icpcKeys, undefined, icpcComment),
        icpc_icpc_team: front.team.id,
        icpc_icpc_worker_id: front.worker,
      });
      const conferenceMinute = random.pick([10 * 60, 14 * 60]);
      rec.change(icpc, held, {
        icpc_icpc_date: at(held, conferenceMinute),
        icpc_cp_plan_id: planId,
        icpc_icpc_outcome_cp_flag: planned ? 'Y' : 'N',
        icpc_icpc_outcome_json: outcomeJson(icpcKeys, planned ? ['CP_FLAG'] : ['PROV_OF_SERVICES_FLAG'], icpcComment),
      });
      supportFrom = held;
      if (planId) {
        child.allocateTo('safeguarding', held, 'Transfer to safeguarding team');
        const planTarget = addMonths(held, random.int(4, 20));
        const intoCare = random.chance(0.12);
        const category = random.pick(ABUSE_CATEGORIES);
        const plan = rec.add('ssd_cp_plans', held, {
          cppl_cp_plan_id: planId,
          cppl_referral_id: child.referralId,
          cppl_icpc_id: icpcId,
          cppl_person_id: child.personId,
          cppl_cp_plan_start_date: at(held, conferenceMinute),
          cppl_cp_plan_end_date: null,
          cppl_cp_plan_initial_category: category,
          cppl_cp_plan_ola: 'N',
          cppl_cp_plan_latest_category: category,
        });
        // Review conferences: three months after the initial one, then six-monthly; the one due
        // after the plan's intended length ends it.
        let previous = held;
        let due = addMonths(held, 3);
        let planEnd = Number.POSITIVE_INFINITY;
        for (;;) {
          const last = due >= planTarget;
          const reviewId = rec.id('cpreview', 9_700_000);
          const review = rec.add('ssd_cp_reviews', previous, {
            cppr_cp_review_id: reviewId,
            cppr_person_id: child.personId,
            cppr_cp_plan_id: planId,
            cppr_cp_review_due: at(due),
            cppr_cp_review_date: null,
            cppr_cp_review_meeting_id: `M${reviewId}`,
            cppr_cp_review_outcome_continue_cp: null,
            cppr_cp_review_quorate: null,
            cppr_cp_review_participation: null,
          });
          const heldDay = nextWorkingDay(random.chance(0.1) ? addWorkingDays(due, random.int(3, 15)) : due - random.int(0, 5));
          rec.change(review, heldDay, {
            cppr_cp_review_date: at(heldDay, random.pick([10 * 60, 14 * 60])),
            cppr_cp_review_outcome_continue_cp: last ? 'N' : 'Y',
            cppr_cp_review_quorate: random.yn(0.95),
            cppr_cp_review_participation: random.pick(PARTICIPATION),
          });
          if (heldDay > lastDay) break;
          if (last) {
            planEnd = heldDay;
            break;
          }
          previous = heldDay;
          due = addMonths(heldDay, 6);
        }
        child.visits('cp', held, Math.min(planEnd, lastDay), 14, 10, { planId });
        laterContacts(rec, random, child, held, Math.min(planEnd, lastDay));
        if (planEnd > lastDay) return;
        rec.change(plan, planEnd, { cppl_cp_plan_end_date: at(planEnd, 16 * 60) });
        if (intoCare) {
          careStory(rec, random, child, planEnd, lastDay, need, close);
          return;
        }
        supportFrom = planEnd;
      }
    }
  }
  if (pathway === 'cla') {
    careStory(rec, random, child, addWorkingDays(referral, random.int(2, 40)), lastDay, need, close);
    return;
  }
  // Child in need: a plan with visits about every four weeks, closed after a few months to a year and a half.
  child.allocateTo(random.chance(0.15) ? 'disabled children' : 'safeguarding', supportFrom, 'Transfer after assessment');
  const closeOn = nextWorkingDay(addMonths(supportFrom, random.int(2, 18)));
  if (random.chance(0.2)) {
    const change = supportFrom + random.int(30, 200);
    if (change < closeOn) child.allocateTo(child.current.team.area, change, random.pick(['Worker left', 'Caseload balancing', 'Worker on long-term leave']));
  }
  child.visits('cin', supportFrom, closeOn, 20, 10, {});
  laterContacts(rec, random, child, supportFrom, Math.min(closeOn, lastDay));
  missingEpisodes(rec, random, child, supportFrom, closeOn, lastDay, random.chance(0.05) ? random.int(1, 2) : 0);
  close(closeOn, random.pick(['RC7', 'RC7', 'RC7', 'RC3', 'RC5']));
}

/** How each period of care's episodes end, until the reviews have stamped their IRO contacts. */
const episodeEnds = new WeakMap<object, { on: Day; reason: string }>();

function careStory(rec: Recorder, random: Random, child: Child, start: Day, lastDay: Day, need: string, close: (on: Day, reason: string) => void): void {
  if (start > lastDay) return;
  child.allocateTo('children in care', start, 'Transfer to children in care team');
  const claId = rec.id('cla', 11_000_000);
  const ceases = random.chance(0.35) ? addMonths(start, random.int(4, 20)) : Number.POSITIVE_INFINITY;
  const end = Math.min(ceases, lastDay);

  // Legal status: an interim care order then a full one, or accommodated under s20.
  const legal = (status: string, from: Day, to: Day | null): void => {
    const history = rec.add('ssd_legal_status', from, {
      lega_legal_status_id: rec.id('legal', 12_000_000),
      lega_person_id: child.personId,
      lega_legal_status: status,
      lega_legal_status_start_date: at(from),
      lega_legal_status_end_date: null,
    });
    if (to !== null && to <= lastDay) rec.change(history, to, { lega_legal_status_end_date: at(to) });
  };
  if (random.chance(0.55)) {
    const fullOrder = addMonths(start, random.int(3, 9));
    legal('C1', start, Math.min(fullOrder, ceases) <= lastDay ? Math.min(fullOrder, ceases) : null);
    if (fullOrder < ceases) legal('C2', fullOrder, Number.isFinite(ceases) ? ceases : null);
  } else {
    legal('V2', start, Number.isFinite(ceases) ? ceases : null);
  }

  // Placements, each with its episode; a change of placement starts a new episode.
  let placementStart = start;
  let lastIroContact: string | null = null;
  const episodes: RowHistory<SsdRow<'ssd_cla_episodes'>>[] = [];
  for (let n = 0; placementStart <= end; n += 1) {
    const stable = n >= 2 || random.chance(0.6);
    const placementEnd = stable ? ceases : placementStart + random.int(20, 240);
    const placementId = rec.id('placement', 13_000_000);
    const type = random.pick(PLACEMENT_TYPES);
    const placement = rec.add('ssd_cla_placement', placementStart, {
      clap_cla_placement_id: placementId,
      clap_cla_placement_start_date: at(placementStart, random.officeMinute()),
      clap_cla_placement_type: type,
      clap_cla_placement_urn: type === 'K2' || type === 'R1' ? `SC${random.int(100_000, 999_999)}` : null,
      clap_cla_placement_distance: Math.round(random.next() * 400) / 10,
      clap_cla_id: claId,
      clap_cla_placement_provider: random.pick(['PR1', 'PR1', 'PR2', 'PR4', 'PR5']),
      clap_cla_placement_postcode: `CANARY-POSTCODE-P${placementId}`,
      clap_cla_placement_end_date: null,
      clap_cla_placement_change_reason: null,
      clap_person_id: child.personId,
    });
    const episode = rec.add('ssd_cla_episodes', placementStart, {
      clae_cla_episode_id: rec.id('claepisode', 14_000_000),
      clae_person_id: child.personId,
      clae_cla_episode_start_date: at(placementStart),
      clae_cla_episode_start_reason: n === 0 ? 'S' : 'P',
      clae_cla_primary_need_code: need,
      clae_cla_episode_ceased_date: null,
      clae_cla_episode_ceased_reason: null,
      clae_cla_id: claId,
      clae_referral_id: child.referralId,
      clae_cla_placement_id: placementId,
      clae_entered_care_date: at(start),
      clae_cla_last_iro_contact_date: lastIroContact,
    });
    if (episode) episodes.push(episode);
    // Statutory visits: within a week of the placement, then about every six weeks.
    child.visits('cla', placementStart, Math.min(placementEnd, end), 35, 7, { claId });
    if (placementEnd > lastDay) break;
    const finalEnd = placementEnd >= ceases;
    rec.change(placement, placementEnd, { clap_cla_placement_end_date: at(placementEnd), clap_cla_placement_change_reason: finalEnd ? null : random.pick(CHANGE_REASONS) });
    // Episode changes are left to the reviews below, which also stamp the last IRO contact.
    if (episode) episodeEnds.set(episode, { on: placementEnd, reason: finalEnd ? random.pick(['E4A', 'E4A', 'E11', 'E12', 'E13', 'E41']) : 'X1' });
    if (finalEnd) break;
    placementStart = placementEnd;
    lastIroContact = null;
  }

  // Reviews: 20 working days after coming into care, then three months, then six-monthly.
  let previous = start;
  let due = addWorkingDays(start, 20);
  const iroContacts: Day[] = [];
  while (due <= end + 30 && due <= ceases) {
    const review = rec.add('ssd_cla_reviews', previous, {
      clar_cla_review_id: rec.id('clareview', 15_000_000),
      clar_cla_id: claId,
      clar_cla_review_due_date: at(due),
      clar_cla_review_date: null,
      clar_cla_review_cancelled: 'N',
      clar_cla_review_participation: null,
    });
    const heldDay = nextWorkingDay(random.chance(0.08) ? addWorkingDays(due, random.int(2, 20)) : due - random.int(0, 7));
    rec.change(review, heldDay, {
      clar_cla_review_date: at(heldDay, random.pick([10 * 60, 14 * 60])),
      clar_cla_review_participation: child.ageAt(heldDay) < 4 ? 'PN0' : random.pick(PARTICIPATION),
    });
    if (heldDay > lastDay) break;
    iroContacts.push(heldDay);
    previous = heldDay;
    due = iroContacts.length === 1 ? addMonths(heldDay, 3) : addMonths(heldDay, 6);
  }
  // Each episode in turn: the IRO's contacts while it lasted, then its end.
  for (const episode of episodes) {
    const startDay = dayOf(episode.versions[0]!.row.clae_cla_episode_start_date!.slice(0, 10));
    const ends = episodeEnds.get(episode);
    for (const contact of iroContacts) {
      if (contact >= startDay && (!ends || contact < ends.on)) rec.change(episode, contact, { clae_cla_last_iro_contact_date: at(contact) });
    }
    if (ends) rec.change(episode, ends.on, { clae_cla_episode_ceased_date: at(ends.on), clae_cla_episode_ceased_reason: ends.reason });
  }
  missingEpisodes(rec, random, child, start, end, lastDay, random.chance(0.25) ? random.int(1, 5) : 0);
  laterContacts(rec, random, child, start, end);
  if (Number.isFinite(ceases) && ceases <= lastDay) close(ceases, random.pick(['RC1', 'RC3', 'RC4', 'RC7']));
}

/** Contacts about a child whose case is open: notifications from the police, schools and health. */
function laterContacts(rec: Recorder, random: Random, child: Child, from: Day, until: Day): void {
  for (let day = from + random.int(20, 90); day <= until; day += random.int(20, 90)) {
    const [code, desc] = random.pick(REFERRAL_SOURCES);
    rec.add('ssd_contacts', day, {
      cont_contact_id: rec.id('contact', 6_000_000),
      cont_person_id: child.personId,
      cont_contact_date: at(day, random.int(0, 95) * 15),
      cont_contact_source_code: code,
      cont_contact_source_desc: desc,
      cont_contact_outcome_json: outcomeJson(['NEW_REFERRAL_FLAG', 'EXISTING_REFERRAL_FLAG', 'CP_ENQUIRY_FLAG', 'NFA_FLAG', 'ADVICE_FLAG', 'MISSING_FLAG'], ['EXISTING_REFERRAL_FLAG']),
    });
  }
}

/** Missing episodes, each with its return and the return interview's offer (some late or not offered). */
function missingEpisodes(rec: Recorder, random: Random, child: Child, from: Day, until: Day, lastDay: Day, count: number): void {
  for (let i = 0; i < count; i += 1) {
    const start = random.int(from, Math.max(from, Math.min(until, lastDay)));
    const returned = start + random.int(0, 3);
    const type = random.chance(0.85) ? 'Missing' : 'Away';
    const history = rec.add('ssd_missing', start, {
      miss_table_id: rec.id('missing', 16_000_000),
      miss_person_id: child.personId,
      miss_missing_episode_start_date: at(start, random.int(0, 23) * 60),
      miss_missing_episode_type: type,
      miss_missing_episode_end_date: null,
      miss_missing_rhi_offered: null,
      miss_missing_rhi_accepted: null,
    });
    rec.change(history, returned, { miss_missing_episode_end_date: at(returned, random.int(0, 23) * 60) });
    // The return interview is due within 72 hours; a few are offered late or never.
    if (type === 'Missing' && random.chance(0.9)) {
      const offered = returned + (random.chance(0.85) ? random.int(0, 3) : random.int(4, 10));
      rec.change(history, offered, { miss_missing_rhi_offered: 'Y', miss_missing_rhi_accepted: random.chance(0.65) ? 'Y' : 'N' });
    } else {
      rec.change(history, returned + 3, { miss_missing_rhi_offered: type === 'Away' ? 'NA' : 'N' });
    }
  }
}

/** A ten-digit NHS-like number in the test range (999...), valid by its check digit; unique per child. */
export function nhsCanary(index: number): string {
  for (let k = index * 4; k < index * 4 + 4; k += 1) {
    const body = `999${pad(k % 1_000_000, 6)}`;
    const check = nhsCheckDigit(body);
    if (check !== undefined) return `${body}${check}`;
  }
  return `CANARY-NHS-${index}`;
}

// --- The council, its extract on a night, and a day's changes ------------------------------------

export function generateCouncil(options: Partial<CouncilOptions> = {}): Council {
  const o: CouncilOptions = { ...DEFAULT_COUNCIL, ...options };
  if (!Number.isInteger(o.children) || o.children < 1) throw new Error(`children must be a positive whole number, not ${o.children}`);
  if (!(o.years > 0)) throw new Error(`years must be positive, not ${o.years}`);
  const lastDay = dayOf(o.asOf);
  const firstDay = lastDay - Math.round(365.25 * o.years);
  const rec = new Recorder(lastDay);
  const staff = workforce(rec, new Random(`${o.seed}:workforce`), o.children, firstDay);
  for (let i = 1; i <= o.children; i += 1) childStory(rec, o.seed, staff, i, firstDay, lastDay);
  const council = { options: o, firstDay: dateOf(firstDay), lastDay: o.asOf, histories: rec.histories, tables: emptyTables(() => []) as unknown as SsdTables };
  council.tables = extractOn(council, o.asOf);
  return council;
}

const rowKey = (table: SsdTableName, row: Record<string, unknown>): string => row[SSD_PRIMARY_KEYS[table]] as string;

/** The extract as it stood on the night of `date`: each row's latest version by then, less the deleted. */
export function extractOn(council: Pick<Council, 'histories'>, date: string): SsdTables {
  const day = dayOf(date);
  const tables = emptyTables(() => [] as unknown[]);
  for (const table of SSD_TABLE_NAMES) {
    const rows: unknown[] = [];
    for (const history of council.histories[table] as RowHistory<unknown>[]) {
      if (history.versions[0]!.on > day || (history.deletedOn !== null && history.deletedOn <= day)) continue;
      let row = history.versions[0]!.row;
      for (const v of history.versions) if (v.on <= day) row = v.row;
      rows.push(row);
    }
    tables[table] = rows;
  }
  return tables as unknown as SsdTables;
}

export interface DayChanges {
  day: string;
  /** Rows new that night, or changed (a later version, corrections among them), whole, by table. */
  upserts: SsdTables;
  /** The keys of rows the extract no longer has. */
  deletions: { [T in SsdTableName]: string[] };
  /** Which of the upserts are corrections of a visit's date, and how many rows are new or changed. */
  corrections: { table: SsdTableName; key: string }[];
  counts: { new: number; changed: number; corrected: number; deleted: number };
}

/** What the extract of `date` adds, changes and loses against the night before. */
export function dayChanges(council: Council, date: string): DayChanges {
  const day = dayOf(date);
  if (date < council.firstDay || date > council.lastDay) throw new Error(`${date} is outside the council's period, ${council.firstDay} to ${council.lastDay}`);
  const upserts = emptyTables(() => [] as unknown[]);
  const deletions = emptyTables(() => [] as string[]);
  const corrections: DayChanges['corrections'] = [];
  const counts = { new: 0, changed: 0, corrected: 0, deleted: 0 };
  for (const table of SSD_TABLE_NAMES) {
    for (const history of council.histories[table] as AnyHistory[]) {
      const first = history.versions[0]!.on;
      if (first > day) continue;
      if (history.deletedOn === day) {
        if (first < day) {
          deletions[table].push(rowKey(table, history.versions[0]!.row));
          counts.deleted += 1;
        }
        continue;
      }
      if (history.deletedOn !== null && history.deletedOn < day) continue;
      const today = history.versions.filter((v) => v.on === day);
      const latest = today[today.length - 1];
      if (!latest) continue;
      upserts[table].push(latest.row);
      if (first === day) counts.new += 1;
      else if (today.some((v) => v.kind === 'correction')) {
        counts.corrected += 1;
        corrections.push({ table, key: rowKey(table, latest.row) });
      } else counts.changed += 1;
    }
  }
  return { day: date, upserts: upserts as unknown as SsdTables, deletions, corrections, counts };
}

export const rowCount = (tables: SsdTables): number => SSD_TABLE_NAMES.reduce((n, t) => n + tables[t].length, 0);

// --- Command line --------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      children: { type: 'string' },
      years: { type: 'string' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      csv: { type: 'string' },
      pg: { type: 'string' },
      changes: { type: 'string' },
    },
  });
  if (!values.csv && !values.pg) throw new Error('say where to write: --csv DIR and/or --pg postgres://...');
  if (values.changes && values.pg) throw new Error("a day's changes go to --csv only (with its deletions in deletions.csv)");
  const options: Partial<CouncilOptions> = {};
  if (values.children) options.children = Number(values.children);
  if (values.years) options.years = Number(values.years);
  if (values.seed) options.seed = values.seed;
  if (values['as-of']) options.asOf = values['as-of'];
  const { writeSsdCsv, writeSsdPostgres } = await import('./io');
  const started = performance.now();
  const council = generateCouncil(options);
  const generatedMs = performance.now() - started;
  const changes = values.changes ? dayChanges(council, values.changes) : undefined;
  const tables = changes ? changes.upserts : council.tables;
  const say = (line: string): boolean => process.stdout.write(`${line}\n`);
  say(`${council.options.children} children, ${council.firstDay} to ${council.lastDay}: ${rowCount(tables)} rows${values.changes ? ` changed on ${values.changes}` : ''}, generated in ${Math.round(generatedMs)} ms`);
  if (values.csv) {
    const t = performance.now();
    await writeSsdCsv(tables, values.csv);
    if (changes) {
      const lines = ['table,key', ...SSD_TABLE_NAMES.flatMap((t) => changes.deletions[t].map((key) => `${t},${key}`))];
      writeFileSync(path.join(values.csv, 'deletions.csv'), `${lines.join('\r\n')}\r\n`);
    }
    say(`CSV in ${values.csv}: ${Math.round(performance.now() - t)} ms`);
  }
  if (values.pg) {
    const t = performance.now();
    await writeSsdPostgres(tables, values.pg);
    say(`PostgreSQL: ${Math.round(performance.now() - t)} ms`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
