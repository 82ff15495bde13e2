/**
 * No read wakes a case (docs/scale.md, "Reads from the case summary"): every console page, every
 * read command of the command line, a calendar feed and the daily digest answer from the case
 * summaries in the store. Against the run's dev server, its store and a real SMTP server: cases
 * (one overdue, on a policy counted in seconds) and an incident write their summaries, then every
 * worker for their task queue stops, and each read must answer with none running. Then a worker
 * whose workflow code counts every query it answers (tests/support/read-counter.ts) runs while
 * everything is read again: not one query, not one activation of a case. The same counter sees the
 * operator's state query, so a reader that queried would be seen.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestActivities } from '../../activities/digest';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { caseState, openCase, reportIncident } from '../../common/cases';
import { WorkingDayCalendar } from '../../domain/calendar';
import { ukDateOf } from '../../domain/digest';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import type { DailyDigestResult } from '../../workflows/digest';
import { caseWorkflowId, incidentWorkflowId } from '../../workflows/messages';
import { caseActivities, storeUrl } from '../support/case-record';
import type { CliRun } from '../support/caseclock-bin';
import { runCaseclockInProcess } from '../support/caseclock-in-process';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCountingCaseWorkflows, ReadCounter } from '../support/read-counter';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, devServerAddress, type DevServerConnections, uniqueName } from '../support/temporal-env';

const PASSWORD = 'ada reads the record and never the case';
const run = uniqueName('r').slice(-8);
const TEAMS = { north: `READS-NORTH-${run}`, south: `READS-SOUTH-${run}` };
const ids = { overdue: `READS-OVERDUE-${run}`, onTime: `READS-ONTIME-${run}`, south: `READS-SOUTH-${run}`, incident: `READS-INC-${run}` };
const caseIds = [ids.overdue, ids.onTime, ids.south];
const workflowIds = [...caseIds.map(caseWorkflowId), incidentWorkflowId(ids.incident)];
const email = { manager: `manager.${run}@council.test`, south: `south.${run}@council.test`, head: `head.${run}@council.test` };
const contacts = (manager: string) => ({
  'allocated-worker': { name: 'Sam Worker', email: `worker.${run}@council.test` },
  'team-manager': { name: 'Tess Manager', email: manager },
  'head-of-service': { name: 'Hal Head', email: email.head },
});

let mailbox: Mailbox;
let dev: DevServerConnections;
let connection: NativeConnection;
let client: Client;
let plainBundle: WorkflowBundlePath;
let countingBundle: Awaited<ReturnType<typeof bundleCountingCaseWorkflows>>;
let summaries: CaseSummaries;
let server: TestConsole;
let feedUrl: string;
const counter = new ReadCounter();
const caseQueue = uniqueName('reads-cases');
const digestQueue = uniqueName('reads-digest');

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never saw ${what}`);
}

const summaryOf = (subject: 'case' | 'incident', id: string) => summaries.get(subject, id, new Date().toISOString());

/** A worker for the cases whose workflow code counts each query and activation into `counter`. */
const countingWorker = () => Worker.create({ connection, taskQueue: caseQueue, workflowBundle: countingBundle, activities: caseActivities(mailbox), sinks: counter.sinks });

beforeAll(async () => {
  summaries = openCaseSummaries(storeUrl());
  [mailbox, dev, countingBundle, plainBundle] = await Promise.all([startMailbox(), connectDevServer(), bundleCountingCaseWorkflows(), bundleCaseWorkflows()]);
  ({ nativeConnection: connection, client } = dev);
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-reads-')), 'users.json');
  writeUsersFile(usersFile, { users: [{ id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORD) }] });
  // A page that asked a case would wait this long for it before answering without.
  server = await startTestConsole({ client, usersFile, taskQueue: caseQueue, answerTimeoutMs: 5_000 });

  const worker = await countingWorker();
  await worker.runUntil(async () => {
    const policy = loadDefaultSnapshot();
    const open = (caseId: string, team: string, manager: string, tier: 'HIGH_IMMEDIATE' | 'VULNERABLE', p = policy) =>
      openCase(client, { caseId, details: { reference: caseId, team, contacts: contacts(manager) }, openedBy: 'ada', initialTier: { tier, reason: 'rated' } }, p, { taskQueue: caseQueue });
    await open(ids.overdue, TEAMS.north, email.manager, 'HIGH_IMMEDIATE', secondsPolicy({ 'initial-visit-high': 'PT3S' }, LEVEL_1_ONLY));
    await open(ids.onTime, TEAMS.north, email.manager, 'VULNERABLE');
    await open(ids.south, TEAMS.south, email.south, 'VULNERABLE');
    await reportIncident(client, { incidentId: ids.incident, details: { reference: ids.incident, team: TEAMS.north, contacts: contacts(email.manager) }, reportedBy: 'ada', awareAt: new Date().toISOString() }, policy, {
      taskQueue: caseQueue,
    });
    // Every summary written, and the overdue case's escalation sent and written (nothing left to write).
    await eventually(async () => {
      const written = await Promise.all([...caseIds.map((id) => summaryOf('case', id)), summaryOf('incident', ids.incident)]);
      return written.every((s) => s !== undefined && s.waitingForStore === 0 && s.sending.length === 0) && (written[0]?.open.some((o) => o.escalationLevel >= 1) ?? false);
    }, 'every summary written, the overdue case escalated');
  });
  // The team feed, created as a person does, on its page.
  const ada = await ConsoleSession.signedIn(server.url, 'ada', PASSWORD);
  const created = await ada.request('/account/feeds', { kind: 'team', team: TEAMS.north });
  expect(created.status, created.body.slice(0, 1000)).toBe(200);
  feedUrl = /id="feed-https"[^>]* value="([^"]+)"/.exec(created.body)?.[1] ?? '';
  expect(feedUrl).toMatch(/\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
}, 180_000);

afterAll(async () => {
  await endTestWorkflows(client, workflowIds);
  await server?.close();
  await summaries?.close();
  await dev?.close();
  await mailbox?.close();
});

/** The command line in this process, against the run's server and store; its exit code and output. */
function caseclock(...args: string[]): Promise<CliRun> {
  return runCaseclockInProcess(args, { TEMPORAL_ADDRESS: devServerAddress(), TEMPORAL_NAMESPACE: 'default', CASECLOCK_STORE_URL: storeUrl(), CASECLOCK_USER: 'ada', CASECLOCK_POLICY: '' });
}

/** Today's UK date, or the next working day after it: a date the digest goes on. */
function nextWorkingDay(): string {
  const calendar = WorkingDayCalendar.englandAndWales();
  let date = ukDateOf(new Date());
  while (!calendar.isWorkingDay(date)) date = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return date;
}

/**
 * Every read path, each checked for what it must show: the console's pages and JSON, the feed, the
 * command line's read commands, and a digest built by a worker of its own (not the cases').
 */
async function readEverything(): Promise<void> {
  const ada = await ConsoleSession.signedIn(server.url, 'ada', PASSWORD);
  const page = async (p: string, ...mustShow: string[]) => {
    const answer = await ada.request(p);
    expect(answer.status, `${p}: ${answer.body.slice(0, 500)}`).toBe(200);
    for (const text of mustShow) expect(answer.body, `${p} shows ${text}`).toContain(text);
    return answer.body;
  };
  await page('/dashboard', ids.overdue);
  await page(`/?team=${TEAMS.north}`, ids.overdue, ids.onTime);
  await page('/?overdue=on', ids.overdue);
  await page(`/cases/${ids.overdue}`, ids.overdue, 'Visit within 24 hours');
  await page(`/incidents/${ids.incident}`, ids.incident);
  const api = JSON.parse(await page(`/api/cases?team=${TEAMS.north}`)) as Array<{ caseId: string; overdueCount: number }>;
  expect(api.map((c) => c.caseId)).toEqual([ids.overdue, ids.onTime]);
  expect(api[0]!.overdueCount).toBeGreaterThanOrEqual(1);

  const feed = await fetch(feedUrl);
  const ics = await feed.text();
  expect(feed.status, ics.slice(0, 500)).toBe(200);
  expect(ics).toContain('BEGIN:VCALENDAR');
  expect(ics).toContain(`Overdue: `);
  expect(ics).toContain(ids.overdue);
  expect(ics).not.toContain('not written a summary');

  const show = await caseclock('show', ids.overdue);
  expect(show, show.stderr).toMatchObject({ code: 0 });
  expect(show.stdout).toMatch(new RegExp(`^Case ${ids.overdue} `));
  expect(show.stdout).toMatch(/Open obligations: \d+, 1 overdue/);
  const incident = await caseclock('incident', 'show', ids.incident);
  expect(incident, incident.stderr).toMatchObject({ code: 0 });
  expect(incident.stdout).toMatch(new RegExp(`^Incident ${ids.incident} `));
  const overdue = await caseclock('overdue', '--team', TEAMS.north, '--json');
  expect(overdue, overdue.stderr).toMatchObject({ code: 0 });
  expect((JSON.parse(overdue.stdout) as { cases: Array<{ caseId: string }> }).cases.map((c) => c.caseId)).toEqual([ids.overdue]);
  const everyTeam = await caseclock('overdue', '--json');
  expect(everyTeam, everyTeam.stderr).toMatchObject({ code: 0 });
  expect((JSON.parse(everyTeam.stdout) as { cases: Array<{ caseId: string }> }).cases.map((c) => c.caseId)).toContain(ids.overdue);
  const list = await caseclock('due-soon', '--team', TEAMS.south, '--within', 'P365D', '--json');
  expect(list, list.stderr).toMatchObject({ code: 0 });
  expect((JSON.parse(list.stdout) as { cases: Array<{ caseId: string }> }).cases.map((c) => c.caseId)).toEqual([ids.south]);
  const exported = await caseclock('export', ids.overdue);
  expect(exported, exported.stderr).toMatchObject({ code: 0 });
  expect((JSON.parse(exported.stdout) as { entries: unknown[] }).entries.length).toBeGreaterThan(0);

  // The digest of these two teams only (the store is shared with every other test file).
  const teams = [TEAMS.north, TEAMS.south];
  const digestWorker = await Worker.create({
    connection,
    taskQueue: digestQueue,
    workflowBundle: plainBundle,
    activities: createDigestActivities({
      client,
      summaries: {
        list: (filter) => summaries.list({ ...filter, teams }),
        get: async (subject, caseId, now) => {
          const s = await summaries.get(subject, caseId, now);
          return s && teams.includes(s.details.team) ? s : undefined;
        },
      },
      transport: mailbox.transport(),
      from: 'caseclock@test',
      consoleUrl: server.url,
      taskQueue: caseQueue,
    }),
  });
  const digest: DailyDigestResult = await digestWorker.runUntil(() =>
    client.workflow.execute('dailyDigestWorkflow', { taskQueue: digestQueue, workflowId: uniqueName('reads-digest'), args: [{ forDate: nextWorkingDay() }] }),
  );
  expect(digest).toMatchObject({ sent: true, casesRead: 3, casesUnreadable: 0 });
  expect(digest.recipients?.find((r) => r.email === email.manager)).toMatchObject({ overdue: 1 });
}

describe('reading cases', () => {
  it('answers every page, command, feed and digest from the store with no worker for the cases running', async () => {
    // Nobody answers for the cases: a query gets no answer (so a reader that asked one would fail or wait).
    await expect(client.withAbortSignal(AbortSignal.timeout(2_000), () => caseState(client, ids.overdue))).rejects.toThrow();
    await readEverything();
  }, 120_000);

  it('sends no query to a case and wakes none while a worker for them runs; the operator state query is counted', async () => {
    const worker = await countingWorker();
    await worker.runUntil(async () => {
      // Whatever fell due while no worker ran (the overdue case's next escalation, far off) is done first.
      for (let before = -1; counter.activationsOf(workflowIds) !== before;) {
        before = counter.activationsOf(workflowIds);
        await new Promise((r) => setTimeout(r, 1_500));
      }
      counter.reset();
      await readEverything();
      expect(counter.queries).toEqual([]);
      expect(counter.activationsOf(workflowIds)).toBe(0);

      // The same counter sees a query sent the way an operator sends one.
      await caseState(client, ids.overdue);
      expect(counter.queries).toEqual([{ workflowId: caseWorkflowId(ids.overdue), name: 'state' }]);
      expect(counter.activationsOf([caseWorkflowId(ids.overdue)])).toBeGreaterThanOrEqual(1);
    });
  }, 120_000);
});
