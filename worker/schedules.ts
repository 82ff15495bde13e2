/**
 * Creating and removing CaseClock's Temporal Schedules (the daily digest, the SSD sync): each is
 * created at every worker start, or brought up to the worker's settings when it exists.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError, type ScheduleOptions, type ScheduleUpdateOptions } from '@temporalio/client';

/** Creates the schedule, or brings an existing one to these options (its spec, action and policies). Returns which it did. */
export async function ensureSchedule(client: Client, options: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous): ScheduleUpdateOptions => ({
    ...previous,
    spec: options.spec,
    action: options.action,
    policies: { ...previous.policies, ...options.policies },
  }));
  return 'updated';
}

/** Deletes the schedule when there is one. */
export async function removeSchedule(client: Client, scheduleId: string): Promise<'removed' | 'absent'> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
    return 'removed';
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return 'absent';
    throw err;
  }
}
