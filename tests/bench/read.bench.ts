/**
 * Reads from the case summary at a council's size, side by side with today's way of reading them
 * (asking each case's workflow), in one run (a plain script, no assertions):
 *   npm run bench:read             # 10,000 case summaries in the store, eight teams of 1,250
 *   npm run bench:read -- 5000     # or as many as given (split over the eight teams)
 * The summaries are written as the case workflow writes them (store/case-record-store.ts
 * `append(entries, summary)`), cloned from the summaries that real cases wrote: 200 cases running
 * on a dev server of the benchmark's own (a ninth team), whose worker counts every query and
 * activation its cases run (tests/support/read-counter.ts). Measured through the real paths: the
 * daily digest's activity, the console (a calendar feed, the case list, the dashboard, a case page)
 * over HTTP, and `caseclock overdue` in process. Today's way (a state query per case, and two for a
 * case page) is measured on the 200 running cases, cached in the worker and after a restart (each
 * replayed), and scaled to the same number of cases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker } from '@temporalio/worker';
import { createDigestActivities, type SentDigests } from '../../activities/digest';
import { main as caseclock } from '../../client/cli/main';
import { createConsole } from '../../client/console/app';
import { hashPassword, UserDirectory, writeUsersFile } from '../../client/identity/auth';
import { listCases } from '../../common/case-listing';
import { caseState, caseTimeline, openCase } from '../../common/cases';
import { summarisedCases } from '../../common/summary-coverage';
import { WorkingDayCalendar } from '../../domain/calendar';
import { buildDigests, type DigestCase, digestWindowEnd } from '../../domain/digest';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { openCaseRecordStore } from '../../store/case-record-store';
import { openCaseSummaries } from '../../store/case-summaries';
import type { CaseSummary } from '../../store/case-summary';
import { openConsoleStore } from '../../store/console-store';
import { openFeedStore } from '../../store/feed-store';
import { caseWorkflowId, type CaseState } from '../../workflows/messages';
import { bundleCountingCaseWorkflows, ReadCounter } from '../support/read-counter';
import { BENCH_CONTACTS, startBenchServer, workflowCount } from './bench-support';

const CASES = workflowCount(10_000);
const LIVE_CASES = 200;
const TEAMS = ['LOCALITY-NORTH', 'LOCALITY-SOUTH', 'LOCALITY-EAST', 'LOCALITY-WEST', 'CIN-1', 'CIN-2', 'CP-1', 'CP-2'];
const LIVE_TEAM = 'LIVE-BENCH';
const TIERS = ['HIGH_IMMEDIATE', 'PRIORITY', 'VULNERABLE'] as const;
const TASK_QUEUE = 'bench-read';
/** The old digest's and the old feed's state queries at once (activities/digest.ts and routes/feeds.tsx before the summaries). */
const OLD_CONCURRENCY = 8;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const PASSWORD = 'ada reads ten thousand cases from the record';

const line = (label: string, store: string, old: string, note = '') => console.log(`${label.padEnd(44)} ${store.padStart(16)} | ${old.padStart(18)}${note ? `  ${note}` : ''}`);
const ms = (t: number) => (t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(0)} ms`);

async function timed<T>(fn: () => Promise<T>, runs = 3): Promise<{ ms: number; result: T; runs: number }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, result: result as T, runs };
}

/** Staff of a team: its manager, a head of service for each half of the teams, fifty workers. */
function contactsOf(team: string, n: number): CaseSummary['details']['contacts'] {
  const slug = team.toLowerCase();
  const service = TEAMS.indexOf(team) < TEAMS.length / 2 ? 'localities' : 'safeguarding';
  return {
    'allocated-worker': { name: `Worker ${n % 50} ${team}`, email: `worker${n % 50}.${slug}@bench.test` },
    'team-manager': { name: `Manager ${team}`, email: `manager.${slug}@bench.test` },
    'head-of-service': { name: `Head of ${service}`, email: `head.${service}@bench.test` },
  };
}

/**
 * Case `n`'s summary, from a real case's of the same tier: its own id, team and staff, its open
 * obligations moved so that the earliest falls between four days ago and five weeks ahead (one
 * case in ten overdue, escalated to its team manager), written now.
 */
function syntheticSummary(template: CaseSummary, n: number, now: number): CaseSummary {
  const caseId = `READ-${String(n).padStart(6, '0')}`;
  const team = TEAMS[n % TEAMS.length]!;
  const contacts = contactsOf(team, n);
  const earliest = Math.min(...template.open.map((o) => Date.parse(o.dueAt)));
  const shift = now + ((n % 40) - 4) * DAY + (n % 24) * HOUR - earliest;
  const open = template.open.map((o) => {
    const dueAt = new Date(Date.parse(o.dueAt) + shift).toISOString();
    const late = Date.parse(dueAt) < now;
    return { ...o, dueAt, escalationLevel: late ? 1 : 0, ...(late ? { escalatedTo: { role: 'team-manager', to: contacts['team-manager']!.email } } : {}) };
  });
  const nextDueAt = open.filter((o) => !o.onHold).reduce<string | null>((m, o) => (m === null || o.dueAt < m ? o.dueAt : m), null);
  return {
    ...template,
    caseId,
    details: { ...template.details, reference: caseId, team, contacts },
    openedAt: new Date(now - (30 + (n % 300)) * DAY).toISOString(),
    open,
    overdueCount: open.filter((o) => o.dueAt < new Date(now).toISOString()).length,
    nextDueAt,
    nextWakeAt: nextDueAt,
    undeliverable: [],
    sending: [],
    waitingForStore: 0,
    warnings: [],
    writtenAt: new Date(now).toISOString(),
  };
}

/** A browser's session with the console: signed in with the password form, its cookie kept. */
async function signIn(baseUrl: string, user: string, password: string): Promise<(p: string) => Promise<{ status: number; body: string }>> {
  let cookie = '';
  let csrf = '';
  const request = async (p: string, form?: Record<string, string>) => {
    const res = await fetch(`${baseUrl}${p}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams({ csrf, ...form }).toString() } : {}),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('caseclock_session='));
    if (set) cookie = set.split(';')[0] ?? '';
    const body = await res.text();
    csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? csrf;
    return { status: res.status, body };
  };
  await request('/login');
  const answer = await request('/login', { user, password, next: '/' });
  if (answer.status !== 303) throw new Error(`signing in to the console answered ${answer.status}`);
  return (p) => request(p);
}

/** `caseclock ...args` in this process against the benchmark's store; its exit code and how much it printed. */
async function cli(storeUrl: string, args: string[]): Promise<{ code: number; bytes: number }> {
  process.env['CASECLOCK_STORE_URL'] = storeUrl;
  const write = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => ((bytes += chunk.length), true)) as typeof process.stdout.write;
  try {
    return { code: await caseclock(['node', 'caseclock', ...args]), bytes };
  } finally {
    process.stdout.write = write;
  }
}

async function main(): Promise<void> {
  const bench = await startBenchServer('caseclock-read-bench');
  const counter = new ReadCounter();
  const countingBundle = await bundleCountingCaseWorkflows();
  const startWorker = async () => {
    const worker = await Worker.create({ connection: bench.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: countingBundle, activities: bench.activities, sinks: counter.sinks });
    const running = worker.run();
    return async () => {
      worker.shutdown();
      await running;
    };
  };
  let stopWorker = await startWorker();
  const records = openCaseRecordStore(bench.storeUrl);
  const summaries = openCaseSummaries(bench.storeUrl);
  const consoleStore = openConsoleStore(bench.storeUrl);
  const feedStore = openFeedStore(bench.storeUrl);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-read-bench-'));

  // The running cases: a ninth team, every tier; each writes its summary as it opens.
  const policy = loadDefaultSnapshot();
  const live = Array.from({ length: LIVE_CASES }, (_, i) => `LIVE-${String(i).padStart(4, '0')}`);
  const openStart = performance.now();
  await pLimit(20).map(live, (caseId, i) =>
    openCase(bench.client, { caseId, details: { reference: caseId, team: LIVE_TEAM, contacts: BENCH_CONTACTS }, openedBy: 'bench', initialTier: { tier: TIERS[i % TIERS.length]!, reason: 'bench' } }, policy, {
      taskQueue: TASK_QUEUE,
    }),
  );
  const written = async () => (await summaries.list({ teams: [LIVE_TEAM], now: new Date().toISOString() })).filter((s) => s.waitingForStore === 0 && s.sending.length === 0);
  for (let tries = 0; (await written()).length < LIVE_CASES; tries++) {
    if (tries > 300) throw new Error('the running cases did not all write their summaries within a minute');
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`${LIVE_CASES} running cases opened and summarised in ${ms(performance.now() - openStart)} (team ${LIVE_TEAM})`);

  // The store: the running cases' summaries as templates, one per tier, cloned to CASES cases.
  const templates = new Map((await written()).map((s) => [s.tier, s]));
  const now = Date.now();
  const loadStart = performance.now();
  let overdue = 0;
  await pLimit(8).map(
    Array.from({ length: CASES }, (_, n) => n),
    async (n) => {
      const summary = syntheticSummary(templates.get(TIERS[n % TIERS.length]!)!, n, now);
      if (summary.overdueCount > 0) overdue++;
      await records.append([], summary);
    },
  );
  console.log(`store loaded: ${CASES} case summaries (${overdue} overdue), ${TEAMS.length} teams of ${CASES / TEAMS.length}, in ${ms(performance.now() - loadStart)}`);

  // The console, as it runs: a signed-in administrator, and a team feed of the first team.
  const usersFile = path.join(dir, 'users.json');
  writeUsersFile(usersFile, { users: [{ id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORD) }] });
  const app = await createConsole({
    client: bench.client,
    store: records,
    summaries,
    consoleStore,
    feedStore,
    users: new UserDirectory(usersFile),
    sessionSecret: 'bench-read-console-session-secret-0123456789',
    limits: { lifetimeMs: 3_600_000, idleMs: 1_800_000 },
    logLevel: 'silent',
    taskQueue: TASK_QUEUE,
    answerTimeoutMs: 60_000,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const get = await signIn(baseUrl, 'ada', PASSWORD);
  const feed = await feedStore.create({ subject: { kind: 'team', team: TEAMS[0]! }, createdBy: 'ada', createdRole: 'administrator' });
  const ok = async (p: string) => {
    const answer = p.startsWith('/feeds/') ? await fetch(`${baseUrl}${p}`).then(async (r) => ({ status: r.status, body: await r.text() })) : await get(p);
    if (answer.status !== 200) throw new Error(`${p} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    return answer.body;
  };

  // --- from the store, with the counting worker running for the live cases ---------------------
  const calendar = WorkingDayCalendar.englandAndWales();
  let forDate = new Date().toISOString().slice(0, 10);
  while (!calendar.isWorkingDay(forDate)) forDate = new Date(Date.parse(`${forDate}T12:00:00Z`) + DAY).toISOString().slice(0, 10);
  const digestActivities = createDigestActivities({ client: bench.client, summaries, transport: bench.mailbox.transport(), from: 'caseclock@bench.test', consoleUrl: baseUrl, taskQueue: TASK_QUEUE });
  const liveIds = live.map(caseWorkflowId);
  /** The read timed, and the queries and activations of the running cases in each run of it. */
  const wokeBy = async <T>(fn: () => Promise<{ ms: number; result: T; runs: number }>) => {
    counter.reset();
    const r = await fn();
    return { ...r, queries: counter.queries.length / r.runs, activations: counter.activationsOf(liveIds) / r.runs };
  };
  const digest = await wokeBy(() => timed(() => new MockActivityEnvironment({}, { logger: new DefaultLogger('WARN') }).run(digestActivities.sendDailyDigests, { forDate, workingDays: 3 }) as Promise<SentDigests>));
  const digestRead = await wokeBy(() => timed(() => summarisedCases(bench.client, summaries, { now: new Date().toISOString(), taskQueue: TASK_QUEUE })));
  const feedIcs = await wokeBy(() => timed(() => ok(`/feeds/${feed.token}.ics`)));
  const teamList = await wokeBy(() => timed(() => ok(`/?team=${TEAMS[0]}`)));
  const apiList = await wokeBy(() => timed(() => ok(`/api/cases?team=${TEAMS[0]}`)));
  const dashboard = await wokeBy(() => timed(() => ok('/dashboard')));
  const casePage = await wokeBy(() => timed(() => ok(`/cases/${live[1]}`)));
  const overdueCli = await wokeBy(() => timed(() => cli(bench.storeUrl, ['overdue', '--json'])));
  const showCli = await wokeBy(() => timed(() => cli(bench.storeUrl, ['show', live[1]!])));
  const events = (feedIcs.result.match(/BEGIN:VEVENT/g) ?? []).length;
  const apiCases = (JSON.parse(apiList.result) as unknown[]).length;

  // --- today's way: each running case's workflow asked -----------------------------------------
  const ask = async (ids: readonly string[]) => {
    const states = await pLimit(OLD_CONCURRENCY).map(ids, (id) => caseState(bench.client, id));
    return states.filter((s): s is CaseState => s.status === 'open');
  };
  const oldDigestRead = async () => {
    const ids: string[] = [];
    for await (const wf of bench.client.workflow.list({ query: `WorkflowType = 'caseWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${TASK_QUEUE}'` })) ids.push(wf.workflowId.replace(/^case:/, ''));
    const cases: DigestCase[] = (await ask(ids)).map((s) => ({ caseId: s.caseId, reference: s.details.reference, team: s.details.team, tier: s.tier, contacts: s.details.contacts, open: s.open }));
    const generatedAt = new Date().toISOString();
    return buildDigests(cases, { generatedAt, dueBy: digestWindowEnd(calendar, forDate, 3) });
  };
  const oldCached = await wokeBy(() => timed(oldDigestRead));
  const oldPage = await wokeBy(() => timed(async () => [await caseState(bench.client, live[1]!), await caseTimeline(bench.client, live[1]!)]));
  const oldList = await wokeBy(() => timed(() => listCases(bench.client, {})));
  // A worker just restarted has no case cached: each query replays its case first.
  await stopWorker();
  stopWorker = await startWorker();
  const oldCold = await wokeBy(() => timed(oldDigestRead, 1));
  await stopWorker();

  const perCase = (t: number) => t / LIVE_CASES;
  const team = CASES / TEAMS.length;
  console.log('');
  line('read (from the store | asking each case)', 'store', "today's way");
  line(
    `daily digest, ${CASES} cases (+${LIVE_CASES} running)`,
    ms(digest.ms),
    `${ms(perCase(oldCached.ms) * CASES)}*`,
    `read, build and send ${digest.result.recipients.length} digests; today's way: reading and building only`,
  );
  line('  after a worker restart', '', `${ms(perCase(oldCold.ms) * CASES)}*`, 'each case replayed before it answers');
  line('  of which reading the open cases', ms(digestRead.ms), '', `${digestRead.result.cases.length} summaries in one list, ${digestRead.result.unsummarised.length} running cases without one`);
  line('  queries to cases', String(digest.queries), `${(oldCached.queries / LIVE_CASES) * CASES}*`);
  line('  case workflow activations', String(digest.activations), `${Math.round((oldCached.activations / LIVE_CASES) * CASES)}*`, `after a restart ${Math.round((oldCold.activations / LIVE_CASES) * CASES)}*`);
  line(`calendar feed, one team of ${team}`, ms(feedIcs.ms), `${ms(perCase(oldCached.ms) * team)}*`, `${events} events; today's way: a state query per case of the team (as the digest's)`);
  line(`case list of one team (${team}), page`, ms(teamList.ms), '', `today's way listed visibility's search attributes: no query`);
  line(`case list of one team, /api/cases`, ms(apiList.ms), '', `${apiCases} cases`);
  line(`dashboard, every team`, ms(dashboard.ms), '');
  line(`visibility list of running cases (old list)`, '', `${ms(perCase(oldList.ms) * CASES)}*`, 'no query either; measured on the running cases');
  line('one case page', ms(casePage.ms), ms(oldPage.ms), "today's way: the state and timeline queries only (2 queries)");
  line('caseclock show, one case', ms(showCli.ms), '');
  line('caseclock overdue, every team', ms(overdueCli.ms), '', `${overdueCli.result.bytes} bytes of JSON`);
  const queries = [feedIcs, teamList, apiList, dashboard, casePage, overdueCli, showCli].reduce((n, r) => n + r.queries, 0);
  const activations = [feedIcs, teamList, apiList, dashboard, casePage, overdueCli, showCli].reduce((n, r) => n + r.activations, 0);
  line('queries / activations, all reads above', `${queries} / ${activations}`, `${oldPage.queries} / ${oldPage.activations}`, "today's way: the case page's");
  console.log(`* measured on ${LIVE_CASES} running cases (${ms(oldCached.ms)} cached, ${ms(oldCold.ms)} after a restart; ${OLD_CONCURRENCY} queries at once) and scaled to the cases shown`);
  console.log(`the store's figures read ${CASES} summaries and the ${LIVE_CASES} running cases' own; every read above was served while the running cases' worker counted their queries and activations`);

  await app.close();
  await Promise.all([consoleStore.close(), feedStore.close(), summaries.close(), records.close()]);
  await bench.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
