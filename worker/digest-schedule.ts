/**
 * The daily digest's Temporal Schedule: every working-week morning at CASECLOCK_DIGEST_TIME, UK
 * local time (Europe/London, so 08:00 stays 08:00 across the clock changes), it starts
 * dailyDigestWorkflow, which itself skips bank holidays. Overlap SKIP: a digest still running
 * is never joined by a second. A short catch-up window: a day missed while Temporal was down is
 * not sent late in a burst. Created or brought up to date at every worker start (idempotent).
 */
import { type Client, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { ensureSchedule, removeSchedule } from './schedules';
import { LEGAL_ZONE } from '../domain/time-zone';
import { TASK_QUEUE } from '../workflows/messages';
import { DAILY_DIGEST_WORKFLOW, type DailyDigestInput } from '../workflows/digest';

export const DIGEST_SCHEDULE_ID = 'caseclock-daily-digest';

/** A missed run is still started this long after its time, and never later. */
export const DIGEST_CATCHUP_WINDOW = '1 hour';

export interface DigestScheduleSettings {
  /** 'HH:MM', UK local time. */
  time: string;
  workingDays: number;
  taskQueue?: string;
  scheduleId?: string;
}

export function digestScheduleOptions(settings: DigestScheduleSettings): ScheduleOptions {
  const [hour, minute] = settings.time.split(':').map(Number) as [number, number];
  const args: [DailyDigestInput] = [{ workingDays: settings.workingDays }];
  return {
    scheduleId: settings.scheduleId ?? DIGEST_SCHEDULE_ID,
    spec: {
      calendars: [{ hour, minute, dayOfWeek: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] }],
      timezone: LEGAL_ZONE,
    },
    action: {
      type: 'startWorkflow',
      workflowType: DAILY_DIGEST_WORKFLOW,
      workflowId: settings.scheduleId ?? DIGEST_SCHEDULE_ID,
      taskQueue: settings.taskQueue ?? TASK_QUEUE,
      args,
      workflowRunTimeout: '12 hours',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: DIGEST_CATCHUP_WINDOW, pauseOnFailure: false },
    memo: { purpose: 'CaseClock daily digest to team managers and heads of service' },
  };
}

/** Creates the schedule, or brings an existing one to these settings. Returns which it did. */
export const ensureDigestSchedule = (client: Client, settings: DigestScheduleSettings): Promise<'created' | 'updated'> => ensureSchedule(client, digestScheduleOptions(settings));

export const removeDigestSchedule = (client: Client, scheduleId = DIGEST_SCHEDULE_ID): Promise<'removed' | 'absent'> => removeSchedule(client, scheduleId);
