/**
 * A case's policy and its local protocols on the case page, and the protocols still in force past
 * their review date flagged to administrators. First the rules on their own (overlay dates against
 * a Europe/London date, a case's version found in the policy library), then the console in-process
 * against the run's dev server with a real worker: a case opened through the console on
 * worcestershire-phase2 (its overlay reviewed by 13 July 2020, no end date) and one on the national
 * policy.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from '../../common/cases';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { casePolicy, overlayStanding, pastReview, protocolsPastReview } from '../../client/console/policies';
import type { Overlay } from '../../domain/policy';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { caseWorkflowId } from '../../workflows/messages';
import { caseActivities } from '../support/case-record';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, type DevServerConnections, uniqueName } from '../support/temporal-env';

const overlay = (o: Partial<Overlay>): Overlay => ({ id: 'o', name: 'Protocol', basis: { type: 'local-protocol', reference: 'r' }, startDate: '2026-01-01', rules: {}, ...o }) as Overlay;

describe('a local protocol on a date', () => {
  it('is not yet in force, in force, past its review date while it has no end date, or ended', () => {
    const open = overlay({ reviewDate: '2026-03-31' });
    expect(overlayStanding(open, '2025-12-31')).toBe('not-yet');
    expect(overlayStanding(open, '2026-01-01')).toBe('in-force');
    expect(overlayStanding(open, '2026-03-31')).toBe('in-force');
    expect(overlayStanding(open, '2026-04-01')).toBe('past-review');
    const ending = overlay({ endDate: '2026-06-30', reviewDate: '2026-03-31' });
    expect(overlayStanding(ending, '2026-04-01')).toBe('in-force');
    expect(overlayStanding(ending, '2026-06-30')).toBe('in-force');
    expect(overlayStanding(ending, '2026-07-01')).toBe('ended');
    expect(overlayStanding(overlay({ endDate: '2026-06-30' }), '2026-05-01')).toBe('in-force');
  });

  it('a case version is found in the policy library (by version or id@version), else said to be unknown', () => {
    const w = casePolicy('2020.06');
    expect(w).toMatchObject({ found: 'one', source: 'library', snapshot: { id: 'worcestershire-phase2', version: '2020.06' } });
    expect(casePolicy('national@2026.2')).toMatchObject({ found: 'one', snapshot: { id: 'national', version: '2026.2' } });
    expect(casePolicy('9999.1')).toEqual({ found: 'none', version: '9999.1' });
    const own = { ...loadDefaultSnapshot(), id: 'council-own', version: 'own.1' };
    expect(casePolicy('own.1', () => own)).toMatchObject({ found: 'one', source: 'configured', snapshot: { id: 'council-own' } });
    expect(
      casePolicy('own.1', () => {
        throw new Error('unreadable');
      }),
    ).toEqual({ found: 'none', version: 'own.1' });
    if (w.found !== 'one') throw new Error('expected one');
    expect(pastReview(w.snapshot, '2020-07-13')).toEqual([]);
    expect(pastReview(w.snapshot, '2020-07-14').map((o) => o.id)).toEqual(['wcf-phase2-2020']);
    const due = protocolsPastReview('2026-05-01');
    expect(due.map((d) => [`${d.policy.id}@${d.policy.version}`, d.overlay.reviewDate, d.source])).toEqual([
      ['worcestershire-phase2@2020.06', '2020-07-13', 'library'],
      ['worcestershire-phase2@2020.06.2', '2020-07-13', 'library'],
    ]);
    // Before its review date nothing is due; a council's own file past review is listed as such.
    expect(protocolsPastReview('2020-07-13')).toEqual([]);
    const councils = { ...w.snapshot, id: 'council-own', version: 'own.1', name: 'A council protocol' };
    expect(protocolsPastReview('2026-05-01', () => councils).map((d) => [`${d.policy.id}@${d.policy.version}`, d.source])).toContainEqual(['council-own@own.1', 'configured']);
  });
});

const PASSWORDS = { admin: 'ada reviews the local protocols', manager: 'tess keeps her team on time' };
const run = Math.random().toString(36).slice(2, 6).toUpperCase();
const TEAM = `PROTO-${run}`;

let dev: DevServerConnections;
let client: Client;
let mailbox: Mailbox;
let worker: Worker;
let workerRun: Promise<void>;
let server: TestConsole;
let taskQueue: string;
const cases = { worcs: uniqueName('PROTO-W'), national: uniqueName('PROTO-N') };

/** Signs in with the password form, as a browser would. */
function signIn(user: string, password: string): Promise<ConsoleSession> {
  return ConsoleSession.signedIn(server.url, user, password);
}

let ada: ConsoleSession;
let tess: ConsoleSession;

beforeAll(async () => {
  const bundle = bundleCaseWorkflows();
  [dev, mailbox] = await Promise.all([connectDevServer(), startMailbox()]);
  client = dev.client;
  taskQueue = uniqueName('protocols');
  worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await bundle, activities: caseActivities(mailbox) });
  workerRun = worker.run();
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-protocols-')), 'users.json');
  writeUsersFile(usersFile, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.admin) },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: TEAM, passwordHash: await hashPassword(PASSWORDS.manager) },
    ],
  });
  server = await startTestConsole({ client, usersFile, taskQueue, answerTimeoutMs: 15_000 });
  [ada, tess] = await Promise.all([signIn('ada', PASSWORDS.admin), signIn('tess', PASSWORDS.manager)]);
  // Worcestershire's case through the console's own form; the national one through the client.
  // Both are rated as they open: a case writes its record, and with it the summary its page reads,
  // once it has something to record.
  await ada.request('/cases/new');
  const opened = await ada.request('/cases', {
    caseId: cases.worcs,
    reference: `WCF-${run}-1`,
    team: TEAM,
    tier: 'VULNERABLE',
    reason: 'rated by team manager',
    worker: 'Sam Worker <sam.worker@council.test>',
    policy: 'worcestershire-phase2',
  });
  expect(opened.status, opened.body.slice(0, 2000)).toBe(303);
  await openCase(client, { caseId: cases.national, details: { reference: `WCF-${run}-2`, team: TEAM, contacts: {} }, openedBy: 'ada', initialTier: { tier: 'VULNERABLE', reason: 'rated' } }, loadDefaultSnapshot(), {
    taskQueue,
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await endTestWorkflows(
    client,
    Object.values(cases).map((id) => caseWorkflowId(id)),
    { worker, run: workerRun },
  );
  await dev?.close();
  await mailbox?.close();
});

describe('the case page and the administrators', () => {
  it("a case on worcestershire-phase2 shows its policy and the protocol's dates; an administrator is told it is past its review date", async () => {
    const page = await ada.request(`/cases/${cases.worcs}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<dd id="case-policy">Worcestershire Children First: Phase 2 Road to Recovery \(June 2020\) <span class="small muted">worcestershire-phase2@2020\.06\.2<\/span>/);
    const row = /<tr id="overlay-wcf-phase2-2020"[^>]*>([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? '';
    expect(row).toContain('Worcestershire Children First: COVID-19 Phase 2 Road to Recovery');
    expect(row).toContain('<time datetime="2020-06-01">Mon 1 Jun 2020</time>');
    expect(row).toContain('until ended');
    expect(row).toContain('<time datetime="2020-07-13">Mon 13 Jul 2020</time>');
    expect(row).toContain('in force, past its review date');
    const notice = /<section class="notice notice-warn" id="protocol-review">([\s\S]*?)<\/section>/.exec(page.body)?.[1] ?? '';
    expect(notice.replace(/<[^>]+>/g, '')).toContain(
      'The local protocol Worcestershire Children First: COVID-19 Phase 2 Road to Recovery was due for review on Mon 13 Jul 2020 and is still in force: check whether it should end.',
    );
    // The team's manager sees the protocol and its dates, not the administrators' notice.
    const managers = await tess.request(`/cases/${cases.worcs}`);
    expect(managers.status).toBe(200);
    expect(managers.body).toContain('in force, past its review date');
    expect(managers.body).not.toContain('id="protocol-review"');
  });

  it('a case on the national policy has no local protocol and no notice', async () => {
    const page = await ada.request(`/cases/${cases.national}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<dd id="case-policy">[^<]+ <span class="small muted">national@2026\.2<\/span>/);
    expect(page.body).toContain('No local protocols');
    expect(page.body).not.toContain('id="protocol-review"');
    expect(page.body).not.toContain('past its review date');
  });

  it("the administrators' page lists the protocol with its review date, reading no case; others are refused", async () => {
    const page = await ada.request('/admin/protocols');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<a href="/admin/protocols" aria-current="page">Protocols due for review</a>');
    const row = /<tr id="review-worcestershire-phase2@2020\.06\.2-wcf-phase2-2020">([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? '';
    expect(row).toContain('Worcestershire Children First: COVID-19 Phase 2 Road to Recovery');
    expect(row).toContain('<time datetime="2020-07-13">Mon 13 Jul 2020</time>');
    expect(page.body).not.toContain('national@');
    expect((await tess.request('/admin/protocols')).status).toBe(403);
    expect((await tess.request('/')).body).not.toContain('href="/admin/protocols"');
  });
});
