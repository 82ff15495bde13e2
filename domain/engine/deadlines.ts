/**
 * Deadline arithmetic for one occurrence: the rule's duration or working days from the trigger
 * (or back from the meeting), then extended by the time its clock was on hold.
 */
import type { WorkingDayCalendar } from '../calendar';
import { addIsoDuration, subtractIsoDuration } from '../durations';
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
  /** A hold that has not ended covers the obligation now. */
  onHoldNow: boolean;
}

/** How long an occurrence open from `from` until `until` (or still open) spent on hold. */
export function heldTime(holds: readonly HoldPeriod[], from: string, until: string | undefined, now: string): HeldTime {
  let heldMs = 0;
  let onHoldNow = false;
  const fromMs = Date.parse(from);
  const untilMs = until === undefined ? Number.POSITIVE_INFINITY : Date.parse(until);
  for (const hold of holds) {
    const startMs = Math.max(Date.parse(hold.start), fromMs);
    if (hold.end === undefined) {
      if (until === undefined && hold.start <= now) onHoldNow = true;
      continue;
    }
    const endMs = Math.min(Date.parse(hold.end), untilMs);
    if (endMs > startMs) heldMs += endMs - startMs;
  }
  return { heldMs, onHoldNow };
}

/** A deadline pushed back by time on hold; working-day deadlines land on the end of a working day. */
export function extendByHold(dueAt: string, heldMs: number, rule: Rule, calendar: WorkingDayCalendar, variant: DeadlineVariant): string {
  if (heldMs <= 0) return dueAt;
  const extended = new Date(Date.parse(dueAt) + heldMs).toISOString();
  return deadlineOf(rule, variant).workingDays !== undefined ? calendar.endOfWorkingDayOnOrAfter(extended) : extended;
}
