/**
 * The web console end to end in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; no browser is downloaded), against the run's real dev server with a worker in
 * this process and the console server in-process on a random port. Covers: sign-in, opening a
 * case, recording a visit, bad input refused by field, an overdue case on the dashboard (a policy
 * counted in seconds), a manager acknowledging its escalation, an action refused to a viewer, and
 * a screenshot of the dashboard in .artifacts/dashboard.png. Every page at 1280 and 320 px, checked
 * for accessibility, is tests/console/accessibility.test.ts.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseTimeline, openCase } from '../../common/cases';
import { createOidcSignIn, type OidcSignIn } from '../../client/console/oidc';
import { eventually, launchChromium, signedIn as signedInAs, startCaseWorker, type CaseWorker, type TestBrowser, type TestUserKey, writeConsoleUsers } from '../support/browser';
import { startTestConsole, type TestConsole } from '../support/console';
import { startTestProvider, type TestProvider } from '../support/oidc-provider';
import type { PolicySnapshot } from '../../domain/policy';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { secondsPolicy } from '../support/seconds-policy';
import { uniqueName } from '../support/temporal-env';
import { CONTACTS } from '../case/harness';

const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, '.artifacts');

let cases: CaseWorker;
let client: Client;
let server: TestConsole;
/** The same console with single sign-on through a real OpenID Connect provider in this process. */
let ssoServer: TestConsole;
let provider: TestProvider;
let base: string;
let chromium: TestBrowser;
let browser: BrowserContext;
/** One suffix for this run's teams: short, so the dashboard reads like a real one. */
const run = Math.random().toString(36).slice(2, 6).toUpperCase();
const TEAMS = { north: `LOCALITY-NORTH-${run}`, south: `LOCALITY-SOUTH-${run}`, edge: `EDGE-OF-CARE-${run}` };

/** Both first-visit clocks pass in seconds, so cases go overdue during the test. */
const latePolicy = () => secondsPolicy({ 'initial-visit-high': 'PT3S', 'initial-visit-priority': 'PT4S' });

beforeAll(async () => {
  cases = await startCaseWorker('console');
  client = cases.client;
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-console-e2e-')), 'users.json');
  await writeConsoleUsers(usersFile, TEAMS);
  const taskQueue = cases.taskQueue;
  server = await startTestConsole({ client, usersFile, taskQueue });
  base = server.url;

  // Single sign-on: the provider needs the console's callback URL, the console the provider's issuer.
  let signIn: OidcSignIn | undefined;
  ssoServer = await startTestConsole({
    client,
    usersFile,
    taskQueue,
    sso: { begin: () => (signIn as OidcSignIn).begin(), finish: (url, pending) => (signIn as OidcSignIn).finish(url, pending) },
  });
  const redirectUrl = `${ssoServer.url}/auth/callback`;
  provider = await startTestProvider({
    clientId: 'caseclock-console',
    clientSecret: 'caseclock-console-test-secret',
    redirectUri: redirectUrl,
    accounts: { 'sub-meg': { name: 'Meg Manager', preferred_username: 'meg', groups: ['cc-managers'], team: TEAMS.north } },
  });
  signIn = createOidcSignIn({ issuer: provider.issuer, clientId: 'caseclock-console', clientSecret: 'caseclock-console-test-secret', redirectUrl, scopes: ['openid', 'profile'] });

  chromium = await launchChromium();
  browser = chromium.context;
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await ssoServer?.close();
  await provider?.close();
  await cases?.close();
});

const signedIn = (user: TestUserKey): Promise<Page> => signedInAs(browser, base, user);

const open = (caseId: string, team: string, tier: 'HIGH_IMMEDIATE' | 'PRIORITY' | 'VULNERABLE', policy: PolicySnapshot) =>
  openCase(client, { caseId, details: { reference: caseId, team, contacts: CONTACTS }, openedBy: 'seed', initialTier: { tier, reason: 'rated' } }, policy, { taskQueue: cases.taskQueue });

describe('the web console in a browser', () => {
  it('signs in, opens a case, records a visit, and refuses bad input by field', async () => {
    const page = await signedIn('admin');
    expect(await page.textContent('.who')).toContain('Ada Administrator');

    const caseId = uniqueName('WEB').slice(0, 20);
    await page.click('nav >> text=Open a case');
    await page.fill('#case-caseId', caseId);
    await page.fill('#case-reference', 'REF-WEB-1');
    await page.fill('#case-team', TEAMS.north);
    await page.selectOption('#case-tier', 'PRIORITY');
    await page.fill('#case-reason', 'Rated by the team manager');
    await page.fill('#case-worker', 'Sam Worker <worker@council.test>');
    await page.fill('#case-manager', 'Tess Manager <manager@council.test>');
    await page.click('button:has-text("Open a case")');
    await page.waitForURL(new RegExp(`/cases/${caseId}\\?done=open&since=`));
    expect(await page.textContent('.notice-ok')).toContain('Case opened: recorded by ada');
    expect(await page.textContent('table.data >> nth=0')).toMatch(/initial planned visit|Initial/i);
    expect(await page.locator('time[data-countdown]').first().textContent()).toMatch(/^due in 1[34] days/);

    // Record a visit.
    await page.click('summary:has-text("Record a visit")');
    await page.selectOption('#a-visit-childSeenAlone', 'yes');
    await page.click('#a-visit button');
    await page.waitForURL(new RegExp(`/cases/${caseId}\\?done=visit&since=`));
    const timeline = await page.textContent('section.timeline');
    expect(timeline).toMatch(/ada\s*event\s*Visit \(child seen alone\)/);
    expect(timeline).toMatch(/ada\s*event\s*Risk tier set to Priority/);

    // Bad input: the form comes back naming the field, and nothing is recorded.
    const before = await caseTimeline(client, caseId);
    await page.click('summary:has-text("Meetings and reports")');
    await page.click('summary:has-text("Schedule a meeting")');
    await page.fill('#a-meeting-schedule-meetingId', 'CG 1');
    await page.selectOption('#a-meeting-schedule-meetingType', 'core-group');
    await page.fill('#a-meeting-schedule-scheduledFor', '01/07/2026 10:00'); // as staff type it
    await page.click('#a-meeting-schedule button');
    await page.waitForLoadState();
    expect(await page.textContent('#a-meeting-schedule .error')).toMatch(/^Meeting id: may contain only letters, digits/);
    expect(await page.inputValue('#a-meeting-schedule-meetingId')).toBe('CG 1');
    expect(await page.locator('#a-meeting-schedule-scheduledFor-note').count()).toBe(0); // the UK date was understood
    expect(await caseTimeline(client, caseId)).toEqual(before);
    await page.close();
  });

  it('flags an overdue case on the dashboard; its manager acknowledges the escalation; a viewer is refused', async () => {
    const overdue = `WCF-${run}-0042`;
    await open(overdue, TEAMS.north, 'HIGH_IMMEDIATE', latePolicy());
    // The rest of a small service, for a dashboard that looks like one.
    const seeds: Array<[string, 'HIGH_IMMEDIATE' | 'PRIORITY' | 'VULNERABLE', boolean]> = [
      [TEAMS.north, 'PRIORITY', true],
      [TEAMS.north, 'VULNERABLE', false],
      [TEAMS.south, 'HIGH_IMMEDIATE', true],
      [TEAMS.south, 'PRIORITY', true],
      [TEAMS.south, 'PRIORITY', true],
      [TEAMS.south, 'VULNERABLE', false],
      [TEAMS.edge, 'PRIORITY', true],
      [TEAMS.edge, 'VULNERABLE', false],
    ];
    await Promise.all(seeds.map(([team, tier, late], i) => open(`WCF-${run}-${String(i + 1).padStart(4, '0')}`, team, tier, late ? latePolicy() : loadDefaultSnapshot())));

    const admin = await signedIn('admin');
    await eventually(async () => {
      await admin.goto(`${base}/dashboard`);
      const text = (await admin.textContent('#overdue-cases')) ?? '';
      const late = 1 + seeds.filter(([, , l]) => l).length;
      return text.includes(overdue) && (await admin.locator(`#overdue-cases a:has-text("WCF-${run}-")`).count()) >= late;
    }, 'the overdue cases on the dashboard');
    const row = admin.locator('#overdue-cases tr', { hasText: overdue });
    expect(await row.textContent()).toMatch(/High and immediate/);
    expect(await row.locator('time').textContent()).toMatch(/overdue$/);
    // From the case's summary: its allocated worker, and the obligation furthest past its deadline with how late.
    expect(await row.locator('td.worker').textContent()).toBe(CONTACTS['allocated-worker']!.name);
    expect(await row.locator('td.most-overdue').textContent()).toMatch(/^Visit within 24 hours \(High and Immediate risk\).*overdue$/);
    expect(await admin.locator('figure.chart svg.chart-wide').getAttribute('aria-label')).toBe('Cases with an overdue obligation, by team and risk tier');
    expect(await admin.locator('figure.chart').textContent()).toContain(TEAMS.north);
    mkdirSync(ARTIFACTS, { recursive: true });
    await admin.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await admin.close();

    // The team manager acknowledges the escalation from the case page.
    const manager = await signedIn('manager');
    await eventually(async () => {
      await manager.goto(`${base}/cases/${overdue}`);
      return (await manager.locator('button:has-text("Acknowledge level 1")').count()) > 0;
    }, 'the level 1 escalation');
    await manager.click('button:has-text("Acknowledge level 1")');
    await manager.waitForURL(new RegExp(`/cases/${overdue}\\?done=ack&since=`));
    expect(await manager.textContent('section.timeline')).toMatch(/tess\s*event\s*Escalation level 1 of Visit within 24 hours.* acknowledged/);
    expect(await manager.textContent('table.data >> nth=0')).toContain('acknowledged by tess');
    expect(await manager.locator('button:has-text("Acknowledge level 1")').count()).toBe(0);
    await manager.screenshot({ path: path.join(ARTIFACTS, 'case-manager.png'), fullPage: true });
    // A case of another team is not shown to a manager at all, nor listed.
    const refusedPage = await manager.goto(`${base}/cases/WCF-${run}-0003`);
    expect(refusedPage?.status()).toBe(403);
    expect(await manager.textContent('main')).toContain(`this case belongs to team ${TEAMS.south}: it is not shown to you`);
    await manager.goto(`${base}/`);
    expect(await manager.textContent('table.data')).not.toContain(TEAMS.south);
    // Nor through the API, the dashboard or the KPI's CSV.
    const listed = (await (await manager.request.get(`${base}/api/cases`)).json()) as Array<{ team: string }>;
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed.map((c) => c.team))).toEqual(new Set([TEAMS.north]));
    await manager.goto(`${base}/dashboard`);
    expect(await manager.textContent('main')).not.toContain(TEAMS.south);
    const managerCsv = await (await manager.request.get(`${base}/kpi.csv`)).text();
    expect(managerCsv).not.toContain(TEAMS.south);
    expect((await manager.request.get(`${base}/kpi.csv?team=${TEAMS.south}`)).status()).toBe(403);
    await manager.close();

    // A viewer sees no forms; a visit sent anyway (with the viewer's own CSRF token) is refused with a 403 page.
    const viewer = await signedIn('viewer');
    await viewer.goto(`${base}/cases/${overdue}`);
    expect(await viewer.locator('section.actions form').count()).toBe(0);
    const before = await caseTimeline(client, overdue);
    const csrf = await viewer.inputValue('input[name=csrf]');
    const refused = await viewer.request.post(`${base}/cases/${overdue}/actions/visit`, { form: { csrf }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('val has read-only access: nothing was changed');
    expect(await caseTimeline(client, overdue)).toEqual(before);

    // Reading is open to a viewer: the visiting KPI with its chart, and its CSV.
    await viewer.goto(`${base}/kpi?team=${TEAMS.north}`);
    expect(await viewer.locator('figure.chart svg.chart-wide').getAttribute('aria-label')).toMatch(/share on time, late, overdue and missed/);
    // The overdue visit can still be made: counted overdue, not missed.
    expect(await viewer.textContent('table.data')).toMatch(new RegExp(`${TEAMS.north}\\s*High and immediate\\s*Initial visit[^0-9]*1\\s*0\\s*0\\s*1\\s*0`));
    const csv = await viewer.request.get(`${base}${await viewer.getAttribute('a[download]', 'href')}`);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers()['content-disposition']).toMatch(/^attachment; filename="caseclock-kpi-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect((await csv.text()).split('\r\n')[0]).toBe('period_from,period_to,team,tier,kind,due,on_time,late,overdue,missed,waived,pending,on_time_rate,median_late_hours');
    await viewer.screenshot({ path: path.join(ARTIFACTS, 'kpi.png'), fullPage: true });
    await viewer.goto(`${base}/cases/${overdue}`);
    await viewer.screenshot({ path: path.join(ARTIFACTS, 'case-viewer.png'), fullPage: true });
    await viewer.close();
  });

  it('a head of service acknowledges a level-2 escalation; an administrator sees who viewed the case', async () => {
    const caseId = `WCF-${run}-L2`;
    const ladder = [
      { level: 1, role: 'team-manager' as const, after: 'PT0S' },
      { level: 2, role: 'head-of-service' as const, after: 'PT3S', repeatEvery: 'PT24H' },
    ];
    await open(caseId, TEAMS.south, 'HIGH_IMMEDIATE', secondsPolicy({ 'initial-visit-high': 'PT2S' }, ladder));
    const head = await signedIn('head');
    await eventually(
      async () => {
        await head.goto(`${base}/cases/${caseId}`);
        return (await head.locator('button:has-text("Acknowledge level 2")').count()) > 0;
      },
      'the level 2 escalation',
      60_000,
    );
    // A head of service reads and acknowledges; no other form is offered.
    expect(await head.locator('section.actions form').count()).toBe(0);
    await head.click('button:has-text("Acknowledge level 2")');
    await head.waitForURL(new RegExp(`/cases/${caseId}\\?done=ack&since=`));
    expect(await head.textContent('table.data >> nth=0')).toContain('acknowledged by hal');
    await head.screenshot({ path: path.join(ARTIFACTS, 'case-head-of-service.png'), fullPage: true });
    await head.close();

    const admin = await signedIn('admin');
    await admin.goto(`${base}/admin/views?caseId=${caseId}`);
    const views = (await admin.textContent('#views')) ?? '';
    expect(views).toMatch(/hal\s*Head of service/);
    expect(await server.consoleStore.views({ caseId })).toEqual(expect.arrayContaining([expect.objectContaining({ viewer: 'hal', caseId, what: 'page' })]));
    // Not for anyone else.
    const viewer = await signedIn('viewer');
    expect((await viewer.goto(`${base}/admin/views`))?.status()).toBe(403);
    await viewer.close();

    await admin.close();
  });

  it('signs in through the council identity provider (OpenID Connect), as a manager of their team', async () => {
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(`${ssoServer.url}/`);
    await expect.poll(() => page.url()).toContain('/login');
    await page.click('a:has-text("Sign in with your council account")');
    await page.waitForURL((u) => u.href.startsWith(provider.issuer));
    await page.fill('input[name="login"]', 'sub-meg');
    await page.fill('input[name="password"]', 'anything');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${ssoServer.url}/`);
    const who = (await page.textContent('.who')) ?? '';
    expect(who).toContain('Meg Manager');
    expect(who).toContain('Team manager');
    expect(who).toContain(TEAMS.north);
    expect(who).not.toContain('Change password'); // their password lives with the identity provider
    await page.screenshot({ path: path.join(ARTIFACTS, 'sso-signed-in.png'), fullPage: true });
    await page.close();
  });
});
