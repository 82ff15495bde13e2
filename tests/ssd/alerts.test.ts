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
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsdSyncAlerts, type SsdAlertDependencies } from '../../activities/ssd-alerts';
import { runSsdSync, type SsdSyncDependencies } from '../../activities/ssd-sync';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { ssoUserId } from '../../common/sso-identity';
import { openConsoleStore } from '../../store/console-store';
import { openSsdAlertStore, type SsdAlertStore } from '../../store/ssd-alert-store';
import { openSsdSource } from '../../store/ssd-source';
import type { SsdSyncStore } from '../../store/ssd-sync-store';
import type { StaffDirectory } from '../../store/staff-directory';
import { generateCouncil } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import { isCanaryText } from '../../tools/ssd/personal';
import { passwordAdministrators } from '../../worker/administrators';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import type { Mailbox, ReceivedMail } from '../support/mailbox';
import { seedCouncilDirectories, startSsdHarness, type SsdHarness } from '../support/ssd-harness';
import { uniqueName } from '../support/temporal-env';

const PASSWORDS = { ada: 'ada reads the sync warnings', tess: 'tess keeps her team on time' };
const SSO_ADMIN = ssoUserId('https://idp.council.test', 'sub-olu');
/** The case system's own refresh time, as a source that records one gives it. */
const REFRESHED_AT = new Date(Date.now() - 20 * 60_000).toISOString();

let h: SsdHarness;
let mailbox: Mailbox;
let store: SsdSyncStore;
let alertStore: SsdAlertStore;
let staff: StaffDirectory;
let server: TestConsole;
let usersFile: string;
const prefix = `a${uniqueName('').slice(-6)}-`;

const today = new Date().toISOString().slice(0, 10);
const council = generateCouncil({ seed: 'alerts-test', children: 12, years: 1, asOf: today });
const csvDir = () => h.csvDir;
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
  return h.deps({ openSource: () => ({ ...openSsdSource(source), sourceFreshness: () => Promise.resolve(REFRESHED_AT) }), alerts });
}

/** The sync's emails to the administrators (the cases send their own to the mailbox as well). */
const alerts = (): ReceivedMail[] => mailbox.messages.filter((m) => m.caseMessageId.startsWith('ssd-sync-alert:'));

beforeAll(async () => {
  h = await startSsdHarness({ name: 'ssd-alerts', prefix });
  ({ mailbox, store, staff } = h);
  alertStore = h.open(openSsdAlertStore);
  // Administrators: ada (a password account) and olu (single sign-on), each with a work address;
  // root has none. tess, a manager, has one and is never told.
  usersFile = path.join(h.dir, 'users.json');
  writeUsersFile(usersFile, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.ada) },
      { id: 'root', name: 'Root', role: 'administrator', passwordHash: await hashPassword('root has no staff entry') },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: 'ANY', passwordHash: await hashPassword(PASSWORDS.tess) },
    ],
  });
  const consoleStore = openConsoleStore(h.storeUrl);
  await consoleStore.recordSsoSignIn({ userId: SSO_ADMIN, name: 'Olu Okafor', issuer: 'https://idp.council.test', subject: 'sub-olu', role: 'administrator' });
  await consoleStore.close();
  await staff.set({ staffId: 'ADA', name: 'Ada Administrator', email: 'ada@council.test', userId: 'ada', changedBy: 'admin' });
  await staff.set({ staffId: 'OLU', name: 'Olu Okafor', email: 'olu@council.test', userId: SSO_ADMIN, changedBy: 'admin' });
  await seedCouncilDirectories(h, council.tables);
  await writeSsdCsv(council.tables, csvDir());
  server = await startTestConsole({ client: h.client, usersFile, ssdSync: { store, intervalSeconds: 900 }, taskQueue: h.taskQueue });
  await h.startWorker(deps());
}, 180_000);

// The console reads the sync's store: it closes first.
afterAll(async () => {
  await server?.close();
  await h?.stop();
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
