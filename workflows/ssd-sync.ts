/**
 * The sync from the council's Standard Safeguarding Dataset: started every CASECLOCK_SSD_INTERVAL
 * by its schedule (worker/ssd-schedule.ts), or by hand. One activity does the run
 * (activities/ssd-sync.ts): reading the source and keeping each child's case in step is I/O from
 * start to end, and the ledger in the store, not this workflow, remembers what is done, so a retry
 * carries on where the last attempt stopped. The workflow keeps nothing: its history is one activity.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { SsdSyncActivities, SsdSyncResult } from '../activities/ssd-sync';

export const SSD_SYNC_WORKFLOW = 'ssdSyncWorkflow';

const { syncFromSsd } = proxyActivities<SsdSyncActivities>({
  // The first read of a council (10,000 children) takes minutes; later ones seconds. The heartbeat shows it is alive.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '5 minutes',
  // A few tries, then the schedule's next run reads afresh: a run never queues behind a failing one for long.
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 3 },
});

export async function ssdSyncWorkflow(): Promise<SsdSyncResult> {
  const result = await syncFromSsd();
  log.info('SSD sync run', { runId: result.runId, ...result.counts });
  return result;
}
