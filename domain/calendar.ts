/**
 * Working days in England and Wales (the README, "How time is counted").
 *
 * - Local dates are Europe/London dates; instants are UTC ISO strings.
 * - "N working days" after a trigger: the trigger's local date is day 0 whatever day it is; day 1
 *   is the first working day after that date; the deadline is the end (23:59:59.999 local) of
 *   the Nth working day.
 * - "N working days before D": the end of the Nth working day counted back from D's local date.
 * - A working day is Monday to Friday and not a bank holiday.
 *
 * The calendar refuses to answer for a year it has no bank holidays for, instead of silently
 * treating that year as holiday-free; later years are added by configuration
 * (`WorkingDayCalendar.englandAndWales(extra)`).
 *
 * Pure and deterministic: no I/O, no clock, no environment. Safe inside Temporal workflows. A
 * running case freezes `calendar.holidays` (plain JSON) and rebuilds the calendar with
 * `WorkingDayCalendar.fromHolidays`, so replay never depends on data that can change.
 */
import { DateTime } from 'luxon';
import { ENGLAND_AND_WALES_BANK_HOLIDAYS } from './bank-holidays';
import { LEGAL_ZONE } from './time-zone';

/** A calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

export interface BankHoliday {
  date: IsoDate;
  name: string;
}

/** Whether `date` is a real calendar date written 'YYYY-MM-DD' (2026-02-30 is not). */
export function isIsoDate(date: unknown): date is IsoDate {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const [year = NaN, month = NaN, day = NaN] = date.split('-').map(Number);
  return month >= 1 && month <= 12 && day >= 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/**
 * What is wrong with one bank holiday, or undefined. The calendar runs inside workflows, whose
 * modules stay free of zod (see docs/decisions/0003-shared-workflow-modules.md); policy files are
 * checked with zod (domain/calendar-schemas.ts) before they reach it.
 */
function bankHolidayProblem(holiday: unknown): string | undefined {
  if (holiday === null || typeof holiday !== 'object') return 'must be an object with a date and a name';
  const { date, name } = holiday as { date?: unknown; name?: unknown };
  if (!isIsoDate(date)) return 'date must be a calendar date written YYYY-MM-DD, e.g. 2026-12-25';
  if (typeof name !== 'string' || name.trim() === '') return 'name must not be empty';
  if (name.trim().length > 200) return 'name must be at most 200 characters';
  return undefined;
}

const INSTANT_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Thrown when a computation needs a year the calendar has no bank holidays for. */
export class CalendarCoverageError extends Error {
  constructor(
    readonly year: number,
    readonly firstYear: number,
    readonly lastYear: number,
  ) {
    super(`no England and Wales bank holidays are known for ${year} (the calendar covers ${firstYear} to ${lastYear}); ` + `configure the extra bank holidays for ${year} to count working days in it`);
    this.name = 'CalendarCoverageError';
  }
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const MS_PER_DAY = 86_400_000;

/**
 * A calendar date as a whole number of days since 1970-01-01: plain integer arithmetic, no clock
 * changes, and fast enough for the engine to count months of working days.
 */
type DayNumber = number;

function dayNumber(year: number, month: number, day: number): DayNumber {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

function parseDate(date: IsoDate, what: string): DayNumber {
  if (!isIsoDate(date)) throw new Error(`${what} ${JSON.stringify(date)} must be a calendar date written YYYY-MM-DD`);
  const [year = NaN, month = NaN, day = NaN] = date.split('-').map(Number);
  return dayNumber(year, month, day);
}

function formatDate(day: DayNumber): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

function yearOfDay(day: DayNumber): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

/** ISO weekday: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday). */
function weekdayOf(day: DayNumber): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The Europe/London date on which an instant falls. */
function localDateOf(instant: string, what: string): DayNumber {
  const ms = typeof instant === 'string' && INSTANT_WITH_OFFSET.test(instant) ? Date.parse(instant) : NaN;
  if (Number.isNaN(ms)) {
    throw new Error(`${what} ${JSON.stringify(instant)} must be an ISO-8601 instant with an offset, e.g. 2026-03-28T20:30:00Z`);
  }
  const local = DateTime.fromMillis(ms, { zone: LEGAL_ZONE });
  return dayNumber(local.year, local.month, local.day);
}

/** 23:59:59.999 Europe/London on a date, as a UTC ISO instant (right on both clock-change days). */
function endOfLocalDay(day: DayNumber): string {
  const date = new Date(day * MS_PER_DAY);
  const end = DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: 23,
      minute: 59,
      second: 59,
      millisecond: 999,
    },
    { zone: LEGAL_ZONE },
  );
  const iso = end.toUTC().toISO();
  if (iso === null) throw new Error(`cannot represent the end of ${formatDate(day)} in ${LEGAL_ZONE}`);
  return iso;
}

/** 00:00 Europe/London on a date, as a UTC ISO instant. */
function startOfLocalDay(day: DayNumber): string {
  const date = new Date(day * MS_PER_DAY);
  const start = DateTime.fromObject({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }, { zone: LEGAL_ZONE });
  const iso = start.toUTC().toISO();
  if (iso === null) throw new Error(`cannot represent the start of ${formatDate(day)} in ${LEGAL_ZONE}`);
  return iso;
}

function assertCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`the number of working days must be a whole number, 0 or more; got ${n}`);
  }
}

function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

export class WorkingDayCalendar {
  /** Sorted by date, one entry per date, plain JSON: freeze this into a running case. */
  readonly holidays: readonly BankHoliday[];
  /** First calendar year whose bank holidays are known. */
  readonly firstYear: number;
  /** Last calendar year whose bank holidays are known. */
  readonly lastYear: number;
  readonly #names: ReadonlyMap<DayNumber, string>;
  readonly #firstDay: DayNumber;
  readonly #lastDay: DayNumber;

  private constructor(holidays: readonly BankHoliday[], firstYear: number, lastYear: number) {
    this.holidays = Object.freeze(holidays.map((h) => Object.freeze({ date: h.date, name: h.name })));
    this.firstYear = firstYear;
    this.lastYear = lastYear;
    this.#names = new Map(holidays.map((h) => [parseDate(h.date, 'bank holiday'), h.name]));
    this.#firstDay = dayNumber(firstYear, 1, 1);
    this.#lastDay = dayNumber(lastYear, 12, 31);
  }

  /**
   * The bank holidays shipped with CaseClock plus configured extras (for years after the shipped
   * list, or a newly proclaimed day). On a date in both, the shipped name is kept.
   */
  static englandAndWales(extra: readonly BankHoliday[] = []): WorkingDayCalendar {
    return WorkingDayCalendar.fromHolidays([...ENGLAND_AND_WALES_BANK_HOLIDAYS, ...extra]);
  }

  /**
   * A calendar from an explicit list, e.g. one frozen into a running case. The years covered are
   * those from the earliest to the latest holiday; every year in between must have at least one
   * (every year in England and Wales has bank holidays, so an empty year is a missing year).
   * On duplicate dates the first entry wins.
   */
  static fromHolidays(holidays: readonly BankHoliday[]): WorkingDayCalendar {
    const byDate = new Map<IsoDate, BankHoliday>();
    holidays.forEach((holiday, index) => {
      const problem = bankHolidayProblem(holiday);
      if (problem) throw new Error(`bank holiday #${index + 1} (${JSON.stringify(holiday)}): ${problem}`);
      const checked = { date: holiday.date, name: holiday.name.trim() };
      if (!byDate.has(checked.date)) byDate.set(checked.date, checked);
    });
    const sorted = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    if (!first || !last) throw new Error('a working-day calendar needs at least one bank holiday');
    const firstYear = yearOf(first.date);
    const lastYear = yearOf(last.date);
    const years = new Set(sorted.map((h) => yearOf(h.date)));
    for (let year = firstYear; year <= lastYear; year++) {
      if (!years.has(year)) {
        throw new Error(`no bank holidays are given for ${year}, between ${firstYear} and ${lastYear}; configure that year's bank holidays`);
      }
    }
    return new WorkingDayCalendar(sorted, firstYear, lastYear);
  }

  isBankHoliday(date: IsoDate): boolean {
    return this.#holidayName(parseDate(date, 'date')) !== undefined;
  }

  bankHolidayName(date: IsoDate): string | undefined {
    return this.#holidayName(parseDate(date, 'date'));
  }

  /** Monday to Friday and not a bank holiday. */
  isWorkingDay(date: IsoDate): boolean {
    return this.#isWorking(parseDate(date, 'date'));
  }

  /**
   * "N working days" after an instant: the trigger's local (Europe/London) date is day 0 whatever
   * day it is; day 1 is the first working day after it; returns the END of the Nth working day,
   * 23:59:59.999 local, as a UTC ISO instant. n >= 0 (n = 0 → end of the trigger's own day).
   */
  addWorkingDays(from: string, n: number): string {
    assertCount(n);
    let day = localDateOf(from, 'from');
    for (let counted = 0; counted < n;) {
      day += 1;
      if (this.#isWorking(day)) counted++;
    }
    return endOfLocalDay(day);
  }

  /**
   * "N working days before D": the end (23:59:59.999 local) of the Nth working day counted back
   * from D's local date (D's date is day 0; n = 0 → end of D's own day).
   */
  subtractWorkingDays(before: string, n: number): string {
    assertCount(n);
    let day = localDateOf(before, 'before');
    for (let counted = 0; counted < n;) {
      day -= 1;
      if (this.#isWorking(day)) counted++;
    }
    return endOfLocalDay(day);
  }

  /** Every date from..to inclusive with working/bank-holiday/weekend status. */
  days(from: IsoDate, to: IsoDate): Array<{ date: IsoDate; weekday: string; working: boolean; bankHoliday?: string }> {
    const start = parseDate(from, 'from');
    const end = parseDate(to, 'to');
    if (start > end) throw new Error(`from ${from} is after to ${to}`);
    const result: Array<{ date: IsoDate; weekday: string; working: boolean; bankHoliday?: string }> = [];
    for (let day = start; day <= end; day++) {
      const bankHoliday = this.#holidayName(day);
      const weekday = WEEKDAYS[weekdayOf(day) - 1] ?? '';
      const working = this.#isWorking(day);
      result.push(bankHoliday === undefined ? { date: formatDate(day), weekday, working } : { date: formatDate(day), weekday, working, bankHoliday });
    }
    return result;
  }

  /**
   * How much of the working days between two instants the period covers, in working days: each
   * working day counts the share of its own local length (23, 24 or 25 hours) inside the period.
   * Friday 10:00 to Monday 10:00 is 14/24 + 10/24 = 1 working day; a weekend alone is 0.
   */
  workingDaysCovered(start: string, end: string): number {
    const startMs = Date.parse(start);
    const endMs = Date.parse(end);
    if (!(endMs > startMs)) return 0;
    let covered = 0;
    for (let day = localDateOf(start, 'start'), last = localDateOf(end, 'end'); day <= last; day++) {
      if (!this.#isWorking(day)) continue;
      const dayStart = Date.parse(startOfLocalDay(day));
      const dayEnd = Date.parse(endOfLocalDay(day)) + 1;
      const overlap = Math.min(endMs, dayEnd) - Math.max(startMs, dayStart);
      if (overlap > 0) covered += overlap / (dayEnd - dayStart);
    }
    return covered;
  }

  /** End of the local day (23:59:59.999 Europe/London) containing an instant, or of the next working day if that day is not one. */
  endOfWorkingDayOnOrAfter(instant: string): string {
    let day = localDateOf(instant, 'instant');
    while (!this.#isWorking(day)) day += 1;
    return endOfLocalDay(day);
  }

  #holidayName(day: DayNumber): string | undefined {
    if (day < this.#firstDay || day > this.#lastDay) {
      throw new CalendarCoverageError(yearOfDay(day), this.firstYear, this.lastYear);
    }
    return this.#names.get(day);
  }

  /** Monday to Friday and not a bank holiday; refuses a year the calendar does not cover. */
  #isWorking(day: DayNumber): boolean {
    const name = this.#holidayName(day);
    return weekdayOf(day) <= 5 && name === undefined;
  }
}
