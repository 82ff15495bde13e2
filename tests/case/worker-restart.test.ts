/**
 * A worker stopped while a deadline passes, against the real dev server (real time, so the
 * policy here counts seconds): when a worker comes back, exactly one escalation is delivered.
 * The time-skipping server cannot show this: it will not move its clock while a workflow task
 * waits for a worker that is not there.
 */
import type { Client } from '@temporalio/client';
import { caseActivities } from '../support/case-record';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState } from '../../common/cases';
import { openHighRiskCase } from '../support/drill';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';

let mailbox: Mailbox;
let dev: DevServerConnections;
let connection: NativeConnection;
let client: Client;
let bundle: WorkflowBundlePath;

beforeAll(async () => {
  mailbox = await startMailbox();
  dev = await connectDevServer();
  ({ nativeConnection: connection, client } = dev);
  bundle = await bundleCaseWorkflows();
});
afterAll(async () => {
  await dev?.close();
  await mailbox?.close();
});

const worker = (taskQueue: string) =>
  Worker.create({
    connection,
    taskQueue,
    workflowBundle: bundle,
    activities: caseActivities(mailbox),
  });

describe('a worker stopped while a deadline passes', () => {
  it('delivers exactly one escalation when a worker comes back', async () => {
    const taskQueue = uniqueName('restart');
    let caseId = '';
    const escalations = () => mailbox.messages.filter((m) => m.caseReference === caseId && m.caseMessageId.includes('/escalation/'));

    const first = await worker(taskQueue);
    const due = await first.runUntil(async () => {
      caseId = await openHighRiskCase(client, secondsPolicy({ 'initial-visit-high': 'PT6S' }, LEVEL_1_ONLY), { taskQueue, prefix: 'WCF' });
      const clock = (await caseState(client, caseId)).open.find((o) => o.kind === 'initial-visit-high');
      expect(clock).toBeDefined();
      return clock!.dueAt;
    });

    // No worker: the deadline passes on the server alone.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(due) - Date.now()) + 1500));
    expect(escalations()).toEqual([]);

    const second = await worker(taskQueue);
    await second.runUntil(async () => {
      await mailbox.waitFor(() => escalations().length >= 1);
      // Give a duplicate every chance to show itself.
      await new Promise((r) => setTimeout(r, 2000));
      const state = await caseState(client, caseId);
      expect(state.open.find((o) => o.kind === 'initial-visit-high')?.escalationLevel).toBe(1);
    });
    expect(escalations().map((m) => [m.to[0], m.caseMessageId.split('/').slice(-2).join('/')])).toEqual([['manager@council.test', 'L1/0']]);
    await client.workflow.getHandle(`case:${caseId}`).terminate('test finished');
  });
});
