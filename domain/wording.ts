/**
 * How CaseClock says how soon or how late, in words, and at what local time: the one wording for
 * the command line, the console and the emails. Pure (no clock is read: `now` is always passed
 * in), so workflow code may use it too.
 *
 * Rules:
 * - At most two units, the largest first: "2 days 4 hours", "3 hours 5 minutes",
 *   "2 minutes 58 seconds", "4 seconds". A second unit that is zero is left out ("3 hours").
 * - Every unit is truncated, never rounded up: 2:58 left reads "2 minutes 58 seconds", 59:59
 *   overdue reads "59 minutes 59 seconds", never "1 hour". The error is under one of the smaller
 *   unit shown, and a countdown that truncates ticks the way a clock does.
 * - A day is 24 elapsed hours (deadlines are instants; a day across a clock change is still 24 h).
 * - Under one second reads "less than a second".
 * - One pair of words everywhere: "due in …" before the deadline, "… overdue" after it;
 *   exactly at the deadline, "due now".
 */

import { DateTime } from 'luxon';
import { parseIsoDuration } from './durations';
import { LEGAL_ZONE } from './time-zone';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unit(n: number, name: string): string {
  return `${n} ${name}${n === 1 ? '' : 's'}`;
}

/** A length of time in words (its sign is ignored): "2 days 4 hours", "2 minutes 58 seconds". */
export function durationInWords(ms: number): string {
  const t = Math.abs(ms);
  if (!Number.isFinite(t)) throw new RangeError(`not a length of time: ${ms}`);
  if (t < SECOND) return 'less than a second';
  const pair = (big: number, bigName: string, small: number, smallName: string) => (small > 0 ? `${unit(big, bigName)} ${unit(small, smallName)}` : unit(big, bigName));
  if (t < MINUTE) return unit(Math.floor(t / SECOND), 'second');
  if (t < HOUR) return pair(Math.floor(t / MINUTE), 'minute', Math.floor((t % MINUTE) / SECOND), 'second');
  if (t < DAY) return pair(Math.floor(t / HOUR), 'hour', Math.floor((t % HOUR) / MINUTE), 'minute');
  return pair(Math.floor(t / DAY), 'day', Math.floor((t % DAY) / HOUR), 'hour');
}

/** The time between two ISO instants in words, whichever comes first. */
export function durationBetween(from: string, to: string): string {
  return durationInWords(Date.parse(to) - Date.parse(from));
}

/** Milliseconds `now` is past `dueAt` (negative before it). */
export function msPast(dueAt: string, now: string): number {
  const ms = Date.parse(now) - Date.parse(dueAt);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${Number.isNaN(Date.parse(dueAt)) ? dueAt : now}`);
  return ms;
}

/** "due in 2 minutes 58 seconds", "due now" or "4 seconds overdue": a deadline as seen at `now`. */
export function dueIn(dueAt: string, now: string): string {
  const ms = msPast(dueAt, now);
  if (ms === 0) return 'due now';
  return ms < 0 ? `due in ${durationInWords(ms)}` : `${durationInWords(ms)} overdue`;
}

/** "3 hours overdue" once the deadline has passed; "not yet overdue" before it. */
export function overdueBy(dueAt: string, now: string): string {
  const ms = msPast(dueAt, now);
  return ms > 0 ? `${durationInWords(ms)} overdue` : 'not yet overdue';
}

const ISO_UNITS = [
  ['years', 'year'],
  ['months', 'month'],
  ['weeks', 'week'],
  ['days', 'day'],
  ['hours', 'hour'],
  ['minutes', 'minute'],
  ['seconds', 'second'],
] as const;

/**
 * A policy's ISO-8601 duration in words, every part kept ("PT24H" → "24 hours", "P1M2D" →
 * "1 month 2 days"): a rule is exact, so nothing is truncated. Unknown text is returned as it is.
 */
export function isoDurationInWords(iso: string): string {
  const parts = parseIsoDuration(iso);
  if (!parts) return iso;
  const words = ISO_UNITS.filter(([key]) => parts[key] > 0).map(([key, name]) => unit(parts[key], name));
  return words.length > 0 ? words.join(' ') : 'no time';
}

/**
 * "Fri 3 Apr 2026, 10:00 BST": an instant in UK local time as staff read it (ICU only knows
 * "GMT+1"). Formats the instant it is given; never reads the clock.
 */
export function localTime(instant: string): string {
  const local = DateTime.fromISO(instant, { zone: 'utc' }).setZone(LEGAL_ZONE);
  return `${local.toFormat('ccc d LLL yyyy, HH:mm')} ${local.offset === 60 ? 'BST' : 'GMT'}`;
}

/** The console page of a case, as every email and import summary links it. */
export function caseLink(consoleUrl: string, caseId: string): string {
  return `${consoleUrl}/cases/${encodeURIComponent(caseId)}`;
}
