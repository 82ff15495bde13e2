/**
 * The benchmark's no-op baseline workflow, in a bundle of its own: it does the least a case does
 * (upserts one search attribute, answers a small update, waits), so a figure for cases can be
 * printed next to the same figure for the baseline, from the same process, server and run.
 */
import { condition, defineUpdate, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
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
