/**
 * Managers see what is overdue across cases from search attributes alone, against the real dev
 * server: by team, by tier, overdue only. One case is given a policy counted in seconds so it
 * really goes overdue in the test's real time.
 */
import type { Client } from '@temporalio/client';
import { caseActivities } from '../support/case-record';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCases, openCase, recordEvent, type CaseListing } from '../../common/cases';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import type { PolicySnapshot } from '../../domain/policy';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';
import { secondsPolicy } from '../support/seconds-policy';
import { CONTACTS } from './harness';

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

/** Search attributes reach the visibility store a moment after the workflow sets them. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never saw ${what}`);
}

describe('listing cases by search attributes', () => {
  it('filters by team and tier, and lists the overdue case first', async () => {
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
    await worker.runUntil(async () => {
      const open = (caseId: string, team: string, tier: 'HIGH_IMMEDIATE' | 'VULNERABLE', policy: PolicySnapshot) =>
        openCase(client, { caseId, details: { reference: caseId, team, contacts: CONTACTS }, openedBy: 'admin1', initialTier: { tier, reason: 'rated' } }, policy, { taskQueue });
      await open(ids.overdue, north, 'HIGH_IMMEDIATE', secondsPolicy({ 'initial-visit-high': 'PT3S' }));
      await open(ids.onTime, north, 'VULNERABLE', loadDefaultSnapshot());
      await open(ids.otherTeam, south, 'VULNERABLE', loadDefaultSnapshot());

      const inNorth = () => listCases(client, { team: north });
      // The team is set when the case starts; the next deadline only once its first task has run.
      await eventually(async () => {
        const listed = await inNorth();
        return listed.length === 2 && listed.some((c) => c.caseId === ids.onTime && c.nextDueAt !== undefined);
      }, 'both north cases, the on-time one with its next deadline');
      await eventually(async () => (await listCases(client, { team: north, overdueOnly: true })).some((c) => c.caseId === ids.overdue), 'the overdue case');

      const overdue = await listCases(client, { team: north, overdueOnly: true });
      expect(overdue.map((c) => c.caseId)).toEqual([ids.overdue]);
      expect(overdue[0]).toMatchObject<Partial<CaseListing>>({ team: north, tier: 'HIGH_IMMEDIATE', status: 'overdue' });
      expect(overdue[0]!.overdueCount).toBeGreaterThanOrEqual(1);

      const listed = await inNorth();
      expect(listed[0]?.caseId).toBe(ids.overdue); // overdue cases first
      expect((await listCases(client, { team: north, tier: 'VULNERABLE' })).map((c) => c.caseId)).toEqual([ids.onTime]);
      expect((await listCases(client, { team: south })).map((c) => c.caseId)).toEqual([ids.otherTeam]);
      expect(listed.find((c) => c.caseId === ids.onTime)?.nextDueAt).toMatch(/Z$/);

      // Meeting the obligation clears the flag.
      await recordEvent(client, ids.overdue, { type: 'contact', contactType: 'visit', at: new Date().toISOString(), by: 'sw1' });
      await eventually(async () => (await listCases(client, { team: north, overdueOnly: true })).length === 0, 'the flag cleared');

      for (const id of Object.values(ids)) await client.workflow.getHandle(`case:${id}`).terminate('test finished');
    });
  });
});
