/**
 * The SSD sync's Temporal Schedule: every CASECLOCK_SSD_INTERVAL (default 15 minutes) it starts
 * ssdSyncWorkflow. Overlap SKIP: a first read of a whole council that takes longer than the interval
 * is never joined by a second. A short catch-up window: after Temporal was down, one run catches up,
 * not one per missed interval. Created or brought up to date at every worker start (idempotent);
 * with no SSD source configured, removed.
 */
import { type Client, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { ensureSchedule, removeSchedule } from './schedules';
import { TASK_QUEUE } from '../workflows/messages';
import { SSD_SYNC_WORKFLOW } from '../workflows/ssd-sync';

export const SSD_SCHEDULE_ID = 'caseclock-ssd-sync';

export interface SsdScheduleSettings {
  /** Seconds between runs. */
  intervalSeconds: number;
  taskQueue?: string;
  scheduleId?: string;
}

export function ssdScheduleOptions(settings: SsdScheduleSettings): ScheduleOptions {
  const scheduleId = settings.scheduleId ?? SSD_SCHEDULE_ID;
  return {
    scheduleId,
    spec: { intervals: [{ every: `${settings.intervalSeconds} seconds` }] },
    action: {
      type: 'startWorkflow',
      workflowType: SSD_SYNC_WORKFLOW,
      workflowId: scheduleId,
      taskQueue: settings.taskQueue ?? TASK_QUEUE,
      args: [],
      workflowRunTimeout: '3 hours',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${Math.max(60, settings.intervalSeconds)} seconds`, pauseOnFailure: false },
    memo: { purpose: "CaseClock sync from the council's Standard Safeguarding Dataset" },
  };
}

/** Creates the schedule, or brings an existing one to these settings. Returns which it did. */
export const ensureSsdSchedule = (client: Client, settings: SsdScheduleSettings): Promise<'created' | 'updated'> => ensureSchedule(client, ssdScheduleOptions(settings));

export const removeSsdSchedule = (client: Client, scheduleId = SSD_SCHEDULE_ID): Promise<'removed' | 'absent'> => removeSchedule(client, scheduleId);
