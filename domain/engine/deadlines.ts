/**
 * Deadline arithmetic for one occurrence: the rule's duration or working days from the trigger
 * (or back from the meeting), then extended by the time its clock was on hold.
 */
import type { WorkingDayCalendar } from '../calendar';
import { addIsoDuration, addWallClockMs, parseIsoDuration, subtractIsoDuration, wallClockMsBetween } from '../durations';
import type { Deadline, Rule } from '../policy';
import type { HoldPeriod } from './context';
import type { DeadlineVariant } from './ledger';

/** The deadline the rule sets for a variant (extended complaint, long-term placement). */
export function deadlineOf(rule: Rule, variant: DeadlineVariant = 'standard'): Deadline {
  if (variant === 'extended' && rule.extended) return rule.extended;
  if (variant === 'long-term' && rule.longTerm) return rule.longTerm.deadline;
  return rule.deadline;
}

/**
 * When an obligation is due, before any hold: for 'after-trigger' rules counted from `from`
 * (the trigger), for 'before-meeting' rules counted back from `from` (the meeting).
 */
export function computeDueAt(rule: Rule, from: string, calendar: WorkingDayCalendar, variant: DeadlineVariant = 'standard'): string {
  const deadline = deadlineOf(rule, variant);
  const back = rule.direction === 'before-meeting';
  if (deadline.workingDays !== undefined) {
    return back ? calendar.subtractWorkingDays(from, deadline.workingDays) : calendar.addWorkingDays(from, deadline.workingDays);
  }
  if (deadline.duration !== undefined) {
    return back ? subtractIsoDuration(from, deadline.duration) : addIsoDuration(from, deadline.duration);
  }
  throw new Error(`rule "${rule.title}" has no deadline`);
}

export interface HeldTime {
  /** Milliseconds on hold between the trigger and the resolution (finished holds only). */
  heldMs: number;
  /** Those finished holds, cut to the trigger and the resolution, in time order. */
  periods: Array<{ start: string; end: string }>;
  /** A hold that has not ended covers the obligation now. */
  onHoldNow: boolean;
}

/** How long an occurrence open from `from` until `until` (or still open) spent on hold. */
export function heldTime(holds: readonly HoldPeriod[], from: string, until: string | undefined, now: string): HeldTime {
  let heldMs = 0;
  let onHoldNow = false;
  const periods: HeldTime['periods'] = [];
  const fromMs = Date.parse(from);
  const untilMs = until === undefined ? Number.POSITIVE_INFINITY : Date.parse(until);
  for (const hold of holds) {
    const startMs = Math.max(Date.parse(hold.start), fromMs);
    if (hold.end === undefined) {
      if (until === undefined && hold.start <= now) onHoldNow = true;
      continue;
    }
    const endMs = Math.min(Date.parse(hold.end), untilMs);
    if (endMs > startMs) {
      heldMs += endMs - startMs;
      periods.push({ start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() });
    }
  }
  return { heldMs, periods, onHoldNow };
}

/**
 * Conventions 1: a deadline pushed back by the elapsed time on hold; working-day deadlines then
 * land on the end of a working day.
 */
export function extendByHold(dueAt: string, heldMs: number, rule: Rule, calendar: WorkingDayCalendar, variant: DeadlineVariant): string {
  if (heldMs <= 0) return dueAt;
  const extended = new Date(Date.parse(dueAt) + heldMs).toISOString();
  return deadlineOf(rule, variant).workingDays !== undefined ? calendar.endOfWorkingDayOnOrAfter(extended) : extended;
}

/** The unit a clock counts in: whole working days, calendar time (days, weeks, months) or elapsed time (hours). */
export type ClockUnit = 'working-days' | 'calendar' | 'elapsed';

export function clockUnitOf(deadline: Deadline): ClockUnit {
  if (deadline.workingDays !== undefined) return 'working-days';
  const parts = deadline.duration === undefined ? undefined : parseIsoDuration(deadline.duration);
  return parts !== undefined && parts.years + parts.months + parts.weeks + parts.days > 0 ? 'calendar' : 'elapsed';
}

/** Working days covered by holds shorter than this share of a day are rounding, not a day lost. */
const WORKING_DAY_EPSILON = 1e-9;

/**
 * Conventions 2: a deadline pushed back by what its clock lost on hold, in the clock's own unit.
 * A working-day clock gets back the working days the holds covered (each working day's share,
 * summed, rounded up to whole days: a hold never costs the clock part of a day); a day, week or
 * month clock the wall-clock time on hold (10:00 stays 10:00 across a clock change); an hour
 * clock the elapsed time on hold.
 */
export function extendByHoldInClockUnit(dueAt: string, periods: HeldTime['periods'], rule: Rule, calendar: WorkingDayCalendar, variant: DeadlineVariant): string {
  if (periods.length === 0) return dueAt;
  switch (clockUnitOf(deadlineOf(rule, variant))) {
    case 'working-days': {
      const covered = periods.reduce((sum, p) => sum + calendar.workingDaysCovered(p.start, p.end), 0);
      const lost = Math.ceil(covered - WORKING_DAY_EPSILON);
      return lost > 0 ? calendar.addWorkingDays(dueAt, lost) : dueAt;
    }
    case 'calendar':
      return addWallClockMs(
        dueAt,
        periods.reduce((sum, p) => sum + wallClockMsBetween(p.start, p.end), 0),
      );
    case 'elapsed':
      return new Date(Date.parse(dueAt) + periods.reduce((sum, p) => sum + Date.parse(p.end) - Date.parse(p.start), 0)).toISOString();
  }
}
