/**
 * The benchmark's no-op baseline workflow, in a bundle of its own: it does the least a case does
 * (upserts one search attribute, answers a small update, waits), so a figure for cases can be
 * printed next to the same figure for the baseline, from the same process, server and run.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { NotificationActivities } from '../../activities/notifications';
import { StatusAttribute } from '../../workflows/search-attributes';

export const baselineUpdate = defineUpdate<{ recordedAt: string }, [{ at: string }]>('baselineRecord');

/** Waits until told to finish; each update is answered with a small receipt, like a case's. */
export async function baselineWorkflow(): Promise<void> {
  let done = false;
  setHandler(baselineUpdate, ({ at }) => {
    if (at === 'finish') done = true;
    return { recordedAt: new Date().toISOString() };
  });
  upsertSearchAttributes([{ key: StatusAttribute, value: 'open' }]);
  await condition(() => done);
}

const { deliverCaseMessage } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The burst baseline: waits on a timer until `at`, then sends one email through the same activity. */
export async function baselineBurstWorkflow(input: { id: string; at: string; to: string }): Promise<void> {
  await sleep(Math.max(1, Date.parse(input.at) - Date.now()));
  await deliverCaseMessage({
    message: {
      messageId: `${input.id}/baseline`,
      caseId: input.id,
      caseReference: input.id,
      team: 'BENCH',
      type: 'escalation',
      level: 1,
      repeat: 0,
      role: 'team-manager',
      sendAt: input.at,
      obligation: { id: 'baseline', kind: 'initial-visit-high', title: 'Baseline', dueAt: input.at },
    },
    to: { email: input.to, name: 'Bench Manager' },
  });
}
