/**
 * The mail server down across a deadline while a reminder is in retry, on the real dev server in
 * real time (so the policy counts seconds), with a real SMTP server taken down and brought back.
 * The case is listed as overdue (`caseclock overdue` reads the same search attributes) from the
 * deadline on, while no email can go; when mail returns, the level-1 escalation goes at its next
 * retry, without waiting for the reminder, and the reminder says it is late. The delay from mail
 * returning to the escalation is printed (the README quotes it); the test holds it to the retry
 * policy's longest interval, one minute.
 */
import type { Client } from '@temporalio/client';
import { caseActivities } from '../support/case-record';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, caseTimeline, recordEvent } from '../../common/cases';
import { listCases } from '../../common/case-listing';
import type { Rule } from '../../domain/policy';
import { caseWorkflowId } from '../../workflows/messages';
import { waitUntilClosed } from '../case/harness';
import { openHighRiskCase, waitUntil } from '../support/drill';
import { startMailbox, type Mailbox, type ReceivedMail } from '../support/mailbox';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mail down across a deadline, on the dev server', () => {
  it('lists the case as overdue from the deadline on, and sends level 1 within seconds of mail returning', async () => {
    // Visit due 20 s after the rating; a reminder 12 s before it (at 8 s); level 1 at the deadline.
    const policy = secondsPolicy({ 'initial-visit-high': 'PT20S' }, LEVEL_1_ONLY);
    (policy.baseline as Record<string, Rule>)['initial-visit-high']!.reminders = ['PT12S'];
    const taskQueue = uniqueName('outage');
    const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: caseActivities(mailbox) });
    await worker.runUntil(async () => {
      const caseId = await openHighRiskCase(client, policy, { taskQueue, prefix: 'OUTAGE' });
      const ofCase = (m: ReceivedMail) => m.caseReference === caseId;
      const dueAt = (await caseState(client, caseId)).open.find((o) => o.kind === 'initial-visit-high')!.dueAt;
      const port = mailbox.port;
      await sleep(Math.max(0, Date.parse(dueAt) - 16_000 - Date.now()));
      await mailbox.close(); // mail down 4 s before the reminder is due

      await waitUntil('the reminder is in retry', async () => ((await caseState(client, caseId)).sending ?? []).some((m) => m.type === 'reminder'));
      const listed = async () => (await listCases(client, { overdueOnly: true })).find((c) => c.caseId === caseId);
      expect(await listed()).toBeUndefined();

      // The deadline passes with mail still down: overdue at once, in the listing too.
      await waitUntil('the case is listed as overdue', async () => (await listed()) !== undefined, 30_000);
      const listedAt = Date.now();
      expect(listedAt - Date.parse(dueAt)).toBeGreaterThanOrEqual(0);
      expect(await listed()).toMatchObject({ status: 'overdue', overdueCount: 1 });
      expect(mailbox.messages.filter(ofCase)).toEqual([]);

      await sleep(Math.max(0, Date.parse(dueAt) + 5_000 - Date.now()));
      const back = await startMailbox(port);
      mailbox = back;
      const returnedAt = Date.now();
      await back.waitFor((all) => all.some((m) => ofCase(m) && m.caseMessageId.includes('/escalation/L1/')), 70_000);
      const delayMs = Date.now() - returnedAt;
      process.stdout.write(
        `mail outage drill: listed overdue ${((listedAt - Date.parse(dueAt)) / 1000).toFixed(1)} s after the deadline with mail down; ` +
          `level-1 escalation accepted ${(delayMs / 1000).toFixed(1)} s after mail returned\n`,
      );
      expect(delayMs).toBeLessThanOrEqual(61_000);

      await back.waitFor((all) => all.some((m) => ofCase(m) && m.caseMessageId.includes('/reminder/')), 70_000);
      const reminder = back.messages.find((m) => ofCase(m) && m.caseMessageId.includes('/reminder/'))!;
      expect(reminder.subject).toMatch(/Late reminder/);
      expect(back.messages.filter(ofCase).map((m) => m.to[0])).toEqual(['manager@council.test', 'worker@council.test']);

      await waitUntil('both sends are recorded', async () => ((await caseState(client, caseId)).sending ?? []).length === 0);
      const deliveries = (await caseTimeline(client, caseId)).filter((t) => t.delivery?.outcome === 'delivered');
      expect(deliveries.map((t) => t.delivery!.type).sort()).toEqual(['escalation', 'reminder']);

      await recordEvent(client, caseId, { type: 'case-closed', at: new Date().toISOString(), by: 'admin1', reason: 'drill finished' });
      await waitUntilClosed(client.workflow.getHandle(caseWorkflowId(caseId)));
    });
  });
});
