/**
 * Values as an administrator types them, read one way by every interface that takes them (the
 * import file's cells, the command line's `--at`, `--date` and the like): UK local dates and times
 * written day/month/year (`30/11/2026`, `30/11/2026 10:30`), ISO local (`2026-11-30T10:30`, UK
 * time) or an instant with an offset (`2026-11-30T10:30:00Z`). What is wrong is said in words an
 * administrator uses, with the expected form, for the caller to put after the value as typed
 * (`quoted`) and the place it was typed (line and column, or the option). Pure: luxon only.
 */
import { DateTime } from 'luxon';
import { LEGAL_ZONE } from './time-zone';

/** The forms a date may take, as every refusal of one ends. */
export const DATE_FORMS = 'dates are day/month/year, e.g. 30/11/2026 or 30/11/2026 10:30 (UK time), or ISO, e.g. 2026-11-30T10:30';

/** The instants CaseClock takes (IsoInstant in domain/facts.ts says the same). */
const EARLIEST_YEAR = 2000;
const LATEST_YEAR = 2100;

/** Longest part of a typed value echoed in an error (the rest is cut, marked with …). */
const MAX_ECHO = 60;
/** Characters JSON.stringify leaves as they are that can still disguise or rewrite a line of text. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/** Control and bidirectional-override characters written as `\uXXXX`. */
export const withoutInvisibles = (text: string): string => text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * A value as typed, as an error shows it: in double quotes, cut to its first characters, with
 * control and bidirectional-override characters written out, so an echo can neither flood a line
 * nor forge or disguise it.
 */
export function quoted(value: string): string {
  const cut = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
  return withoutInvisibles(JSON.stringify(cut));
}

/** A date (and time) read as UK local time, or an instant with an offset. */
export interface TypedInstant {
  ok: true;
  /** The UTC instant, e.g. 2026-11-30T10:30:00.000Z. */
  instant: string;
  /** No time was typed: the start of that day in UK time. */
  dateOnly: boolean;
  /**
   * Typed day/month/year: its two numbers as typed, so a caller can tell a date that reads the same
   * either way (both 12 or less, and different: 11/02/2026) from one that cannot be month/day.
   */
  dayMonth?: { day: number; month: number };
}

export interface TypedInstantProblem {
  ok: false;
  /** What is wrong, to follow the value as typed: `is not a real date: dates are day/month/year, ...`. */
  problem: string;
  /** The value reads as month/day/year (its second number is over 12, its first 12 or less). */
  monthDay?: true;
}

const DAY_MONTH_YEAR = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:(?:\s{1,3}|,\s{0,2}|T)(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?$/;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
/** The longest date anyone types; a longer value is refused before any pattern sees it. */
const MAX_DATE_CHARS = 40;

const refuse = (problem: string, monthDay?: true): TypedInstantProblem => ({ ok: false, problem, ...(monthDay ? { monthDay } : {}) });

function inRange(local: DateTime): TypedInstantProblem | undefined {
  return local.year < EARLIEST_YEAR || local.year >= LATEST_YEAR ? refuse(`is not a date CaseClock takes: the year must be from ${EARLIEST_YEAR} to ${LATEST_YEAR - 1}`) : undefined;
}

/** A UK local date and time from its parts, refused when it is no real date or the clocks skip it. */
function local(parts: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number; millisecond?: number }, form: string): TypedInstantProblem | { instant: string } {
  const { year, month, day, hour = 0, minute = 0, second = 0, millisecond = 0 } = parts;
  const dt = DateTime.fromObject({ year, month, day, hour, minute, second, millisecond }, { zone: LEGAL_ZONE });
  if (!dt.isValid) {
    const timeWrong = hour > 23 || minute > 59 || second > 59;
    return refuse(timeWrong ? `is not a real time: times are 24-hour hh:mm, e.g. ${form}` : `is not a real date: ${DATE_FORMS}`);
  }
  // Luxon moves a time the clocks skip (01:30 on the night they go forward) to one that exists.
  if (dt.hour !== hour || dt.minute !== minute) return refuse('does not exist in UK time (the clocks go forward that night)');
  return inRange(dt) ?? { instant: dt.toUTC().toISO() ?? '' };
}

/**
 * Reads a date (and time) as an administrator types it: day/month/year in UK time (the separator
 * `/`, `.` or `-`; a time after it, hh:mm or hh:mm:ss), ISO local in UK time, or an instant with an
 * offset. A date alone is the start of that day in UK time. An ambiguous date (11/02/2026) is read
 * day/month, as documented (docs/import.md); one that can only be month/day (11/30/2026) is refused
 * as such, never turned round.
 */
export function readUkDateTime(typed: string): TypedInstant | TypedInstantProblem {
  const value = typed.trim();
  if (value === '') return refuse(`is empty: ${DATE_FORMS}`);
  if (value.length > MAX_DATE_CHARS) return refuse(`is too long for a date: ${DATE_FORMS}`);

  const dmy = DAY_MONTH_YEAR.exec(value);
  if (dmy) {
    const [, d, , m, y, h, mi, s] = dmy;
    const day = Number(d);
    const month = Number(m);
    if ((y ?? '').length === 2) return refuse(`has a two-digit year: write the year in full, e.g. ${day}/${month}/20${y}`);
    const timed = h !== undefined;
    if (month > 12 && day <= 12) {
      const time = timed ? ` ${h}:${mi}${s === undefined ? '' : `:${s}`}` : '';
      return refuse(`is month/day/year (${month} cannot be a month): dates are day/month/year, so write it ${m}/${d}/${y}${time}`, true);
    }
    const read = local({ year: Number(y), month, day, ...(timed ? { hour: Number(h), minute: Number(mi), second: Number(s ?? 0) } : {}) }, '30/11/2026 14:30');
    if ('problem' in read) return read;
    return { ok: true, instant: read.instant, dateOnly: !timed, dayMonth: { day, month } };
  }

  const iso = ISO_LOCAL.exec(value);
  if (iso) {
    const [, y, m, d, h, mi, s, ms] = iso;
    const timed = h !== undefined;
    const read = local(
      { year: Number(y), month: Number(m), day: Number(d), ...(timed ? { hour: Number(h), minute: Number(mi), second: Number(s ?? 0), millisecond: Number((ms ?? '0').padEnd(3, '0')) } : {}) },
      '2026-11-30T14:30',
    );
    if ('problem' in read) return Number(m) > 12 ? refuse(`is not a real date: ISO dates are year-month-day, e.g. 2026-11-30T10:30`) : read;
    return { ok: true, instant: read.instant, dateOnly: !timed };
  }

  if (ISO_OFFSET.test(value)) {
    const dt = DateTime.fromISO(value, { setZone: true });
    if (!dt.isValid) return refuse(`is not a real date and time: an instant with an offset is year-month-day, e.g. 2026-11-30T10:30:00Z`);
    const out = inRange(dt);
    if (out) return out;
    return { ok: true, instant: dt.toUTC().toISO() ?? '', dateOnly: false };
  }
  return refuse(`is not a date: ${DATE_FORMS}`);
}

/**
 * Whether `typed` can only be a month/day/year date (11/30/2026): as readUkDateTime calls it, by
 * its pattern alone (no date is built), for a whole file's cells at once.
 */
export function writtenMonthDay(typed: string): boolean {
  const value = typed.trim();
  if (value.length > MAX_DATE_CHARS) return false;
  const dmy = DAY_MONTH_YEAR.exec(value);
  return dmy !== null && (dmy[4] ?? '').length === 4 && Number(dmy[3]) > 12 && Number(dmy[1]) <= 12;
}

/**
 * Whether a date typed day/month reads differently month/day: both numbers 12 or less, and not
 * the same (05/05/2026 is 5 May either way).
 */
export const readsBothWays = (r: TypedInstant): boolean => r.dayMonth !== undefined && r.dayMonth.day <= 12 && r.dayMonth.month <= 12 && r.dayMonth.day !== r.dayMonth.month;
