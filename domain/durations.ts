/**
 * ISO-8601 durations as CaseClock counts them (the README, "How time is counted"):
 *
 * - hour, minute and second parts are ELAPSED time: PT24H after 20:30 on the Saturday before
 *   the clocks go forward is 21:30 local on the Sunday;
 * - year, month, week and day parts keep the Europe/London wall-clock time: P14D after 10:00 BST
 *   is 10:00 GMT; months are calendar months clamped at month end (31 Aug + P6M = 28/29 Feb).
 *
 * Calendar parts are applied first, then elapsed parts. Results are UTC ISO instants ending in Z.
 * Pure and deterministic: safe inside Temporal workflows.
 */
import { DateTime } from 'luxon';
import { LEGAL_ZONE } from './time-zone';

/** An ISO-8601 duration as written in policy files, e.g. 'PT24H', 'P14D', 'P8W', 'P3M'. */
export type IsoDuration = string;

export interface DurationParts {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION_PATTERN = /^P(?:(\d{1,6})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6})S)?)?$/;
export const DURATION_MESSAGE = 'must be an ISO-8601 duration such as P14D, PT24H, P8W or P3M';

/** Longest duration accepted anywhere in a policy: nothing statutory is counted over ten years. */
export const MAX_APPROX_MS = 10 * 366 * 24 * 3600 * 1000;

/** The parts of an ISO-8601 duration, or undefined when it is not one CaseClock accepts. */
export function parseIsoDuration(iso: string): DurationParts | undefined {
  const m = DURATION_PATTERN.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return undefined;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

function parseOrThrow(iso: string): DurationParts {
  const parts = parseIsoDuration(iso);
  if (!parts) throw new Error(`${JSON.stringify(iso)} ${DURATION_MESSAGE}`);
  return parts;
}

/** Elapsed milliseconds of the hour/minute/second parts. */
function elapsedMs(p: DurationParts): number {
  return ((p.hours * 60 + p.minutes) * 60 + p.seconds) * 1000;
}

function hasCalendarPart(p: DurationParts): boolean {
  return p.years + p.months + p.weeks + p.days > 0;
}

/**
 * A rough length in milliseconds (a month as 30.44 days, a day as 24 h), for ordering and
 * sanity checks only, never for deadlines.
 */
export function approximateMs(iso: IsoDuration): number {
  const p = parseOrThrow(iso);
  const day = 24 * 3600 * 1000;
  return (p.years * 365.25 + p.months * 30.44 + p.weeks * 7 + p.days) * day + elapsedMs(p);
}

/** Whether a duration is zero (PT0S, P0D, ...). */
export function isZeroDuration(iso: IsoDuration): boolean {
  const p = parseOrThrow(iso);
  return !hasCalendarPart(p) && elapsedMs(p) === 0;
}

/** `count` times a duration, part by part (P7D × 3 = P21D: still wall-clock days). */
export function multiplyDuration(iso: IsoDuration, count: number): DurationParts {
  const p = parseOrThrow(iso);
  return {
    years: p.years * count,
    months: p.months * count,
    weeks: p.weeks * count,
    days: p.days * count,
    hours: p.hours * count,
    minutes: p.minutes * count,
    seconds: p.seconds * count,
  };
}

function instantMs(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`${JSON.stringify(instant)} must be an ISO-8601 instant with an offset`);
  return ms;
}

const HOUR_MS = 3600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Europe/London's UTC offset (minutes) at an instant, from the tz database through luxon, memoised
 * per UTC hour (London changes its clocks only on the hour). A pure cache: same answer every time.
 */
const offsetCache = new Map<number, number>();
export function londonOffsetMinutes(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetCache.get(hour);
  if (offset === undefined) {
    if (offsetCache.size > 50_000) offsetCache.clear();
    offset = DateTime.fromMillis(hour * HOUR_MS, { zone: LEGAL_ZONE }).offset;
    offsetCache.set(hour, offset);
  }
  return offset;
}

/**
 * The instant of a London wall-clock time (given as milliseconds of that wall time read as UTC),
 * resolving the clock changes exactly as luxon does: `guess` is the offset before the arithmetic;
 * a time in the spring gap moves forward by the gap, an ambiguous autumn time keeps `guess` if it can.
 */
function wallToInstant(wallMs: number, guess: number): number {
  let utc = wallMs - guess * MINUTE_MS;
  const o2 = londonOffsetMinutes(utc);
  if (guess === o2) return utc;
  utc -= (o2 - guess) * MINUTE_MS;
  const o3 = londonOffsetMinutes(utc);
  if (o2 === o3) return utc;
  return wallMs - Math.min(o2, o3) * MINUTE_MS;
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** Calendar parts on London wall-clock time: months clamped at month end, then days and weeks. */
function shiftCalendar(ms: number, p: DurationParts, sign: 1 | -1): number {
  const offset = londonOffsetMinutes(ms);
  const wall = new Date(ms + offset * MINUTE_MS);
  const monthIndex = wall.getUTCFullYear() * 12 + wall.getUTCMonth() + sign * (p.years * 12 + p.months);
  const year = Math.floor(monthIndex / 12);
  const month0 = monthIndex - year * 12;
  const day = Math.min(wall.getUTCDate(), daysInMonth(year, month0)) + sign * (p.weeks * 7 + p.days);
  const timeOfDay = ms + offset * MINUTE_MS - Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  const wallMs = Date.UTC(year, month0, 1) + (day - 1) * DAY_MS + timeOfDay;
  return wallToInstant(wallMs, offset);
}

function shift(instant: string, parts: DurationParts, sign: 1 | -1): string {
  let ms = instantMs(instant);
  if (hasCalendarPart(parts)) ms = shiftCalendar(ms, parts, sign);
  ms += sign * elapsedMs(parts);
  return new Date(ms).toISOString();
}

/** `instant` plus an ISO-8601 duration (or its parts), Europe/London rules, as a UTC ISO instant. */
export function addIsoDuration(instant: string, duration: IsoDuration | DurationParts): string {
  return shift(instant, typeof duration === 'string' ? parseOrThrow(duration) : duration, 1);
}

/** `instant` minus an ISO-8601 duration (or its parts), Europe/London rules, as a UTC ISO instant. */
export function subtractIsoDuration(instant: string, duration: IsoDuration | DurationParts): string {
  return shift(instant, typeof duration === 'string' ? parseOrThrow(duration) : duration, -1);
}

/**
 * Wall-clock milliseconds of Europe/London between two instants: elapsed time corrected by the
 * clock change between them (10:00 BST Saturday to 10:00 GMT Monday is 48 hours, not 49).
 */
export function wallClockMsBetween(start: string, end: string): number {
  const a = instantMs(start);
  const b = instantMs(end);
  return b + londonOffsetMinutes(b) * MINUTE_MS - (a + londonOffsetMinutes(a) * MINUTE_MS);
}

/** `instant` moved on by wall-clock milliseconds in Europe/London (10:00 stays 10:00 across a clock change). */
export function addWallClockMs(instant: string, ms: number): string {
  const at = instantMs(instant);
  const offset = londonOffsetMinutes(at);
  return new Date(wallToInstant(at + offset * MINUTE_MS + ms, offset)).toISOString();
}

/** An instant shown in Europe/London with its offset, e.g. 2026-03-29T21:30:00.000+01:00. */
export function toLocalIso(instant: string): string {
  const dt = DateTime.fromMillis(instantMs(instant), { zone: LEGAL_ZONE });
  const iso = dt.toISO();
  if (iso === null) throw new Error(`cannot represent ${dt.toString()} in ${LEGAL_ZONE}`);
  return iso;
}

/** 00:00 Europe/London at the start of a calendar date ('YYYY-MM-DD') plus `days`, as a UTC ISO instant. */
export function startOfLocalDate(date: string, days = 0): string {
  const [year = NaN, month = NaN, day = NaN] = date.split('-').map(Number);
  const midnightAsUtc = Date.UTC(year, month - 1, day + days);
  if (Number.isNaN(midnightAsUtc)) throw new Error(`${JSON.stringify(date)} must be a date written YYYY-MM-DD`);
  return new Date(wallToInstant(midnightAsUtc, londonOffsetMinutes(midnightAsUtc))).toISOString();
}

/** The Europe/London calendar date ('YYYY-MM-DD') on which an instant falls. */
export function localDateOf(instant: string): string {
  const ms = instantMs(instant);
  return new Date(ms + londonOffsetMinutes(ms) * MINUTE_MS).toISOString().slice(0, 10);
}
