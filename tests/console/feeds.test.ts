/**
 * Private calendar feeds, end to end: the console in-process against the run's real dev server with
 * a real worker. Feeds are created through the console's own pages (signed in through /login), the
 * .ics is fetched without a session and parsed with ical.js (an independent parser), a visit
 * recorded through the console moves the feed's events, a revoked token answers 404, a manager
 * cannot create another team's feed, and a feed stops when its creator can no longer see its team
 * (the users file changed under the running console). Someone who signs in through the council's
 * identity provider (a real OpenID Connect provider in this process) makes feeds too, which read by
 * the access recorded at their last sign-in, and stop once that sign-in is older than 30 days.
 * A feed reads the cases' summaries in the store, never a case: with no worker for its cases it is
 * served all the same, and says how many cases it could not include.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, openCase, recordEvent } from '../../common/cases';
import { type ConsoleUser, hashPassword, writeUsersFile } from '../../client/identity/auth';
import { createOidcSignIn, type OidcSignIn } from '../../client/console/oidc';
import { DEADLINE_EVENT_MINUTES, eventUid, isEndOfDay, SSO_FEED_ACCESS_DAYS } from '../../client/console/routes/feeds';
import type { Team, TeamDirectory } from '../../store/team-directory';
import { ssoUserId } from '../../common/sso-identity';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import type { CaseState, CaseSummary } from '../../workflows/messages';
import { caseWorkflowId, stateQuery } from '../../workflows/messages';
import { caseActivities, storeUrl } from '../support/case-record';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { startTestProvider, type AccountClaims, type TestProvider } from '../support/oidc-provider';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, type DevServerConnections, uniqueName } from '../support/temporal-env';

const PASSWORDS = { admin: 'ada keeps the calendars honest', manager: 'tess keeps her team on time', south: 'mo manages the southern team', viewer: 'val reads but never writes', nia: 'nia manages north for now' };
const run = Math.random().toString(36).slice(2, 6).toUpperCase();
const TEAMS = { north: `FEEDS-NORTH-${run}`, south: `FEEDS-SOUTH-${run}` };
/** Names and words that must never reach a feed: staff names, and the free text typed when rating. */
const NEVER = ['Sam Worker', 'Pat Other', 'Tess Manager', 'Hal Head', 'rated by the team manager after a home visit'];

let dev: DevServerConnections;
let client: Client;
let mailbox: Mailbox;
let worker: Worker;
let workerRun: Promise<void>;
let summaries: CaseSummaries;
let server: TestConsole;
/** The same console with single sign-on through `provider`, whose accounts a test changes. */
let ssoServer: TestConsole;
let provider: TestProvider;
const SSO_ACCOUNTS: Record<string, AccountClaims> = {};
/** The console's users file, and who is in it: a test rewrites it under the running console. */
let usersFile: string;
let users: ConsoleUser[];
const started: string[] = [];
/** Case A: Sam's (high and immediate); case B: Pat's, with a referral (an end-of-day deadline); case S: another team. */
const cases = { a: uniqueName('FEED-A'), b: uniqueName('FEED-B'), s: uniqueName('FEED-S') };
const refs = { a: `WCF-${run}-0042`, b: `WCF-${run}-0043`, s: `WCF-${run}-0099` };

// --- HTTP as a browser would, with a cookie jar of one ----------------------------------------

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** A browser on this file's console (or `base`): the shared ConsoleSession, signing in as the feeds page expects. */
class Session extends ConsoleSession {
  constructor(base?: string) {
    super(base ?? server.url);
  }
  static async signIn(user: string, password: string): Promise<Session> {
    const s = new Session();
    await s.request('/login');
    const answer = await s.request('/login', { user, password, next: '/' });
    expect(answer.status, answer.body.slice(0, 500)).toBe(303);
    await s.request('/account/feeds');
    return s;
  }
}

/**
 * Signs in to `ssoServer` through the identity provider as `accountId`, as a browser would: the
 * console's /auth/sso, the provider's login form, back to the console's callback.
 */
async function ssoSignIn(accountId: string): Promise<Session> {
  const jar = new Map<string, string>();
  const get = async (url: string, form?: Record<string, string>): Promise<Response> => {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(jar.size > 0 ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const callback = `${ssoServer.url}/auth/callback`;
  let url = `${ssoServer.url}/auth/sso?next=%2Faccount%2Ffeeds`;
  let form: Record<string, string> | undefined;
  for (let hop = 0; hop < 12 && !url.startsWith(callback); hop++) {
    const res = await get(url, form);
    form = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).href;
      continue;
    }
    // oidc-provider's development login page: any password.
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    expect(action, html.slice(0, 500)).toBeDefined();
    url = new URL(action!.replace(/&amp;/g, '&'), url).href;
    form = { prompt: 'login', login: accountId, password: 'anything' };
  }
  expect(url.startsWith(callback)).toBe(true);
  const signedIn = await get(url);
  expect(signedIn.status, await signedIn.text()).toBe(200);
  const s = new Session(ssoServer.url);
  s.cookie = `caseclock_session=${jar.get('caseclock_session') ?? ''}`;
  expect(jar.get('caseclock_session')).toBeTruthy();
  await s.request('/account/feeds');
  return s;
}

/** Creates a feed through the console page and returns its https address and id. */
async function createFeed(s: Session, form: Record<string, string>): Promise<{ url: string; id: string }> {
  const answer = await s.request('/account/feeds', form);
  expect(answer.status, answer.body.slice(0, 2000)).toBe(200);
  const url = /id="feed-https"[^>]* value="([^"]+)"/.exec(answer.body)?.[1] ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);
  expect(answer.body).toContain(`href="${url.replace(/^http:\/\//, 'webcal://')}"`);
  expect(answer.body).toMatch(/Outlook/);
  expect(answer.body).toMatch(/Google Calendar/);
  // The newest feed is the first row of the list.
  const id = /<tr id="feed-(\d+)">/.exec(answer.body)?.[1] ?? '';
  expect(id).not.toBe('');
  return { url, id };
}

interface FeedEvent {
  uid: string;
  summary: string;
  description: string;
  start: ICAL.Time;
  end: ICAL.Time;
}

async function fetchFeed(url: string): Promise<{ answer: Answer; name: string; events: FeedEvent[] }> {
  const res = await fetch(url, { redirect: 'manual' });
  const answer = { status: res.status, headers: res.headers, body: await res.text() };
  if (res.status !== 200) return { answer, name: '', events: [] };
  const cal = new ICAL.Component(ICAL.parse(answer.body));
  const events = cal.getAllSubcomponents('vevent').map((c) => {
    const e = new ICAL.Event(c);
    return { uid: e.uid, summary: e.summary, description: e.description, start: e.startDate, end: e.endDate };
  });
  return { answer, name: String(cal.getFirstPropertyValue('x-wr-calname') ?? ''), events };
}

/**
 * The case's summary once it has caught up with the case (written, nothing waiting, the same open
 * obligations as the case's state): what its feed shows from then on.
 */
async function settledSummary(caseId: string): Promise<CaseSummary> {
  const ids = (open: ReadonlyArray<{ id: string }>) =>
    open
      .map((o) => o.id)
      .sort()
      .join();
  for (let i = 0; i < 100; i++) {
    const [state, summary] = await Promise.all([caseState(client, caseId), summaries.get('case', caseId, new Date().toISOString())]);
    if (summary && summary.waitingForStore === 0 && ids(summary.open) === ids(state.open)) return summary;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the summary of ${caseId} never caught up with the case`);
}

/** What the feed must hold for a case: one event per open obligation, at its due time, with the reference only. */
function expectEventsOf(state: Pick<CaseState, 'caseId' | 'details' | 'open'>, events: FeedEvent[], base: string): void {
  const mine = events.filter((e) => e.uid.startsWith(`${state.caseId}/`));
  expect(mine.map((e) => e.uid).sort()).toEqual(state.open.map((o) => eventUid(state.caseId, o.id)).sort());
  for (const o of state.open) {
    const e = mine.find((x) => x.uid === eventUid(state.caseId, o.id));
    if (!e) throw new Error(`no event for ${o.id}`);
    expect(e.summary).toMatch(new RegExp(`^(Overdue: )?${o.title.replace(/[()]/g, '\\$&')} due · ${state.details.reference}$`));
    const lines = e.description.split('\n');
    expect(lines[0]).toBe(`Case ${state.details.reference} (team ${state.details.team})`);
    expect(lines[1]).toBe(o.title);
    expect(lines[2]).toMatch(/^Due by /);
    expect(lines[3]).toBe(`Open the case: ${base}/cases/${state.caseId}`);
    expect(lines).toHaveLength(4);
    if (isEndOfDay(o.dueAt)) {
      // A deadline by the end of a day is that whole day: from the date to the next (DTEND is exclusive).
      const day = DateTime.fromISO(o.dueAt).setZone('Europe/London');
      expect(e.start.isDate).toBe(true);
      expect(e.start.toString()).toBe(day.toISODate());
      expect(e.end.isDate).toBe(true);
      expect(e.end.toString()).toBe(day.plus({ days: 1 }).toISODate());
    } else {
      // A deadline at an instant starts there and lasts a short while, so calendars draw it.
      expect(e.start.isDate).toBe(false);
      expect(e.start.toJSDate().toISOString()).toBe(new Date(Math.floor(Date.parse(o.dueAt) / 1000) * 1000).toISOString());
      expect(e.end.isDate).toBe(false);
      expect(e.end.toJSDate().getTime() - e.start.toJSDate().getTime()).toBe(DEADLINE_EVENT_MINUTES * 60_000);
    }
  }
}

beforeAll(async () => {
  summaries = openCaseSummaries(storeUrl());
  const bundle = bundleCaseWorkflows();
  [dev, mailbox] = await Promise.all([connectDevServer(), startMailbox()]);
  client = dev.client;
  const taskQueue = uniqueName('feeds');
  // Single sign-on: the provider needs the console's callback URL, the console the provider's issuer.
  worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await bundle, activities: caseActivities(mailbox) });
  workerRun = worker.run();

  usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-feeds-')), 'users.json');
  users = [
    { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.admin) },
    { id: 'tess', name: 'Tess Manager', role: 'manager', team: TEAMS.north, passwordHash: await hashPassword(PASSWORDS.manager) },
    { id: 'mo', name: 'Mo Manager', role: 'manager', team: TEAMS.south, passwordHash: await hashPassword(PASSWORDS.south) },
    { id: 'val', name: 'Val Viewer', role: 'viewer', team: TEAMS.north, passwordHash: await hashPassword(PASSWORDS.viewer) },
    { id: 'nia', name: 'Nia Manager', role: 'manager', team: TEAMS.north, passwordHash: await hashPassword(PASSWORDS.nia) },
  ];
  writeUsersFile(usersFile, { users });
  server = await startTestConsole({ client, usersFile, taskQueue, answerTimeoutMs: 15_000 });
  let signIn: OidcSignIn | undefined;
  ssoServer = await startTestConsole({
    client,
    usersFile,
    taskQueue,
    answerTimeoutMs: 15_000,
    sso: { begin: () => (signIn as OidcSignIn).begin(), finish: (url, pending) => (signIn as OidcSignIn).finish(url, pending) },
  });
  const redirectUrl = `${ssoServer.url}/auth/callback`;
  // Sid manages north as the provider says; the test moves him by changing his claims.
  SSO_ACCOUNTS['sub-sid'] = { preferred_username: 'sid', name: 'Sid Manager', groups: ['cc-managers'], team: TEAMS.north };
  provider = await startTestProvider({ clientId: 'caseclock-console', clientSecret: 'caseclock-console-feeds-secret', redirectUri: redirectUrl, accounts: SSO_ACCOUNTS });
  signIn = createOidcSignIn({ issuer: provider.issuer, clientId: 'caseclock-console', clientSecret: 'caseclock-console-feeds-secret', redirectUrl });

  const policy = loadDefaultSnapshot();
  const staff = (worker: { name: string; email: string }) => ({
    'allocated-worker': worker,
    'team-manager': { name: 'Tess Manager', email: 'manager@council.test' },
    'head-of-service': { name: 'Hal Head', email: 'head@council.test' },
  });
  // Rated ten minutes ago, so a visit recorded now (to the minute, as the form takes it) is after it.
  const open = async (caseId: string, reference: string, team: string, tier: string, worker: { name: string; email: string }) => {
    await openCase(
      client,
      {
        caseId,
        details: { reference, team, contacts: staff(worker) },
        openedBy: 'ada',
        initialTier: { tier, reason: 'rated by the team manager after a home visit', at: new Date(Date.now() - 10 * 60_000).toISOString() },
      },
      policy,
      { taskQueue },
    );
    started.push(caseWorkflowId(caseId));
  };
  await open(cases.a, refs.a, TEAMS.north, 'HIGH_IMMEDIATE', { name: 'Sam Worker', email: 'sam.worker@council.test' });
  await open(cases.b, refs.b, TEAMS.north, 'PRIORITY', { name: 'Pat Other', email: 'pat.other@council.test' });
  await open(cases.s, refs.s, TEAMS.south, 'HIGH_IMMEDIATE', { name: 'Sam Worker', email: 'sam.worker@council.test' });
  // A referral: its decision is due at the end of the next working day (an all-day event).
  await recordEvent(client, cases.b, { type: 'referral-received', at: new Date().toISOString(), by: 'ada' });
  await Promise.all(Object.values(cases).map(settledSummary));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await ssoServer?.close();
  await provider?.close();
  await endTestWorkflows(client, started, { worker, run: workerRun });
  await summaries?.close();
  await dev?.close();
  await mailbox?.close();
});

describe('calendar feeds', () => {
  let tess: Session;
  let team: { url: string; id: string };
  let sams: { url: string; id: string };

  it('a manager creates a team feed and a worker feed on /account/feeds, shown once with how to subscribe', async () => {
    tess = await Session.signIn('tess', PASSWORDS.manager);
    const page = await tess.request('/account/feeds');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Create a team feed');
    team = await createFeed(tess, { kind: 'team', team: TEAMS.north });
    sams = await createFeed(tess, { kind: 'worker', team: TEAMS.north, email: 'Sam.Worker@council.test' });
    // The list shows both, never their addresses again.
    const again = await tess.request('/account/feeds');
    expect(again.body).toContain(`id="feed-${team.id}"`);
    expect(again.body).toContain(`id="feed-${sams.id}"`);
    expect(again.body).not.toContain(team.url.split('/feeds/')[1]);
    expect(again.body).not.toContain(sams.url.split('/feeds/')[1]);
  });

  it('the team feed is iCalendar of every open obligation of the team, by case reference only', async () => {
    const { answer, name, events } = await fetchFeed(team.url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(name).toBe(`CaseClock · Team ${TEAMS.north}`);
    const [a, b] = await Promise.all([settledSummary(cases.a), settledSummary(cases.b)]);
    expect(a.open.length).toBeGreaterThan(0);
    expectEventsOf(a, events, server.url);
    expectEventsOf(b, events, server.url);
    expect(events).toHaveLength(a.open.length + b.open.length);
    // Every event says when it ends (ical.js alone would make an all-day event without one a day long).
    expect(answer.body.match(/^DTEND[;:]/gm)).toHaveLength(events.length);
    // The referral's decision is an all-day event; the 24-hour visit a timed one.
    expect(events.some((e) => e.start.isDate)).toBe(true);
    expect(events.find((e) => e.uid.startsWith(`${cases.a}/initial-visit-high@`))?.start.isDate).toBe(false);
    expect(answer.body).not.toContain(cases.s);
    expect(answer.body).not.toContain(refs.s);
    for (const text of NEVER) expect(answer.body).not.toContain(text);
    // Each case shown is recorded as viewed, through the feed, by whoever created it.
    const views = await server.consoleStore.views({ viewer: 'tess' });
    expect(views.filter((v) => v.what === 'feed').map((v) => v.caseId)).toEqual(expect.arrayContaining([cases.a, cases.b]));
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    const record = await ada.request(`/admin/views?caseId=${cases.a}&viewer=tess`);
    expect(record.body).toMatch(/<td>tess<\/td>.*?a calendar feed/s);
  });

  it('the worker feed holds only the cases allocated to that worker in the team', async () => {
    const { answer, name, events } = await fetchFeed(sams.url);
    expect(answer.status).toBe(200);
    expect(name).toBe(`CaseClock · sam.worker@council.test (allocated worker, team ${TEAMS.north})`);
    const a = await settledSummary(cases.a);
    expectEventsOf(a, events, server.url);
    expect(events).toHaveLength(a.open.length);
    expect(answer.body).not.toContain(cases.b);
    expect(answer.body).not.toContain(cases.s);
  });

  it('a visit recorded in the console moves the feed: the visit that was due is gone and the next clocks are in', async () => {
    const before = await fetchFeed(sams.url);
    const visitUid = before.events.find((e) => e.uid.startsWith(`${cases.a}/initial-visit-high@`))?.uid;
    expect(visitUid).toBeDefined();
    const at = DateTime.now().setZone('Europe/London').toFormat("yyyy-MM-dd'T'HH:mm");
    const visit = await tess.request(`/cases/${cases.a}/actions/visit`, { at });
    expect(visit.status, visit.body.slice(0, 2000)).toBe(303);
    // The feed shows the case as its summary has it, once the case has written the visit.
    const summary = await settledSummary(cases.a);
    const after = await fetchFeed(sams.url);
    expect(after.events.map((e) => e.uid)).not.toContain(visitUid);
    expect(after.events.map((e) => e.uid).sort()).not.toEqual(before.events.map((e) => e.uid).sort());
    expectEventsOf(summary, after.events, server.url);
  });

  it('a manager cannot create a feed of another team, nor a viewer a worker feed', async () => {
    const other = await tess.request('/account/feeds', { kind: 'team', team: TEAMS.south });
    expect(other.status).toBe(403);
    expect(other.body).not.toContain('id="feed-https"');
    const otherWorker = await tess.request('/account/feeds', { kind: 'worker', team: TEAMS.south, email: 'sam.worker@council.test' });
    expect(otherWorker.status).toBe(403);
    const val = await Session.signIn('val', PASSWORDS.viewer);
    expect((await val.request('/account/feeds', { kind: 'worker', team: TEAMS.north, email: 'sam.worker@council.test' })).status).toBe(403);
    // A viewer may have their own team's calendar, though.
    await createFeed(val, { kind: 'team', team: TEAMS.north });
    // Mo (the other team's manager) cannot revoke Tess's feed, nor sees it.
    const mo = await Session.signIn('mo', PASSWORDS.south);
    expect((await mo.request('/account/feeds')).body).not.toContain(`id="feed-${team.id}"`);
    expect((await mo.request(`/account/feeds/${team.id}/revoke`, {})).status).toBe(404);
    expect((await fetchFeed(team.url)).answer.status).toBe(200);
    // An administrator may create any team's feed.
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    const south = await createFeed(ada, { kind: 'team', team: TEAMS.south });
    const southFeed = await fetchFeed(south.url);
    expect(southFeed.events.every((e) => e.uid.startsWith(`${cases.s}/`))).toBe(true);
    expect(southFeed.events.length).toBeGreaterThan(0);
  });

  it("the team box offers the team directory's teams each person may see, and a team the directory does not list is refused", async () => {
    // A console whose team directory lists north and a third team (not south): read-only, for the form and the check.
    const west = `FEEDS-WEST-${run}`;
    const listed: Team[] = [
      { code: TEAMS.north, name: 'Locality North', serviceArea: 'Family Support', manager: 'tess', head: 'hal', changedBy: 'ada', changedAt: new Date().toISOString() },
      { code: west, name: 'Locality West', serviceArea: 'Family Support', manager: 'wes', head: 'hal', changedBy: 'ada', changedAt: new Date().toISOString() },
    ];
    const directory: TeamDirectory = {
      list: async () => listed,
      get: async (code) => listed.find((t) => t.code === code),
      upsert: () => Promise.reject(new Error('the directory is read-only in this test')),
      remove: () => Promise.reject(new Error('the directory is read-only in this test')),
      close: async () => undefined,
    };
    const listedServer = await startTestConsole({ client, usersFile, answerTimeoutMs: 15_000, teams: directory });
    try {
      const signIn = async (user: string, password: string) => {
        const s = new Session(listedServer.url);
        await s.request('/login');
        expect((await s.request('/login', { user, password, next: '/' })).status).toBe(303);
        return s;
      };
      const options = (html: string, id: string) => [...(new RegExp(`<select id="${id}"[^>]*>(.*?)</select>`, 's').exec(html)?.[1] ?? '').matchAll(/<option value="([^"]+)"[^>]*>([^<]*)</g)].map((m) => [m[1], m[2]]);
      const ada = await signIn('ada', PASSWORDS.admin);
      const adaPage = (await ada.request('/account/feeds')).body;
      expect(options(adaPage, 'feed-team-team')).toEqual([
        [TEAMS.north, `Locality North (${TEAMS.north})`],
        [west, `Locality West (${west})`],
      ]);
      expect(options(adaPage, 'feed-worker-team')).toEqual(options(adaPage, 'feed-team-team'));
      expect(adaPage).not.toMatch(/<input id="feed-team-team"/);
      const tessPage = (await (await signIn('tess', PASSWORDS.manager)).request('/account/feeds')).body;
      expect(options(tessPage, 'feed-team-team')).toEqual([[TEAMS.north, `Locality North (${TEAMS.north})`]]);
      // Mo's team (south) is not in the directory: no team to offer, and no form.
      const moPage = (await (await signIn('mo', PASSWORDS.south)).request('/account/feeds')).body;
      expect(moPage).toContain('id="feed-no-team"');
      expect(moPage).not.toContain('id="feed-team"');
      // South is refused by the one team check, by field, with nothing created; west, listed, is made.
      const before = (await ada.request('/account/feeds')).body.match(/<tr id="feed-\d+">/g)?.length ?? 0;
      const refused = await ada.request('/account/feeds', { kind: 'team', team: TEAMS.south });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain(`Team: ${TEAMS.south} is not a team in the team directory`);
      expect(refused.body).not.toContain('id="feed-https"');
      expect(refused.body.match(/<tr id="feed-\d+">/g)?.length ?? 0).toBe(before);
      const made = await ada.request('/account/feeds', { kind: 'team', team: west });
      expect(made.status, made.body.slice(0, 2000)).toBe(200);
      expect(made.body).toContain('id="feed-https"');
    } finally {
      await listedServer.close();
    }
  });

  it('bad input creates nothing', async () => {
    expect((await tess.request('/account/feeds', { kind: 'worker', team: TEAMS.north, email: 'not an address' })).status).toBe(400);
    expect((await tess.request('/account/feeds', { kind: 'birthday', team: TEAMS.north })).status).toBe(400);
    expect((await tess.request('/account/feeds', { kind: 'team', team: '../x' })).status).toBe(400);
  });

  it('a revoked token, an unknown one and a malformed one all answer 404', async () => {
    const revoked = await tess.request(`/account/feeds/${team.id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await fetchFeed(team.url)).answer.status).toBe(404);
    expect((await tess.request('/account/feeds')).body).toMatch(new RegExp(`id="feed-${team.id}">.*?revoked`, 's'));
    // The worker feed is untouched.
    expect((await fetchFeed(sams.url)).answer.status).toBe(200);
    const unknown = await fetch(`${server.url}/feeds/${'A'.repeat(43)}.ics`, { redirect: 'manual' });
    expect(unknown.status).toBe(404);
    const malformed = await fetch(`${server.url}/feeds/nope.ics`, { redirect: 'manual' });
    expect(malformed.status).toBe(404);
  });
  it('a feed stops when its creator can no longer see the team (moved to another team, or removed), answering as an unknown token', async () => {
    const nia = await Session.signIn('nia', PASSWORDS.nia);
    const page = await nia.request('/account/feeds');
    expect(page.body).toContain('a feed stops when its creator can no longer see the team');
    const feed = await createFeed(nia, { kind: 'team', team: TEAMS.north });
    const before = await fetchFeed(feed.url);
    expect(before.answer.status).toBe(200);
    expect(before.events.length).toBeGreaterThan(0);
    const unknown = await fetch(`${server.url}/feeds/${'B'.repeat(43)}.ics`, { redirect: 'manual' });
    const unknownBody = await unknown.text();

    /** Rewrites the users file under the running console: Nia as given, or gone. */
    const setNia = (nia: Partial<ConsoleUser> | undefined) => writeUsersFile(usersFile, { users: users.flatMap((u) => (u.id !== 'nia' ? [u] : nia ? [{ ...u, ...nia }] : [])) });
    const expectStopped = async () => {
      const { answer } = await fetchFeed(feed.url);
      expect(answer.status).toBe(404);
      expect(answer.body).toBe(unknownBody);
      expect(answer.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
      expect(answer.body).not.toContain(TEAMS.north);
      expect(answer.body).not.toContain('nia');
    };

    // Moved to another team: the north feed she made stops at the next fetch.
    setNia({ team: `FEEDS-ELSEWHERE-${run}` });
    await expectStopped();
    // The feeds of other creators are untouched, and the list says why hers stopped.
    expect((await fetchFeed(sams.url)).answer.status).toBe(200);
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    expect((await ada.request('/account/feeds')).body).toMatch(new RegExp(`id="feed-${feed.id}">.*?stopped: nia can no longer see team ${TEAMS.north}`, 's'));
    // A viewer of the team still sees it: access is read access, checked as it is now.
    setNia({ role: 'viewer', team: TEAMS.north });
    expect((await fetchFeed(feed.url)).answer.status).toBe(200);
    // Removed from the users file: stopped again.
    setNia(undefined);
    await expectStopped();
  });
  it(`a feed made by someone signed in through the council's identity provider reads by their last sign-in, and stops after ${SSO_FEED_ACCESS_DAYS} days without one`, async () => {
    const sid = await ssoSignIn('sub-sid');
    const page = await sid.request('/account/feeds');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Create a team feed');
    expect(page.body).toContain(`your feeds follow the access it gave you at your last sign-in (your role and team), and they stop if you do not sign in to CaseClock for ${SSO_FEED_ACCESS_DAYS} days`);
    const feed = await createFeed(sid, { kind: 'team', team: TEAMS.north });
    const live = await fetchFeed(feed.url);
    expect(live.answer.status).toBe(200);
    expect(live.events.length).toBeGreaterThan(0);
    const unknown = await fetch(`${server.url}/feeds/${'C'.repeat(43)}.ics`, { redirect: 'manual' });
    const unknownBody = await unknown.text();
    const expectStopped = async () => {
      const { answer } = await fetchFeed(feed.url);
      expect(answer.status).toBe(404);
      expect(answer.body).toBe(unknownBody);
      expect(answer.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    };

    // His last sign-in grows older than the limit (as if he had left): the feed stops.
    const db = new PgClient({ connectionString: storeUrl() });
    await db.connect();
    try {
      await db.query(`UPDATE console_sso_access SET signed_in_at = now() - make_interval(days => $2::int, hours => 1) WHERE user_id = $1`, [ssoUserId(provider.issuer, 'sub-sid'), SSO_FEED_ACCESS_DAYS]);
    } finally {
      await db.end();
    }
    await expectStopped();
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    expect((await ada.request('/account/feeds')).body).toMatch(new RegExp(`id="feed-${feed.id}">.*?stopped: Sid Manager \\(council account\\) has not signed in for ${SSO_FEED_ACCESS_DAYS} days`, 's'));
    // He signs in again: it reads again.
    await ssoSignIn('sub-sid');
    expect((await fetchFeed(feed.url)).answer.status).toBe(200);
    // The provider moves him to another team: stopped at his next sign-in, and back when he returns.
    SSO_ACCOUNTS['sub-sid'] = { ...SSO_ACCOUNTS['sub-sid'], team: `FEEDS-ELSEWHERE-${run}` };
    await ssoSignIn('sub-sid');
    await expectStopped();
    expect((await ada.request('/account/feeds')).body).toMatch(new RegExp(`id="feed-${feed.id}">.*?stopped: Sid Manager \\(council account\\) can no longer see team ${TEAMS.north}`, 's'));
    SSO_ACCOUNTS['sub-sid'] = { ...SSO_ACCOUNTS['sub-sid'], team: TEAMS.north };
    await ssoSignIn('sub-sid');
    expect((await fetchFeed(feed.url)).answer.status).toBe(200);
  });
});

describe('a calendar feed with no worker for its cases', () => {
  it('is served from the summaries in the store, and says how many cases of the team have not written one yet', async () => {
    const idleTeam = `FEEDS-IDLE-${run}`;
    const taskQueue = uniqueName('feeds-idle');
    const idle = { written: uniqueName('FEED-IDLE-W'), unwritten: uniqueName('FEED-IDLE-U') };
    const idleRefs = { written: `WCF-${run}-0500`, unwritten: `WCF-${run}-0501` };
    const open = async (which: keyof typeof idle) => {
      await openCase(
        client,
        {
          caseId: idle[which],
          details: { reference: idleRefs[which], team: idleTeam, contacts: { 'allocated-worker': { name: 'Sam Worker', email: 'sam.worker@council.test' } } },
          openedBy: 'ada',
          initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'rated by the team manager after a home visit' },
        },
        loadDefaultSnapshot(),
        { taskQueue },
      );
      started.push(caseWorkflowId(idle[which]));
    };
    // The cases' own worker writes one case's summary, then stops for good; the other opens after.
    const idleWorker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await bundleCaseWorkflows(), activities: caseActivities(mailbox) });
    await idleWorker.runUntil(async () => {
      await open('written');
      await settledSummary(idle.written);
    });
    await open('unwritten');
    const written = (await summaries.get('case', idle.written, new Date().toISOString()))!;
    // Nobody answers for these cases: a state query (what a feed used to ask) gets no answer.
    await expect(client.withAbortSignal(AbortSignal.timeout(2_000), () => client.workflow.getHandle(caseWorkflowId(idle.written)).query(stateQuery))).rejects.toThrow();

    const ada = await Session.signIn('ada', PASSWORDS.admin);
    const feed = await createFeed(ada, { kind: 'team', team: idleTeam });
    const { answer, events } = await fetchFeed(feed.url);
    expect(answer.status).toBe(200);
    expectEventsOf(written, events, server.url);
    expect(events).toHaveLength(written.open.length);
    expect(answer.body).not.toContain(idle.unwritten);
    expect(answer.body).not.toContain(idleRefs.unwritten);
    for (const text of NEVER) expect(answer.body).not.toContain(text);
    const description = String(new ICAL.Component(ICAL.parse(answer.body)).getFirstPropertyValue('x-wr-caldesc') ?? '');
    expect(description).toContain(`Team ${idleTeam}: 1 case has not written a summary yet, so it is not included: run caseclock summaries backfill.`);
  });
});

describe('single sign-on never takes a password account', () => {
  it("someone the identity provider calls tess (another team's manager) is recorded and shown as themselves, and can neither see nor revoke the local tess's feeds", async () => {
    const tess = await Session.signIn('tess', PASSWORDS.manager);
    const feed = await createFeed(tess, { kind: 'worker', team: TEAMS.north, email: 'sam.worker@council.test' });
    SSO_ACCOUNTS['sub-other-tess'] = { preferred_username: 'tess', name: 'Tess Elsewhere', groups: ['cc-managers'], team: TEAMS.south };
    const other = await ssoSignIn('sub-other-tess');

    // Tess's feed is not hers: not listed, not revocable, still live.
    expect((await other.request('/account/feeds')).body).not.toContain(`id="feed-${feed.id}"`);
    expect((await other.request(`/account/feeds/${feed.id}/revoke`, {})).status).toBe(404);
    expect((await fetchFeed(feed.url)).answer.status).toBe(200);

    // Her view of her own team's case is not recorded as the local tess's, but as her own id, and shown by her name.
    const otherId = ssoUserId(provider.issuer, 'sub-other-tess');
    expect((await other.request(`/cases/${cases.s}`)).status).toBe(200);
    expect(await server.consoleStore.views({ viewer: 'tess', caseId: cases.s })).toEqual([]);
    const recorded = await server.consoleStore.views({ caseId: cases.s });
    expect(recorded[0]).toMatchObject({ viewer: otherId, role: 'manager', what: 'page' });
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    const record = await ada.request(`/admin/views?caseId=${cases.s}`);
    expect(record.body).toMatch(/<td>Tess Elsewhere \(council account\)<\/td>/);
    expect(record.body).not.toMatch(/<td>tess<\/td>/);

    // What she records on her team's case is hers in the timeline too.
    const at = DateTime.now().setZone('Europe/London').toFormat("yyyy-MM-dd'T'HH:mm");
    expect((await other.request(`/cases/${cases.s}/actions/visit`, { at })).status).toBe(303);
    const timeline = (await other.request(`/cases/${cases.s}`)).body;
    expect(timeline).toMatch(/<td>Tess Elsewhere \(council account\)<\/td>/);
    expect(timeline).not.toMatch(/<td>tess<\/td>/);

    // A feed she makes is hers: the local tess cannot revoke it by her id.
    const hers = await createFeed(other, { kind: 'team', team: TEAMS.south });
    expect((await ada.request('/account/feeds')).body).toMatch(new RegExp(`id="feed-${hers.id}">.*?<td>Tess Elsewhere \\(council account\\)</td>`, 's'));
    expect((await tess.request(`/account/feeds/${hers.id}/revoke`, {})).status).toBe(404);
    expect((await fetchFeed(hers.url)).answer.status).toBe(200);
  });
});
