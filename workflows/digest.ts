/**
 * The daily digest workflow: started each working morning by the digest schedule
 * (worker/digest-schedule.ts), or by hand for a chosen date. It decides from the England and
 * Wales working-day calendar whether the date is a working day (a weekend or bank holiday sends
 * nothing, and the result says why), then one activity gathers the open cases and builds every
 * recipient's digest, and one activity per recipient sends it (a retried send does not resend
 * the others). Deterministic: the date comes from the input or the schedule's time, never a clock.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { PERMANENT_REJECTION_TYPE } from '../activities/failure-types';
import { WorkingDayCalendar } from '../domain/calendar';
import { digestDay, ukDateOf } from '../domain/digest';
import type { DigestActivities } from '../activities/digest';

export const DAILY_DIGEST_WORKFLOW = 'dailyDigestWorkflow';

/** Default number of working days ahead the digest looks (CASECLOCK_DIGEST_WORKING_DAYS). */
export const DEFAULT_DIGEST_WORKING_DAYS = 3;

export interface DailyDigestInput {
  /** The UK date the digest is for; from a schedule, the date of its scheduled time. */
  forDate?: string;
  /** Working days ahead to list what falls due (default 3). */
  workingDays?: number;
}

export interface DailyDigestResult {
  forDate: string;
  sent: boolean;
  /** Why nothing was sent (a weekend, a bank holiday). */
  reason?: string;
  /** Open cases read, and cases that could not be read (each named in the worker's log). */
  casesRead?: number;
  casesUnreadable?: number;
  recipients?: Array<{ email: string; overdue: number; dueSoon: number; undeliverable?: string }>;
}

/** Set by Temporal on every workflow a schedule starts: the time it was scheduled for. */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const { buildDailyDigests } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});
const { sendDailyDigest } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
  // A digest is for one morning: give up by the early afternoon rather than send a stale one.
  scheduleToCloseTimeout: '6 hours',
  retry: { maximumInterval: '5 minutes', nonRetryableErrorTypes: [PERMANENT_REJECTION_TYPE] },
});

export async function dailyDigestWorkflow(input: DailyDigestInput = {}): Promise<DailyDigestResult> {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(ScheduledStartTime);
  const forDate = input.forDate ?? ukDateOf(scheduled ?? info.startTime);
  const workingDays = input.workingDays ?? DEFAULT_DIGEST_WORKING_DAYS;
  const day = digestDay(WorkingDayCalendar.englandAndWales(), forDate);
  if (!day.send) {
    log.info('daily digest not sent', { forDate, reason: day.reason });
    return { forDate, sent: false, reason: day.reason };
  }
  const built = await buildDailyDigests({ forDate, workingDays });
  const recipients: NonNullable<DailyDigestResult['recipients']> = [];
  for (const digest of built.digests) {
    const counts = { email: digest.email, overdue: digest.overdue.length, dueSoon: digest.dueSoon.length };
    try {
      await sendDailyDigest({ digest, forDate, generatedAt: built.generatedAt, dueBy: built.dueBy, workingDays });
      recipients.push(counts);
    } catch (err) {
      // One address refused for good (or mail down all day) does not keep the others' digests back.
      if (!(err instanceof ActivityFailure)) throw err;
      const reason = err.cause instanceof ApplicationFailure || err.cause instanceof Error ? err.cause.message : err.message;
      log.warn('daily digest not delivered', { forDate, email: digest.email, reason });
      recipients.push({ ...counts, undeliverable: reason });
    }
  }
  log.info('daily digest sent', { forDate, recipients: recipients.length, casesRead: built.casesRead });
  return {
    forDate,
    sent: recipients.some((r) => r.undeliverable === undefined),
    ...(recipients.length === 0 ? { reason: `no digest on ${forDate}: nothing overdue or due on any open case` } : {}),
    casesRead: built.casesRead,
    casesUnreadable: built.casesUnreadable,
    recipients,
  };
}
