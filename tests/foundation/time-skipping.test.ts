/**
 * The Java time-skipping test server: eight weeks of workflow time pass in seconds of wall time.
 */
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows, createTimeSkippingEnv, uniqueName } from '../support/temporal-env';
import { addNoteSignal, EIGHT_WEEKS_MS, eightWeekStateQuery, eightWeekWait } from './proof-workflows';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows(path.resolve(__dirname, 'proof-workflows.ts'))]);
});

afterAll(async () => {
  await env?.teardown();
});

describe('time-skipping test server', () => {
  it('runs an eight-week wait that is signalled and queried on the way', async () => {
    const taskQueue = uniqueName('eight-weeks');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });

    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(eightWeekWait, { taskQueue, workflowId: uniqueName('eight-weeks') });
      await handle.signal(addNoteSignal, 'KIT call booked');
      const midway = await handle.query(eightWeekStateQuery);
      expect(midway.notes).toEqual(['KIT call booked']);
      return handle.result(); // awaiting the result lets the server skip the timer
    });

    expect(result.notes).toEqual(['KIT call booked']);
    const workflowElapsed = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
    expect(workflowElapsed).toBeGreaterThanOrEqual(EIGHT_WEEKS_MS);
    expect(workflowElapsed).toBeLessThan(EIGHT_WEEKS_MS + 60 * 60 * 1000);
  });
});
