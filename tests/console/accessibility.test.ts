/**
 * The console for everyone, on any screen: every page, signed out and signed in as each role, at
 * 1280 px and at 320 px (WCAG's reflow width), checked by axe-core for WCAG 2.2 A and AA with zero
 * violations and nothing to scroll sideways (at 320 px, WCAG 1.4.10's reflow); a screenshot of each kept in
 * .artifacts/pages/<page>-<width>.png. Then a keyboard-only journey: a team manager signs in, skips
 * to the content, finds an overdue case, acknowledges its escalation and records a visit with Tab
 * and Enter alone. One browser, one console, one worker (tests/support/browser.ts).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase, recordEvent } from '../../common/cases';
import type { PolicySnapshot } from '../../domain/policy';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { openStaffDirectory, type StaffDirectory } from '../../store/staff-directory';
import { openTeamDirectory, type TeamDirectory } from '../../store/team-directory';
import { axeViolations, describeViolations, eventually, launchChromium, signedIn, startCaseWorker, type CaseWorker, type TestBrowser, type TestUserKey, writeConsoleUsers } from '../support/browser';
import { startTestConsole, type TestConsole } from '../support/console';
import { startScriptStore } from '../support/script-store';
import { secondsPolicy } from '../support/seconds-policy';
import { CONTACTS } from '../case/harness';

const PAGES = path.resolve(__dirname, '../../.artifacts/pages');
const WIDTHS = [1280, 320] as const;

const run = Math.random().toString(36).slice(2, 6).toUpperCase();
const TEAMS = { north: `LOCALITY-NORTH-${run}`, south: `LOCALITY-SOUTH-${run}` };
/** A case with a long timeline: messages to every rung of the ladder, meetings, a placement, an acknowledgement. */
const RICH = `WCF-${run}-10003`;
/** The case the keyboard journey acknowledges and visits. */
const JOURNEY = `WCF-${run}-20001`;

let cases: CaseWorker;
let server: TestConsole;
let directories: Awaited<ReturnType<typeof startScriptStore>>;
let teams: TeamDirectory;
let staff: StaffDirectory;
let chromium: TestBrowser;
let base: string;

const ladder = [
  { level: 1, role: 'team-manager' as const, after: 'PT0S' },
  { level: 2, role: 'head-of-service' as const, after: 'PT3S', repeatEvery: 'PT24H' },
];

const open = (caseId: string, team: string, tier: 'HIGH_IMMEDIATE' | 'PRIORITY' | 'VULNERABLE', policy: PolicySnapshot) =>
  openCase(cases.client, { caseId, details: { reference: caseId, team, contacts: CONTACTS }, openedBy: 'seed', initialTier: { tier, reason: 'rated by the team manager' } }, policy, { taskQueue: cases.taskQueue });

beforeAll(async () => {
  cases = await startCaseWorker('console-a11y');
  // The team and staff directories in a store of this file's own: a directory that lists teams
  // refuses cases in any other team, and other files open cases in teams of their own.
  directories = await startScriptStore();
  teams = openTeamDirectory(directories.url);
  staff = openStaffDirectory(directories.url);
  await teams.upsert({ code: TEAMS.north, name: 'Locality North', serviceArea: 'Family Support', manager: 'tess', head: 'hal', changedBy: 'ada' });
  await teams.upsert({ code: TEAMS.south, name: 'Locality South', serviceArea: 'Family Support', manager: 'tess', head: 'hal', changedBy: 'ada' });
  await staff.set({ staffId: 'SW-0001', name: 'Sam Worker', email: 'worker@council.test', changedBy: 'ada' });
  await staff.set({ staffId: 'TM-0001', name: 'Tess Manager', email: 'manager@council.test', userId: 'tess', changedBy: 'ada' });
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-a11y-')), 'users.json');
  await writeConsoleUsers(usersFile, TEAMS);
  server = await startTestConsole({ client: cases.client, usersFile, taskQueue: cases.taskQueue, teams, staff });
  base = server.url;
  chromium = await launchChromium({ bypassCSP: true });
  mkdirSync(PAGES, { recursive: true });

  const late = secondsPolicy({ 'initial-visit-high': 'PT2S', 'initial-visit-priority': 'PT3S' }, ladder);
  await Promise.all([
    open(RICH, TEAMS.north, 'HIGH_IMMEDIATE', late),
    open(
      JOURNEY,
      TEAMS.north,
      'HIGH_IMMEDIATE',
      secondsPolicy({ 'initial-visit-high': 'PT2S' }, [
        { level: 1, role: 'team-manager', after: 'PT0S' },
        { ...ladder[1]!, after: 'PT1H' },
      ]),
    ),
    open(`WCF-${run}-10001`, TEAMS.north, 'PRIORITY', late),
    open(`WCF-${run}-10002`, TEAMS.north, 'VULNERABLE', loadDefaultSnapshot()),
    open(`WCF-${run}-30001`, TEAMS.south, 'PRIORITY', late),
    open(`WCF-${run}-30002`, TEAMS.south, 'HIGH_IMMEDIATE', loadDefaultSnapshot()),
  ]);
  // The rich case: level 1 acknowledged by the manager, then level 2 to the head of service.
  const at = () => new Date().toISOString();
  await recordEvent(cases.client, RICH, { type: 'meeting-scheduled', at: at(), by: 'tess', meetingId: 'CONF-1', meetingType: 'icpc', scheduledFor: new Date(Date.now() + 10 * 86_400_000).toISOString() });
  await recordEvent(cases.client, RICH, { type: 'contact', at: at(), by: 'tess', contactType: 'kit-call' });
  await recordEvent(cases.client, RICH, { type: 'looked-after-started', at: at(), by: 'ada' });
  await recordEvent(cases.client, RICH, { type: 'placement-started', at: at(), by: 'ada', placementId: 'PL-1', placementType: 'general', legalStatus: 'care-order' });
  const page = await signedIn(chromium.context, base, 'admin');
  await eventually(
    async () => {
      await page.goto(`${base}/cases/${RICH}`);
      return (await page.locator('button:has-text("Acknowledge level 2")').count()) > 0;
    },
    'the rich case escalated to level 2',
    60_000,
  );
  await eventually(
    async () => {
      await page.goto(`${base}/cases/${JOURNEY}`);
      return (await page.locator('button:has-text("Acknowledge level 1")').count()) > 0;
    },
    'the journey case escalated to level 1',
    60_000,
  );
  await page.close();
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await teams?.close();
  await staff?.close();
  await directories?.stop();
  await cases?.close();
});

/** What was found wrong on each page at each width; the test fails listing all of it at the end. */
const problems: string[] = [];

/** The page as it is now, at both widths: a screenshot, axe-core's WCAG A/AA check, and nothing to scroll sideways. */
async function checkPage(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(PAGES, `${name}-${width}.png`), fullPage: true });
    const violations = await axeViolations(page);
    if (violations.length > 0) problems.push(`${name} at ${width} px:\n${describeViolations(violations)}`);
    const scrollWidth = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
    if (scrollWidth > width) problems.push(`${name} at ${width} px scrolls sideways: ${scrollWidth} px wide`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function visit(page: Page, name: string, url: string, status = 200): Promise<void> {
  const answer = await page.goto(`${base}${url}`);
  expect(answer?.status(), url).toBe(status);
  await checkPage(page, name);
}

async function as(user: TestUserKey, each: (page: Page) => Promise<void>): Promise<void> {
  const page = await signedIn(chromium.context, base, user);
  try {
    await each(page);
  } finally {
    await page.close();
  }
}

describe('the console for everyone', () => {
  it('every page, at 1280 and 320 px: no WCAG 2.2 A or AA violation, nothing to scroll sideways', async () => {
    let facts = '';
    let timeline = '';
    await chromium.context.clearCookies();
    const signedOut = await chromium.context.newPage();
    // A control: the check notices a violation (pale grey text on white, 1.9:1) when there is one.
    await signedOut.goto(`${base}/login`);
    await signedOut.evaluate(() => {
      const faint = document.createElement('p');
      faint.textContent = 'Hard to read';
      faint.style.color = '#bbbbbb';
      document.querySelector('main')?.append(faint);
    });
    expect((await axeViolations(signedOut)).map((v) => v.id)).toContain('color-contrast');
    await visit(signedOut, 'sign-in', '/login');
    await signedOut.close();

    await as('admin', async (page) => {
      await visit(page, 'cases-admin', '/');
      await visit(page, 'cases-filtered', `/?team=${TEAMS.north}&overdue=on`);
      await visit(page, 'dashboard-admin', '/dashboard');
      await visit(page, 'kpi', '/kpi');
      await visit(page, 'case-rich-timeline', `/cases/${RICH}`);
      facts = (await page.textContent('dl.facts')) ?? '';
      timeline = (await page.textContent('section.timeline table')) ?? '';
      await visit(page, 'open-a-case', '/cases/new');
      // The form sent empty: every field says what is wrong.
      await page.click('main button.primary');
      await page.waitForLoadState();
      await checkPage(page, 'open-a-case-refused');
      await visit(page, 'report-an-incident', '/incidents/new');
      await page.fill('#incident-incidentId', `SI-${run}-1`);
      await page.fill('#incident-team', TEAMS.north);
      await page.fill('#incident-linkedCaseId', RICH);
      await page.click('main button.primary');
      await page.waitForURL(/\/incidents\/SI-/);
      await eventually(async () => {
        await page.reload();
        return (await page.locator('table.data').count()) > 0;
      }, 'the incident page');
      await checkPage(page, 'incident');
      await visit(page, 'who-viewed-what', '/admin/views');
      await visit(page, 'protocols', '/admin/protocols');
      await visit(page, 'import', '/admin/import');
      await page.setInputFiles('#import-file', { name: 'cases.csv', mimeType: 'text/csv', buffer: Buffer.from('case_id,team\nNOT A CASE,\n') });
      await page.click('button:has-text("Check")');
      await page.waitForLoadState();
      await checkPage(page, 'import-checked');
      await visit(page, 'teams', '/admin/teams');
      await visit(page, 'staff', '/admin/staff');
      // Without the case system's sync, the reconciliation says it is not configured.
      await visit(page, 'reconciliation-not-configured', '/admin/reconciliation', 404);
      await visit(page, 'calendar-feeds', '/account/feeds');
      await visit(page, 'change-password', '/account/password');
      await visit(page, 'not-found', '/cases/NO-SUCH-CASE', 404);
    });
    await as('manager', async (page) => {
      await visit(page, 'cases-manager', '/');
      await visit(page, 'case-manager', `/cases/${RICH}`);
      await visit(page, 'refused', `/cases/WCF-${run}-30001`, 403);
    });
    await as('viewer', async (page) => {
      await visit(page, 'case-viewer', `/cases/${RICH}`);
    });
    await as('head', async (page) => {
      await visit(page, 'dashboard-head-of-service', '/dashboard');
      await visit(page, 'case-head-of-service', `/cases/${RICH}`);
    });
    expect(problems.join('\n\n')).toBe('');
    // The case's header names each of its people once, by name and role.
    for (const name of ['Sam Worker', 'Tess Manager', 'Hal Head']) expect(facts.split(name).length - 1, `${name} in ${facts}`).toBe(1);
    // The timeline in words: people by name and role, no codes.
    expect(timeline).toContain('Hal Head (head of service)');
    expect(timeline).toContain('Tess Manager (team manager)');
    expect(timeline).not.toMatch(/head-of-service|team-manager|allocated-worker|initial-visit-high|\bicpc\b/);
  });

  it('a team manager with the keyboard alone: signs in, skips to the content, acknowledges an overdue case and records a visit', async () => {
    await chromium.context.clearCookies();
    const page = await chromium.context.newPage();
    let presses = 0;
    const focused = () =>
      page.evaluate(() => ({
        tag: document.activeElement?.tagName.toLowerCase() ?? '',
        text: (document.activeElement?.textContent ?? '').trim(),
        id: document.activeElement?.id ?? '',
        href: document.activeElement?.getAttribute('href') ?? '',
      }));
    /** Tab until `wanted` has the focus (at most `max` presses). */
    async function tabTo(wanted: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string, max = 80): Promise<void> {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        presses++;
        if (wanted(await focused())) return;
      }
      throw new Error(`Tab never reached ${what}`);
    }
    const skipFirst = async () => {
      await page.keyboard.press('Tab');
      presses++;
      expect((await focused()).text).toBe('Skip to main content');
      await page.keyboard.press('Enter');
    };

    await page.goto(`${base}/login`);
    // The sign-in page starts in its first field.
    expect((await focused()).id).toBe('login-user');
    await page.keyboard.type('tess');
    await tabTo((f) => f.id === 'login-password', 'the password field');
    await page.keyboard.type('tess keeps her team on time');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);

    // The case list: the skip link first, then straight to the cases, overdue ones first.
    await skipFirst();
    await tabTo((f) => f.href === `/cases/${JOURNEY}`, `the link to ${JOURNEY}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/cases/${JOURNEY}`);

    await skipFirst();
    await tabTo((f) => f.text === 'Acknowledge level 1', 'the acknowledge button');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/cases/${JOURNEY}\\?done=ack&since=`));
    expect(await page.textContent('table.data >> nth=0')).toContain('acknowledged by tess');

    await skipFirst();
    await tabTo((f) => f.tag === 'summary' && f.text === 'Record a visit', 'the visit form');
    await page.keyboard.press('Enter'); // opens the form
    await tabTo((f) => f.id === 'a-visit-childSeenAlone', 'whether the child was seen alone');
    await page.keyboard.press('ArrowDown');
    await tabTo((f) => f.tag === 'button' && f.text === 'Record a visit', 'the button that records it');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/cases/${JOURNEY}\\?done=visit&since=`));
    expect(await page.textContent('section.timeline')).toMatch(/Visit \(child (not )?seen alone\)/);
    await page.screenshot({ path: path.join(PAGES, 'keyboard-journey-1280.png'), fullPage: true });
    console.info(`keyboard journey: ${presses} presses of Tab from sign-in to a recorded visit`);
    await page.close();
  });
});
