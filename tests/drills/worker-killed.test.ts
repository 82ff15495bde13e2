/**
 * Fault drills: the worker process killed outright (SIGKILL, no chance to drain) in the middle of
 * its work, then a new one started. The worker is the real `worker/main.ts` in its own process,
 * on a Temporal dev server of the drill's own (and again on Temporal on PostgreSQL, the `postgres`
 * test project), sending to a real SMTP server in this process.
 * Time is real, so the policy counts seconds.
 *
 * The mail server holds the chosen message unanswered, so the kill lands exactly while it is
 * being sent; the sender's connection dies before the server's 250, so that copy is discarded,
 * as a real mail server would (RFC 5321 §4.1.1.4). In every drill: each due message is delivered
 * exactly once, no obligation is lost, and the timeline before the kill is kept as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { caseState, caseTimeline, recordEvent } from '../../common/cases';
import type { PolicySnapshot } from '../../domain/policy';
import { caseWorkflowId, TASK_QUEUE } from '../../workflows/messages';
import { openHighRiskCase, startWorkerProcess, waitUntil, type WorkerProcess } from '../support/drill';
import { startDrillServer, type DrillServer } from '../support/drill-server';
import { startMailbox, type Mailbox, type ReceivedMail } from '../support/mailbox';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { installTestRuntime } from '../support/temporal-env';

let dir: string;
let server: DrillServer;
let connection: Connection;
let client: Client;
let mailbox: Mailbox;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  installTestRuntime();
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-kill-'));
  mailbox = await startMailbox();
  // worker/main.ts polls the production task queue, which no other test shares meanwhile.
  server = await startDrillServer(dir);
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
});
afterEach(async () => {
  mailbox.hold = undefined;
  mailbox.release();
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGTERM')));
});
afterAll(async () => {
  await connection?.close();
  await server?.close();
  await mailbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startWorker(): Promise<WorkerProcess> {
  const worker = startWorkerProcess(server.address, mailbox.url);
  workers.push(worker);
  await worker.started;
  return worker;
}

/** SIGKILL: the process ends at once, mid-send, with nothing drained or acknowledged. */
async function killWorker(worker: WorkerProcess): Promise<void> {
  await worker.stop('SIGKILL');
  workers.splice(workers.indexOf(worker), 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const openDrillCase = (policy: PolicySnapshot, historyLimit?: number) => openHighRiskCase(client, policy, { taskQueue: TASK_QUEUE, prefix: 'KILL', ...(historyLimit ? { historyLimit } : {}) });

const mailOf = (caseId: string, type: 'reminder' | 'escalation') => (m: ReceivedMail) => m.caseReference === caseId && m.caseMessageId.includes(`/${type}/`);

describe('the worker process killed mid-work, then restarted', () => {
  it('killed while a reminder is being sent: the reminder arrives once, the visit clock runs on', async () => {
    let worker = await startWorker();
    // Visit due in 50 s with one reminder 44 s before it: the reminder goes out about 6 s in.
    const policy = secondsPolicy({ 'initial-visit-high': 'PT50S' }, LEVEL_1_ONLY);
    policy.baseline['initial-visit-high'] = { ...policy.baseline['initial-visit-high'], reminders: ['PT44S'] };
    const isReminder = (m: ReceivedMail) => mailOf(caseId, 'reminder')(m);
    mailbox.hold = (m) => isReminder(m);
    const caseId = await openDrillCase(policy);
    const before = await caseState(client, caseId);
    const timelineBefore = await caseTimeline(client, caseId);

    await waitUntil('the reminder is being sent', () => mailbox.held.some(isReminder));
    await killWorker(worker);
    await waitUntil('the unanswered copy is discarded', () => mailbox.discarded.some(isReminder), 5_000);
    mailbox.hold = undefined;
    expect(mailbox.messages.filter(isReminder)).toEqual([]);

    worker = await startWorker();
    await mailbox.waitFor((all) => all.some(isReminder), 60_000);
    await sleep(2_000); // room for a duplicate to show itself
    const reminders = mailbox.messages.filter(isReminder);
    expect(reminders.map((m) => m.caseMessageId)).toEqual([mailbox.discarded.find(isReminder)!.caseMessageId]);
    expect(reminders[0]!.to).toEqual(['worker@council.test']);

    const after = await caseState(client, caseId);
    expect(after.open.map((o) => [o.id, o.dueAt])).toEqual(before.open.map((o) => [o.id, o.dueAt]));
    const timeline = await caseTimeline(client, caseId);
    expect(timeline.slice(0, timelineBefore.length)).toEqual(timelineBefore);
    expect(timeline.slice(timelineBefore.length).map((t) => [t.entry, t.delivery?.type, t.delivery?.outcome])).toEqual([['message', 'reminder', 'delivered']]);

    // The clock still works after the restart: the visit meets it, and nothing escalates.
    await recordEvent(client, caseId, { type: 'contact', contactType: 'visit', childSeenAlone: true, at: new Date().toISOString(), by: 'sw1' });
    expect((await caseState(client, caseId)).open.find((o) => o.kind === 'initial-visit-high')).toBeUndefined();
    await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('drill finished');
  });

  it('killed while an escalation is being sent: the team manager gets it once, and the case shows level 1', async () => {
    let worker = await startWorker();
    const isEscalation = (m: ReceivedMail) => mailOf(caseId, 'escalation')(m);
    mailbox.hold = (m) => isEscalation(m);
    const caseId = await openDrillCase(secondsPolicy({ 'initial-visit-high': 'PT6S' }, LEVEL_1_ONLY));
    const before = await caseState(client, caseId);
    const timelineBefore = await caseTimeline(client, caseId);

    await waitUntil('the escalation is being sent', () => mailbox.held.some(isEscalation));
    await killWorker(worker);
    await waitUntil('the unanswered copy is discarded', () => mailbox.discarded.some(isEscalation), 5_000);
    mailbox.hold = undefined;

    worker = await startWorker();
    await mailbox.waitFor((all) => all.some(isEscalation), 60_000);
    await sleep(2_000);
    expect(mailbox.messages.filter(isEscalation).map((m) => [m.to[0], m.caseMessageId.split('/').slice(-2).join('/')])).toEqual([['manager@council.test', 'L1/0']]);

    const after = await caseState(client, caseId);
    expect(after.open.map((o) => o.id)).toEqual(before.open.map((o) => o.id));
    expect(after.open.find((o) => o.kind === 'initial-visit-high')).toMatchObject({ status: 'open', escalationLevel: 1 });
    expect(after.overdueCount).toBe(1);
    const timeline = await caseTimeline(client, caseId);
    expect(timeline.slice(0, timelineBefore.length)).toEqual(timelineBefore);
    expect(timeline.slice(timelineBefore.length).map((t) => [t.entry, t.delivery?.type, t.delivery?.level, t.delivery?.outcome])).toEqual([['message', 'escalation', 1, 'delivered']]);
    await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('drill finished');
  });

  it('killed as the case continues as new, with a deadline passing while no worker runs: nothing lost or doubled', async () => {
    let worker = await startWorker();
    // A low history limit makes the case continue as new after a few recorded events.
    const historyLimit = 30;
    const caseId = await openDrillCase(secondsPolicy({ 'initial-visit-high': 'PT30S' }, LEVEL_1_ONLY), historyLimit);
    const handle = client.workflow.getHandle(caseWorkflowId(caseId));
    const firstRun = (await handle.describe()).runId;
    const dueAt = (await caseState(client, caseId)).open.find((o) => o.kind === 'initial-visit-high')!.dueAt;
    const kitCall = () => ({ type: 'contact', contactType: 'kit-call', at: new Date().toISOString(), by: 'sw1' });

    // Record KIT calls while the history stays within the limit (the workflow sees two more
    // events than describe() does: its own task's scheduled and started)...
    let recorded = 0;
    while ((await handle.describe()).historyLength + 2 <= historyLimit) {
      await recordEvent(client, caseId, kitCall());
      recorded += 1;
    }
    // ...then the one that carries it over: taking it in, the case continues as new. The worker
    // is killed as soon as the next run exists, before it has settled in. The client keeps
    // waiting for its answer.
    const crossing = recordEvent(client, caseId, kitCall());
    recorded += 1;
    await waitUntil('the case continues as new', async () => (await handle.describe()).runId !== firstRun, 30_000);
    await killWorker(worker);

    // No worker: the visit deadline passes on the server alone.
    await sleep(Math.max(0, Date.parse(dueAt) - Date.now()) + 1_500);
    const escalations = () => mailbox.messages.filter(mailOf(caseId, 'escalation'));
    expect(escalations()).toEqual([]);

    worker = await startWorker();
    await crossing; // answered, exactly once
    const stateAfterCrossing = await caseState(client, caseId);
    await mailbox.waitFor(() => escalations().length >= 1, 60_000);
    await sleep(2_000);
    expect(escalations().map((m) => m.caseMessageId.split('/').slice(-2).join('/'))).toEqual(['L1/0']);

    const after = await caseState(client, caseId);
    expect(after.open.map((o) => o.id)).toEqual(stateAfterCrossing.open.map((o) => o.id));
    expect(after.open.find((o) => o.kind === 'initial-visit-high')?.escalationLevel).toBe(1);
    const timeline = await caseTimeline(client, caseId);
    const calls = timeline.filter((t) => t.event?.type === 'contact');
    expect(calls).toHaveLength(recorded); // each KIT call once: none lost at the boundary, none doubled by the retry
    expect(new Set(calls.map((t) => t.event!.at)).size).toBe(recorded);
    expect(timeline.filter((t) => t.event?.type === 'tier-set')).toHaveLength(1);
    expect(timeline.filter((t) => t.entry === 'message')).toHaveLength(1);
    await handle.terminate('drill finished');
  });
});
