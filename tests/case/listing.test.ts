/**
 * Managers see what is overdue across cases from the case summaries in the store (no workflow is
 * asked), against the real dev server and the run's store: by team, by tier, overdue only, most
 * overdue first, each case with its most overdue obligation and its allocated worker. One case is
 * given a policy counted in seconds so it really goes overdue in the test's real time.
 */
import type { Client } from '@temporalio/client';
import { caseActivities, storeUrl } from '../support/case-record';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase, recordEvent } from '../../common/cases';
import { type CaseListing, listCaseSummaries } from '../../common/case-reads';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import type { PolicySnapshot } from '../../domain/policy';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';
import { secondsPolicy } from '../support/seconds-policy';
import { CONTACTS } from './harness';

let mailbox: Mailbox;
let dev: DevServerConnections;
let connection: NativeConnection;
let client: Client;
let bundle: WorkflowBundlePath;
let summaries: CaseSummaries;

beforeAll(async () => {
  summaries = openCaseSummaries(storeUrl());
  mailbox = await startMailbox();
  dev = await connectDevServer();
  ({ nativeConnection: connection, client } = dev);
  bundle = await bundleCaseWorkflows();
});
afterAll(async () => {
  await summaries?.close();
  await dev?.close();
  await mailbox?.close();
});

/** A case writes its summary a moment after it opens or changes. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never saw ${what}`);
}

describe('listing cases from their summaries', () => {
  it('filters by team and tier, lists the overdue case first with its most overdue obligation and worker', async () => {
    const taskQueue = uniqueName('listing');
    const north = uniqueName('NORTH');
    const south = uniqueName('SOUTH');
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle,
      activities: caseActivities(mailbox),
    });
    const ids = { overdue: uniqueName('WCF'), onTime: uniqueName('WCF'), otherTeam: uniqueName('WCF') };
    const list = (filter: { teams?: string[]; team?: string; tier?: 'HIGH_IMMEDIATE' | 'VULNERABLE'; overdueOnly?: boolean }) => listCaseSummaries(summaries, { ...filter, now: new Date().toISOString() });
    await worker.runUntil(async () => {
      const open = (caseId: string, team: string, tier: 'HIGH_IMMEDIATE' | 'VULNERABLE', policy: PolicySnapshot) =>
        openCase(client, { caseId, details: { reference: caseId, team, contacts: CONTACTS }, openedBy: 'admin1', initialTier: { tier, reason: 'rated' } }, policy, { taskQueue });
      await open(ids.overdue, north, 'HIGH_IMMEDIATE', secondsPolicy({ 'initial-visit-high': 'PT3S' }));
      await open(ids.onTime, north, 'VULNERABLE', loadDefaultSnapshot());
      await open(ids.otherTeam, south, 'VULNERABLE', loadDefaultSnapshot());

      await eventually(async () => (await list({ team: north })).length === 2, 'both north cases summarised');
      await eventually(async () => (await list({ team: north, overdueOnly: true })).some((c) => c.caseId === ids.overdue), 'the overdue case');

      const overdue = await list({ team: north, overdueOnly: true });
      expect(overdue.map((c) => c.caseId)).toEqual([ids.overdue]);
      expect(overdue[0]).toMatchObject<Partial<CaseListing>>({ team: north, tier: 'HIGH_IMMEDIATE', status: 'open', worker: 'Sam Worker' });
      expect(overdue[0]!.overdueCount).toBeGreaterThanOrEqual(1);
      // The obligation furthest past its deadline, and by how much as of the read.
      expect(overdue[0]!.mostOverdue).toMatchObject({ kind: 'initial-visit-high', title: 'Visit within 24 hours (High and Immediate risk)' });
      expect(overdue[0]!.mostOverdue!.lateByMs).toBeGreaterThan(0);

      const listed = await list({ team: north });
      expect(listed.map((c) => c.caseId)).toEqual([ids.overdue, ids.onTime]); // most overdue first
      expect(listed[1]!.mostOverdue).toBeUndefined();
      expect(listed[1]!.nextDueAt).toMatch(/Z$/);
      expect((await list({ team: north, tier: 'VULNERABLE' })).map((c) => c.caseId)).toEqual([ids.onTime]);
      expect((await list({ team: south })).map((c) => c.caseId)).toEqual([ids.otherTeam]);
      // A manager's teams: the list keeps to them, and a team typed outside them lists nothing.
      const mine = (await list({ teams: [north, south] })).map((c) => c.caseId);
      expect(mine[0]).toBe(ids.overdue);
      expect([...mine].sort()).toEqual(Object.values(ids).sort());
      expect(await list({ teams: [south], team: north })).toEqual([]);

      // Meeting the obligation clears it, once the case has written its summary.
      await recordEvent(client, ids.overdue, { type: 'contact', contactType: 'visit', at: new Date().toISOString(), by: 'sw1' });
      await eventually(async () => (await list({ team: north, overdueOnly: true })).length === 0, 'the overdue case cleared');

      for (const id of Object.values(ids)) await client.workflow.getHandle(`case:${id}`).terminate('test finished');
    });
  });
});
