/**
 * The case-record store down while a case goes on, on the real dev server in real time, with a
 * store of its own (embedded PostgreSQL, PGlite) stopped and started again on the same port and
 * data. The clocks keep running (the deadline's escalation goes while the store is down), the
 * entries wait in the case (its state says how many), a case opened meanwhile keeps its opening
 * until the store is back, and then every entry lands exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, caseTimeline, recordEvent } from '../../common/cases';
import { migrateCaseRecordStore, openCaseRecordStore, startEmbeddedStore, type EmbeddedStore } from '../../store/case-record-store';
import { caseWorkflowId } from '../../workflows/messages';
import { waitUntilClosed } from '../case/harness';
import { openHighRiskCase, waitUntil } from '../support/drill';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { caseActivitiesWith } from '../support/script-store';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';
import { freePort } from '../../tools/dev-server';

let mailbox: Mailbox;
let dev: DevServerConnections;
let connection: NativeConnection;
let client: Client;
let bundle: WorkflowBundlePath;
let dataDir: string;
let server: EmbeddedStore | undefined;

beforeAll(async () => {
  mailbox = await startMailbox();
  dev = await connectDevServer();
  ({ nativeConnection: connection, client } = dev);
  bundle = await bundleCaseWorkflows();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-store-outage-'));
});
afterAll(async () => {
  await server?.stop();
  await dev?.close();
  await mailbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the case-record store down while a case goes on', () => {
  it('keeps the clocks running, keeps the entries in the case, and stores each once when the store returns', async () => {
    const port = await freePort();
    server = await startEmbeddedStore({ dataDir, port });
    await migrateCaseRecordStore(server.url);
    const store = openCaseRecordStore(server.url);
    const taskQueue = uniqueName('store-outage');
    const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: caseActivitiesWith(mailbox, store) });
    try {
      await worker.runUntil(async () => {
        const policy = secondsPolicy({ 'initial-visit-high': 'PT8S' }, LEVEL_1_ONLY);
        const caseId = await openHighRiskCase(client, policy, { taskQueue, prefix: 'STOREDOWN' });
        await waitUntil('the opening is stored', async () => (await store.caseRecord(caseId)).some((e) => e.kind === 'event'));

        await server!.stop();
        server = undefined;
        const now = () => new Date().toISOString();
        // A case opened now cannot write its opening in its first task: it waits in the case.
        const openedDuringOutage = await openHighRiskCase(client, policy, { taskQueue, prefix: 'STOREDOWN-NEW' });
        await recordEvent(client, caseId, { type: 'contact', contactType: 'kit-call', at: now(), by: 'sw1' });
        await recordEvent(client, caseId, { type: 'contact', contactType: 'other', at: now(), by: 'sw1' });
        // The visit deadline passes with the store down: level 1 still goes.
        await mailbox.waitFor((all) => all.some((m) => m.caseReference === caseId && m.caseMessageId.includes('/escalation/L1/')), 30_000);
        const waiting = (await caseState(client, caseId)).waitingForStore ?? 0;
        expect(waiting).toBeGreaterThanOrEqual(3); // two events, the escalation, outcomes

        server = await startEmbeddedStore({ dataDir, port });
        await waitUntil('the store has caught up', async () => (await caseState(client, caseId)).waitingForStore === 0, 90_000);

        // The case opened during the outage wrote its opening once the store was back, once.
        await waitUntil('the case opened during the outage has written its opening', async () => (await caseState(client, openedDuringOutage)).waitingForStore === 0, 90_000);
        expect((await store.caseRecord(openedDuringOutage)).filter((e) => e.kind === 'event').map((e) => e.entryId)).toEqual([`case:${openedDuringOutage}:event:0`]);
        await recordEvent(client, openedDuringOutage, { type: 'case-closed', at: now(), by: 'admin1', reason: 'drill finished' });

        const record = await store.caseRecord(caseId);
        const timeline = await caseTimeline(client, caseId);
        expect(
          record
            .filter((e) => e.kind !== 'outcome')
            .map((e) => e.summary)
            .sort(),
        ).toEqual(timeline.map((t) => t.summary).sort());
        expect(record.filter((e) => e.kind === 'event')).toHaveLength(3);
        expect(record.filter((e) => e.kind === 'message').map((e) => (e.data.delivery as { smtpResponse: string }).smtpResponse)).toEqual([expect.stringMatching(/^250 /)]);

        await recordEvent(client, caseId, { type: 'case-closed', at: now(), by: 'admin1', reason: 'drill finished' });
        await waitUntilClosed(client.workflow.getHandle(caseWorkflowId(caseId)));
        expect((await store.caseRecord(caseId)).filter((e) => e.kind === 'event')).toHaveLength(4);
      });
    } finally {
      await store.close();
    }
  });
});
