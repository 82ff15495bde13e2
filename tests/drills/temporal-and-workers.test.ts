/**
 * Fault drills with a real Temporal server in real time (so the policy here counts seconds), on
 * the dev server (SQLite) and again on Temporal on PostgreSQL (the `postgres` test project):
 * - the Temporal server stopped across a deadline and restarted on its database;
 * - PostgreSQL stopped across a deadline under a running Temporal, then restarted (postgres only);
 * - two worker processes on one task queue.
 * In each, every due escalation is delivered exactly once and no obligation is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { caseActivities } from '../support/case-record';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { caseState, caseTimeline } from '../../common/cases';
import { TASK_QUEUE } from '../../workflows/messages';
import { openHighRiskCase, startWorkerProcess } from '../support/drill';
import { startDrillServer, type DrillServer } from '../support/drill-server';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, uniqueName } from '../support/temporal-env';

let mailbox: Mailbox;
let bundle: WorkflowBundlePath;
let dir: string;

beforeAll(async () => {
  mailbox = await startMailbox();
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-drill-'));
  bundle = await bundleCaseWorkflows();
});
afterAll(async () => {
  await mailbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const escalationsOf = (caseId: string) => mailbox.messages.filter((m) => m.caseReference === caseId && m.caseMessageId.includes('/escalation/'));

const openDrillCase = (client: Client, taskQueue: string, deadline: string) => openHighRiskCase(client, secondsPolicy({ 'initial-visit-high': deadline }, LEVEL_1_ONLY), { taskQueue });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault drills on a real Temporal server', () => {
  /** A case on its own task queue and an in-process worker; `outage` runs while the deadline passes. */
  async function deadlineDuringOutage(server: DrillServer, outage: () => Promise<void>, recover: () => Promise<void>): Promise<void> {
    const taskQueue = uniqueName('drill');
    const connection = await NativeConnection.connect({ address: server.address });
    const clientConnection = await Connection.connect({ address: server.address });
    const client = new Client({ connection: clientConnection });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle,
      activities: caseActivities(mailbox),
    });
    const running = worker.run();
    try {
      const caseId = await openDrillCase(client, taskQueue, 'PT10S');
      const before = await caseState(client, caseId);
      const due = before.open.find((o) => o.kind === 'initial-visit-high')!.dueAt;

      await outage(); // the deadline passes meanwhile
      await sleep(Math.max(0, Date.parse(due) - Date.now()) + 2000);
      expect(escalationsOf(caseId)).toEqual([]);
      await recover();

      await mailbox.waitFor(() => escalationsOf(caseId).length >= 1, 90_000);
      await sleep(2000); // room for a duplicate to show itself
      expect(escalationsOf(caseId).map((m) => [m.to[0], m.caseMessageId.split('/').slice(-2).join('/')])).toEqual([['manager@council.test', 'L1/0']]);
      const after = await caseState(client, caseId);
      expect(after.open.map((o) => o.id).sort()).toEqual(before.open.map((o) => o.id).sort());
      const timeline = await caseTimeline(client, caseId);
      expect(timeline.filter((t) => t.entry === 'message')).toHaveLength(1);
      expect(timeline.filter((t) => t.event?.type === 'tier-set')).toHaveLength(1);
      await client.workflow.getHandle(`case:${caseId}`).terminate('drill finished');
    } finally {
      worker.shutdown();
      await running;
      await clientConnection.close();
      await connection.close();
    }
  }

  it('Temporal stopped across a deadline and restarted on its database: one escalation, nothing lost', async () => {
    const server = await startDrillServer(dir, 'restarted');
    try {
      await deadlineDuringOutage(
        server,
        () => server.stopTemporal(),
        () => server.restart(),
      );
    } finally {
      await server.close();
    }
  });

  it.runIf(inject('temporalKind') === 'postgres')('PostgreSQL stopped across a deadline under a running Temporal: one escalation, nothing lost', async () => {
    const server = await startDrillServer(dir);
    await deadlineDuringOutage(
      server,
      () => server.stopDatabase(),
      () => server.restart(),
    );
  });

  it('two worker processes on one task queue: each escalation delivered exactly once', async () => {
    // Real worker processes (worker/main.ts), as two replicas run in production.
    const server = await startDrillServer(dir, 'two-workers');
    const clientConnection = await Connection.connect({ address: server.address });
    const client = new Client({ connection: clientConnection });
    const workers = [startWorkerProcess(server.address, mailbox.url), startWorkerProcess(server.address, mailbox.url)];
    const exits: string[] = [];
    workers.forEach((w, i) => w.child.once('exit', (code) => exits.push(`worker ${i + 1} exited ${code}`)));
    try {
      await Promise.all(workers.map((w) => w.started));
      const cases = await Promise.all([1, 2, 3, 4, 5, 6].map(() => openDrillCase(client, TASK_QUEUE, 'PT8S')));
      await mailbox.waitFor(() => cases.every((c) => escalationsOf(c).length >= 1), 90_000);
      await sleep(2000);
      expect(exits).toEqual([]);
      for (const caseId of cases) {
        expect(escalationsOf(caseId).map((m) => m.caseMessageId.split('/').slice(-2).join('/'))).toEqual(['L1/0']);
        await client.workflow.getHandle(`case:${caseId}`).terminate('drill finished');
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      await clientConnection.close();
      await server.close();
    }
  });
});
