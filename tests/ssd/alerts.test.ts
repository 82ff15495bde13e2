/**
 * A failing SSD sync told once, and its freshness seen in the console: a synthetic council's CSV
 * extracts, a private embedded store, the run's real dev server with a worker for the cases, a
 * real SMTP server, and the console in-process reading the sync's runs. A read that succeeds sends
 * nothing; a folder missing a table file sends the administrators one email (a password account from
 * the users file and a single sign-on account, each by their staff directory address; never a
 * manager), a second failing run none, and a succeeding run one "working again". The dashboard warns
 * with what failed while it fails, and says when the case system was read once it works; the case
 * list and a case's page say it too. An alert no administrator can be sent is logged, not recorded,
 * and sent by a later run once someone has an address.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsdSyncAlerts, type SsdAlertDependencies } from '../../activities/ssd-alerts';
import { createSsdSyncActivities, runSsdSync, type SsdSyncDependencies } from '../../activities/ssd-sync';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { ssoUserId } from '../../common/sso-identity';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { migrateCaseRecordStore, startEmbeddedStore, type EmbeddedStore } from '../../store/case-record-store';
import { openConsoleStore } from '../../store/console-store';
import { openSsdAlertStore, type SsdAlertStore } from '../../store/ssd-alert-store';
import { openSsdSource } from '../../store/ssd-source';
import { openSsdSyncStore, type SsdSyncStore } from '../../store/ssd-sync-store';
import { openStaffDirectory, type StaffDirectory } from '../../store/staff-directory';
import { openTeamDirectory, type TeamDirectory } from '../../store/team-directory';
import { generateCouncil } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import { isCanaryText } from '../../tools/ssd/personal';
import { passwordAdministrators } from '../../worker/administrators';
import { caseActivities } from '../support/case-record';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startMailbox, type Mailbox, type ReceivedMail } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';

const PASSWORDS = { ada: 'ada reads the sync warnings', tess: 'tess keeps her team on time' };
const SSO_ADMIN = ssoUserId('https://idp.council.test', 'sub-olu');
/** The case system's own refresh time, as a source that records one gives it. */
const REFRESHED_AT = new Date(Date.now() - 20 * 60_000).toISOString();

let mailbox: Mailbox;
let dev: DevServerConnections;
let connection: NativeConnection;
let client: Client;
let dir: string;
let embedded: EmbeddedStore;
let store: SsdSyncStore;
let alertStore: SsdAlertStore;
let teams: TeamDirectory;
let staff: StaffDirectory;
let worker: Worker;
let running: Promise<void>;
let server: TestConsole;
let usersFile: string;
const taskQueue = uniqueName('ssd-alerts');
const prefix = `a${uniqueName('').slice(-6)}-`;

const today = new Date().toISOString().slice(0, 10);
const council = generateCouncil({ seed: 'alerts-test', children: 12, years: 1, asOf: today });
const csvDir = () => path.join(dir, 'ssd');
const tableFile = () => path.join(csvDir(), 'ssd_cin_visits.csv');

function alertDeps(overrides: Partial<SsdAlertDependencies> = {}): SsdAlertDependencies {
  return {
    transport: mailbox.transport(),
    from: 'caseclock@council.test',
    consoleUrl: server.url,
    intervalSeconds: 900,
    store: alertStore,
    staff,
    passwordAdministrators: () => passwordAdministrators(usersFile),
    ...overrides,
  };
}

function deps(alerts = createSsdSyncAlerts(alertDeps())): SsdSyncDependencies {
  const source = { kind: 'csv' as const, dir: csvDir() };
  return {
    client,
    store,
    teams,
    staff,
    settings: { source, cases: { caseIdPrefix: prefix, reference: 'person-id', allocatedWorkerRoles: ['Allocated Case Worker'] } },
    policy: loadDefaultSnapshot(),
    taskQueue,
    openSource: () => ({ ...openSsdSource(source), sourceFreshness: () => Promise.resolve(REFRESHED_AT) }),
    alerts,
  };
}

/** The sync's emails to the administrators (the cases send their own to the mailbox as well). */
const alerts = (): ReceivedMail[] => mailbox.messages.filter((m) => m.caseMessageId.startsWith('ssd-sync-alert:'));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-ssd-alerts-'));
  let bundle: WorkflowBundlePath;
  [mailbox, dev, bundle, embedded] = await Promise.all([startMailbox(), connectDevServer(), bundleCaseWorkflows(), startEmbeddedStore({ dataDir: path.join(dir, 'store') })]);
  ({ nativeConnection: connection, client } = dev);
  await migrateCaseRecordStore(embedded.url);
  store = openSsdSyncStore(embedded.url);
  alertStore = openSsdAlertStore(embedded.url);
  teams = openTeamDirectory(embedded.url);
  staff = openStaffDirectory(embedded.url);
  // Administrators: ada (a password account) and olu (single sign-on), each with a work address;
  // root has none. tess, a manager, has one and is never told.
  usersFile = path.join(dir, 'users.json');
  writeUsersFile(usersFile, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.ada) },
      { id: 'root', name: 'Root', role: 'administrator', passwordHash: await hashPassword('root has no staff entry') },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: 'ANY', passwordHash: await hashPassword(PASSWORDS.tess) },
    ],
  });
  const consoleStore = openConsoleStore(embedded.url);
  await consoleStore.recordSsoSignIn({ userId: SSO_ADMIN, name: 'Olu Okafor', issuer: 'https://idp.council.test', subject: 'sub-olu', role: 'administrator' });
  await consoleStore.close();
  await staff.set({ staffId: 'ADA', name: 'Ada Administrator', email: 'ada@council.test', userId: 'ada', changedBy: 'admin' });
  await staff.set({ staffId: 'OLU', name: 'Olu Okafor', email: 'olu@council.test', userId: SSO_ADMIN, changedBy: 'admin' });
  await staff.set({ staffId: 'tess', name: 'Tess Manager', email: 'tess@council.test', userId: 'tess', changedBy: 'admin' });
  await staff.set({ staffId: 'hal', name: 'Hal Head', email: 'hal@council.test', userId: 'hal', changedBy: 'admin' });
  for (const p of council.tables.ssd_professionals) {
    if (p.prof_staff_id !== null) await staff.set({ staffId: p.prof_staff_id, name: `Worker ${p.prof_professional_id}`, email: `staff.${p.prof_professional_id}@council.test`, changedBy: 'admin' });
  }
  for (const d of council.tables.ssd_department) {
    await teams.upsert({ code: `T${prefix}${d.dept_team_id}`, name: `Team ${d.dept_team_id}`, serviceArea: 'Children', manager: 'tess', head: 'hal', sourceId: d.dept_team_id, changedBy: 'admin' });
  }
  await writeSsdCsv(council.tables, csvDir());
  server = await startTestConsole({ client: dev.client, usersFile, ssdSync: { store, intervalSeconds: 900 }, taskQueue });
  worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: { ...caseActivities(mailbox), ...createSsdSyncActivities(deps()) } });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await server?.close();
  await Promise.all([store?.close(), alertStore?.close(), teams?.close(), staff?.close()]);
  await embedded?.stop();
  await dev?.close();
  await mailbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const FRESHNESS = /<p class="small" id="ssd-freshness">Case system read <time datetime="([^"]+)">([^<]+)<\/time>, [^<]+ ago\. Its own data was last refreshed <time datetime="([^"]+)">/;
const WARNING = "Warning: CaseClock's copy of the case system is out of date";

describe('a failing SSD sync, told once and seen in the console', () => {
  let ada: ConsoleSession;

  it('says nothing in the console before the sync has run, and sends nothing for a read that succeeds', async () => {
    ada = await ConsoleSession.signedIn(server.url, 'ada', PASSWORDS.ada);
    expect((await ada.request('/dashboard')).body).not.toContain('id="ssd-freshness"');
    const result = await runSsdSync(deps());
    expect(result.counts.opened).toBeGreaterThan(0);
    expect(alerts()).toEqual([]);
    const dashboard = await ada.request('/dashboard');
    const [, readAt, , refreshedAt] = FRESHNESS.exec(dashboard.body) ?? [];
    expect(readAt, dashboard.body.slice(0, 3000)).toBe((await store.lastSuccess())?.finishedAt);
    expect(refreshedAt).toBe(REFRESHED_AT);
    expect(dashboard.body).not.toContain(WARNING);
  }, 240_000);

  it('emails the administrators once when a table file is missing, and not again at the next failing run', async () => {
    const lastRead = (await store.lastSuccess())!.finishedAt;
    renameSync(tableFile(), `${tableFile()}.away`);
    await expect(runSsdSync(deps())).rejects.toThrow(/ssd_cin_visits\.csv: not found/);
    expect(alerts()).toHaveLength(1);
    const [mail] = alerts() as [ReceivedMail];
    expect(mail.to.sort()).toEqual(['ada@council.test', 'olu@council.test']);
    expect(mail.subject).toBe('CaseClock: the sync from the case system is failing');
    expect(mail.text).toMatch(/What failed: \S*ssd_cin_visits\.csv: not found/);
    expect(mail.text).toContain('Last read successfully: ');
    expect(mail.text).toContain(`${server.url}/dashboard`);
    // No child is named: no canary of the synthetic council's personal columns, no person id.
    expect(isCanaryText(mail.text)).toBe(false);
    for (const p of council.tables.ssd_person) expect(mail.text).not.toContain(p.pers_person_id);
    expect(await alertStore.lastAlert()).toMatchObject({ kind: 'failing', since: lastRead, recipients: 2 });

    await expect(runSsdSync(deps())).rejects.toThrow(/not found/);
    expect(alerts()).toHaveLength(1);
  }, 120_000);

  it('warns on the dashboard with what failed and when the case system was last read; the case list says it is out of date', async () => {
    const lastRead = (await store.lastSuccess())!.finishedAt;
    const dashboard = await ada.request('/dashboard');
    expect(dashboard.body).toContain(WARNING);
    expect(dashboard.body).toMatch(/<div class="notice notice-warn" role="alert"><section id="ssd-freshness"/);
    expect(dashboard.body).toMatch(/failed: <span id="ssd-problem">\S*ssd_cin_visits\.csv: not found[^<]*<\/span>\. Syncs have failed since <time/);
    expect(dashboard.body).toContain(`It was last read successfully <time datetime="${lastRead}">`);
    const list = await ada.request('/');
    expect(list.body).toMatch(/id="ssd-freshness">Case system read .*<strong>Out of date:<\/strong> see the <a href="\/dashboard">overdue dashboard<\/a>/);
  }, 60_000);

  it('emails once more when a run succeeds again; the dashboard then gives the time, with no warning, as the case list and case page do', async () => {
    renameSync(`${tableFile()}.away`, tableFile());
    await runSsdSync(deps());
    expect(alerts()).toHaveLength(2);
    const recovered = alerts()[1]!;
    expect(recovered.to.sort()).toEqual(['ada@council.test', 'olu@council.test']);
    expect(recovered.subject).toBe('CaseClock: the sync from the case system is working again');
    expect(recovered.text).toMatch(/It had not been read from .+ until .+\./);
    expect(await alertStore.lastAlert()).toMatchObject({ kind: 'recovered' });
    await runSsdSync(deps());
    expect(alerts()).toHaveLength(2);

    const readAt = (await store.lastSuccess())!.finishedAt;
    const dashboard = await ada.request('/dashboard');
    expect(dashboard.body).not.toContain(WARNING);
    expect(FRESHNESS.exec(dashboard.body)?.[1]).toBe(readAt);
    const list = await ada.request('/');
    expect(FRESHNESS.exec(list.body)?.[1]).toBe(readAt);
    expect(list.body).not.toContain('Out of date');
    const caseId = [...(await store.knownCases()).values()][0]!.caseId;
    const page = await ada.request(`/cases/${encodeURIComponent(caseId)}`);
    expect(page.status, page.body.slice(0, 1000)).toBe(200);
    expect(FRESHNESS.exec(page.body)?.[1]).toBe(readAt);
  }, 120_000);

  it('an alert no administrator can be sent is not recorded: a later failing run sends it once someone has an address', async () => {
    writeFileSync(tableFile(), 'not,the,header\r\n');
    const nobody = createSsdSyncAlerts(alertDeps({ staff: { list: () => Promise.resolve([]) } }));
    await expect(runSsdSync(deps(nobody))).rejects.toThrow();
    expect(alerts()).toHaveLength(2);
    expect(await alertStore.lastAlert()).toMatchObject({ kind: 'recovered' });
    await expect(runSsdSync(deps())).rejects.toThrow();
    expect(alerts()).toHaveLength(3);
    expect(alerts()[2]!.subject).toBe('CaseClock: the sync from the case system is failing');
    await writeSsdCsv(council.tables, csvDir());
  }, 120_000);
});
