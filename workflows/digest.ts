/**
 * The daily digest workflow: started each working morning by the digest schedule
 * (worker/digest-schedule.ts), or by hand for a chosen date. It decides from the England and
 * Wales working-day calendar whether the date is a working day (a weekend or bank holiday sends
 * nothing, and the result says why), then one activity reads the open cases, builds every
 * recipient's digest and sends it (activities/digest.ts says why in one activity; a retry sends
 * only what was not yet delivered). Deterministic: the date comes from the input or the schedule's
 * time, never a clock.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
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

const { sendDailyDigests } = proxyActivities<DigestActivities>({
  // Reading 10,000 cases and sending a few hundred emails; the heartbeat shows it is alive.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  // A digest is for one morning: give up by the early afternoon rather than send a stale one.
  scheduleToCloseTimeout: '6 hours',
  retry: { maximumInterval: '5 minutes' },
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
  const sent = await sendDailyDigests({ forDate, workingDays });
  const recipients = sent.recipients;
  log.info('daily digest sent', { forDate, recipients: recipients.length, casesRead: sent.casesRead });
  return {
    forDate,
    sent: recipients.some((r) => r.undeliverable === undefined),
    ...(recipients.length === 0 ? { reason: `no digest on ${forDate}: nothing overdue or due on any open case` } : {}),
    casesRead: sent.casesRead,
    casesUnreadable: sent.casesUnreadable,
    recipients,
  };
}
