/**
 * The console reads cases from the case-record store, never from their workflows: with the worker
 * stopped (so no query could be answered), the case list, /api/cases, the dashboard and a case's
 * page still answer from the cases' summaries, the list with each case's most overdue obligation and
 * allocated worker. A running case that has written no summary is said to have none (and how to
 * get one), and a case that does not exist is not found. Real dev server, the run's store.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from '../../common/cases';
import { type CaseListing, summaryAfter } from '../../common/case-reads';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { pooledTransactions } from '../../store/case-record-store';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import { caseWorkflowId } from '../../workflows/messages';
import { caseActivities, storeUrl } from '../support/case-record';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, type DevServerConnections, uniqueName } from '../support/temporal-env';
import { CONTACTS } from '../case/harness';

const PASSWORD = 'tess keeps her team on time';
const TEAM = uniqueName('STORE').slice(0, 40);
const OTHER = uniqueName('ELSEWHERE').slice(0, 40);

let dev: DevServerConnections;
let client: Client;
let mailbox: Mailbox;
let server: TestConsole;
let summaries: CaseSummaries;
let tess: ConsoleSession;
const cases = { late: uniqueName('LATE'), onTime: uniqueName('ONTIME'), other: uniqueName('OTHER'), silent: uniqueName('SILENT') };

beforeAll(async () => {
  const bundle = bundleCaseWorkflows();
  [dev, mailbox] = await Promise.all([connectDevServer(), startMailbox()]);
  client = dev.client;
  summaries = openCaseSummaries(storeUrl());
  const taskQueue = uniqueName('from-store');
  const worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await bundle, activities: caseActivities(mailbox) });
  await worker.runUntil(async () => {
    const open = (caseId: string, team: string, late: boolean) =>
      openCase(
        client,
        { caseId, details: { reference: caseId, team, contacts: CONTACTS }, openedBy: 'tess', initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'rated' } },
        late ? secondsPolicy({ 'initial-visit-high': 'PT1S' }) : loadDefaultSnapshot(),
        { taskQueue },
      );
    await Promise.all([open(cases.late, TEAM, true), open(cases.onTime, TEAM, false), open(cases.other, OTHER, false)]);
    // Nothing to record (no tier, no event): its opening summary is its only write, taken away
    // below as the store's owner, as for a case begun before summaries.
    await openCase(client, { caseId: cases.silent, details: { reference: cases.silent, team: TEAM, contacts: {} }, openedBy: 'tess' }, loadDefaultSnapshot(), { taskQueue });
    for (const id of [cases.late, cases.onTime, cases.other, cases.silent]) expect((await summaryAfter(summaries, 'case', id, { since: 'any', timeoutMs: 20_000 })).summary?.caseId).toBe(id);
    const owner = pooledTransactions(storeUrl(), { applicationName: 'caseclock-test', missingTable: 'case_summaries' });
    try {
      await owner.inTransaction(false, (c) => c.query('DELETE FROM case_summaries WHERE case_id = $1', [cases.silent]));
    } finally {
      await owner.close();
    }
    // The late case past its deadline in the summary it wrote (its reminder and escalation), then the worker stops.
    await new Promise((r) => setTimeout(r, 1_500));
  });
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-from-store-')), 'users.json');
  writeUsersFile(usersFile, { users: [{ id: 'tess', name: 'Tess Manager', role: 'manager', team: TEAM, passwordHash: await hashPassword(PASSWORD) }] });
  server = await startTestConsole({ client, usersFile, answerTimeoutMs: 5_000 });
  tess = await ConsoleSession.signedIn(server.url, 'tess', PASSWORD);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await endTestWorkflows(
    client,
    Object.values(cases).map((id) => caseWorkflowId(id)),
  );
  await summaries?.close();
  await dev?.close();
  await mailbox?.close();
});

describe('the console with no worker running', () => {
  it("lists the manager's cases from their summaries, most overdue first, with the overdue obligation and the worker", async () => {
    const listed = JSON.parse((await tess.request('/api/cases')).body) as CaseListing[];
    expect(listed.map((c) => c.caseId)).toEqual([cases.late, cases.onTime]); // their own team only; the silent case has no summary
    expect(listed[0]).toMatchObject({ team: TEAM, tier: 'HIGH_IMMEDIATE', worker: 'Sam Worker', mostOverdue: { kind: 'initial-visit-high', title: 'Visit within 24 hours (High and Immediate risk)' } });
    expect(listed[0]!.overdueCount).toBeGreaterThanOrEqual(1);
    expect(listed[1]).toMatchObject({ worker: 'Sam Worker', overdueCount: 0 });
    expect(listed[1]!.mostOverdue).toBeUndefined();

    const page = (await tess.request('/')).body;
    const row = new RegExp(`<tr class="row-overdue">.*?${cases.late}.*?</tr>`).exec(page)?.[0] ?? '';
    expect(row).toContain('<td class="worker">Sam Worker</td>');
    expect(row).toMatch(/<td class="most-overdue">Visit within 24 hours \(High and Immediate risk\)<br\/><span class="pill pill-late">[^<]*overdue<\/span>/);
    expect(page).not.toContain(cases.other);
    const dashboard = await tess.request('/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toContain(cases.late);
    expect(dashboard.body).not.toContain(cases.onTime); // not overdue
  });

  it("shows a case's page from its summary and its timeline from the store", async () => {
    const page = await tess.request(`/cases/${cases.late}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Visit within 24 hours (High and Immediate risk)');
    // The header names the case's people once each, by role.
    expect(page.body).toContain('<dt>Allocated worker</dt><dd>Sam Worker</dd>');
    expect(page.body).toContain('<dt>Team manager</dt><dd>Tess Manager</dd>');
    expect(page.body).toMatch(/Risk tier set to High and immediate/);
    expect(page.body).not.toContain('Still being written');
  });

  it('says plainly when a case has no summary yet, and when there is no such case', async () => {
    const silent = await tess.request(`/cases/${cases.silent}`);
    expect(silent.status).toBe(200);
    expect(silent.body).toContain(`No summary yet: case ${cases.silent} has not written to the case record since the upgrade; run \`caseclock summaries backfill\``);
    const none = await tess.request(`/cases/${uniqueName('NOSUCH')}`);
    expect(none.status).toBe(404);
    expect(none.body).toMatch(/There is no case NOSUCH-/);
  });
});
