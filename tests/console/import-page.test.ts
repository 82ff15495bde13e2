/**
 * The console's import page (/admin/import), end to end: the console in-process against the run's
 * real dev server, with a worker on the production task queue (the import opens cases there, as
 * `caseclock import` does) whose email activities and the import's summary emails go to a real
 * in-process SMTP server. Files are uploaded as a browser does (multipart, with the page's CSRF
 * token): a manager is refused, a check names the bad cells and starts nothing, an import runs as
 * a background job whose page ends with the summary, and the same file again finds every case there.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState } from '../../common/cases';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { IMPORT_COLUMNS } from '../../client/import/rows';
import { openImportSummaryStore, type ImportSummaryStore } from '../../store/import-summary-store';
import { caseWorkflowId } from '../../workflows/messages';
import { startCliWorker, throwawayEncryptionEnv, type CliWorker } from '../support/cli-worker';
import { startTestConsole, type TestConsole } from '../support/console';
import { startScriptStore } from '../support/script-store';
import { uniqueName, workflowExists } from '../support/temporal-env';

const PASSWORDS = { admin: 'ada brings the old cases across', manager: 'tess keeps her team on time' };
const run = Math.random().toString(36).slice(2, 6).toLowerCase();
const TEAM = `IMPORT-PAGE-${run.toUpperCase()}`;
/** This file's own recipients, so its summary emails are told apart from any other run's. */
const MANAGER = `manager-${run}@council.test`;
const HEAD = `head-${run}@council.test`;

let cliWorker: CliWorker;
let summaryStore: ImportSummaryStore;
/** The summaries this file's imports hold, in a store of its own (see beforeAll). */
let summaryDatabase: Awaited<ReturnType<typeof startScriptStore>>;
let server: TestConsole;

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

class Session {
  cookie = '';
  csrf = '';
  private async send(p: string, init: RequestInit): Promise<Answer> {
    const res = await fetch(`${server.url}${p}`, { redirect: 'manual', ...init, headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(init.headers as Record<string, string>) } });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('caseclock_session='));
    if (set) this.cookie = set.split(';')[0] ?? '';
    const body = await res.text();
    const token = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, headers: res.headers, body };
  }
  get(p: string): Promise<Answer> {
    return this.send(p, { method: 'GET' });
  }
  post(p: string, form: Record<string, string>): Promise<Answer> {
    return this.send(p, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: this.csrf, ...form }).toString() });
  }
  /** The import form as a browser sends it: multipart, the CSRF field first, the button pressed, the file. */
  upload(action: 'check' | 'import', csv: string | Uint8Array<ArrayBuffer>, options: { csrf?: string; name?: string; to?: string } = {}): Promise<Answer> {
    const form = new FormData();
    form.append('csrf', options.csrf ?? this.csrf);
    form.append('action', action);
    form.append('file', new Blob([csv], { type: 'text/csv' }), options.name ?? 'open-cases.csv');
    return this.send(options.to ?? '/admin/import', { method: 'POST', body: form });
  }
  static async signIn(user: string, password: string): Promise<Session> {
    const s = new Session();
    await s.get('/login');
    const answer = await s.post('/login', { user, password, next: '/' });
    expect(answer.status, answer.body.slice(0, 500)).toBe(303);
    await s.get('/');
    return s;
  }
}

/** A date `days` ago (negative: ahead) in UK local time, as staff type it. */
function ukDaysAgo(days: number, time = '10:00'): string {
  return DateTime.now().setZone('Europe/London').minus({ days }).toFormat('dd/MM/yyyy') + ` ${time}`;
}

type Row = Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>;

function row(caseId: string, extra: Row = {}): Row {
  return {
    caseId,
    reference: caseId.slice(0, 40),
    team: TEAM,
    worker: 'Sam Worker <worker@council.test>',
    manager: `Tess Manager <${MANAGER}>`,
    head: `Hal Head <${HEAD}>`,
    tier: 'PRIORITY',
    tier_reason: 'rated at the last review',
    tier_rated_at: ukDaysAgo(40),
    last_visit: ukDaysAgo(5),
    last_kit_call: ukDaysAgo(3),
    ...extra,
  };
}

function csv(rows: readonly Row[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[IMPORT_COLUMNS.join(','), ...rows.map((r) => IMPORT_COLUMNS.map((c) => quote(r[c] ?? '')).join(','))].join('\n')}\n`;
}

/** The job page until its summary shows; every page while it runs refreshes itself. */
async function finishedJob(s: Session, jobPath: string): Promise<Answer> {
  for (let i = 0; i < 240; i++) {
    const answer = await s.get(jobPath);
    expect(answer.status, answer.body.slice(0, 2000)).toBe(200);
    if (answer.body.includes('id="import-summary"')) {
      expect(answer.body).not.toContain('http-equiv="refresh"');
      return answer;
    }
    expect(answer.body).toContain('<meta http-equiv="refresh" content="2"/>');
    expect(answer.body).toMatch(/<strong id="import-done">\d+ of \d+<\/strong>/);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${jobPath} did not finish`);
}

const cellText = (html: string, id: string) => (new RegExp(`<strong id="${id}">([^<]*)</strong>`).exec(html)?.[1] ?? '').trim();

beforeAll(async () => {
  cliWorker = await startCliWorker(throwawayEncryptionEnv());
  // Every import sends every summary still held in its store, and drops those of cases its own
  // namespace never saw: the command line's import tests hold theirs in the run's store meanwhile.
  summaryDatabase = await startScriptStore();
  summaryStore = openImportSummaryStore(summaryDatabase.url);
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-import-page-')), 'users.json');
  writeUsersFile(usersFile, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.admin) },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: TEAM, passwordHash: await hashPassword(PASSWORDS.manager) },
    ],
  });
  server = await startTestConsole({
    client: cliWorker.client,
    usersFile,
    answerTimeoutMs: 15_000,
    importSummaries: { store: summaryStore, transport: nodemailer.createTransport(cliWorker.mailbox.url), from: 'caseclock@council.test' },
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await summaryStore?.close();
  await summaryDatabase?.stop();
  // Ends the cases this file opened on the production queue.
  await cliWorker?.close();
});

describe('the import page', () => {
  it('is for administrators only: a manager gets 403 for the page and the upload, and no menu item', async () => {
    const tess = await Session.signIn('tess', PASSWORDS.manager);
    const home = await tess.get('/');
    expect(home.body).not.toContain('href="/admin/import"');
    expect((await tess.get('/admin/import')).status).toBe(403);
    const caseId = uniqueName('IMPAGE');
    const upload = await tess.upload('import', csv([row(caseId)]));
    expect(upload.status).toBe(403);
    expect(upload.body).toContain('Only an administrator may import cases');
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(false);

    const ada = await Session.signIn('ada', PASSWORDS.admin);
    const page = await ada.get('/admin/import');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<a href="/admin/import" aria-current="page">Import cases</a>');
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('upload the same file again');
  });

  it('takes multipart only here, with the CSRF token, and caps the file', async () => {
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    await ada.get('/admin/import');
    const caseId = uniqueName('IMPAGE');
    const forged = await ada.upload('import', csv([row(caseId)]), { csrf: 'not-the-token' });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('The form had expired');
    // Any other form still takes urlencoded bodies only.
    const elsewhere = await ada.upload('import', csv([row(caseId)]), { to: '/cases' });
    expect(elsewhere.status).toBe(415);
    const big = await ada.upload('check', new Uint8Array(10 * 1024 * 1024 + 1).fill(0x41));
    expect(big.status).toBe(413);
    expect(big.body).toContain('larger than 10 MB');
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(false);
  });

  it('a check shows every bad cell by line and column with the counts, and starts nothing', async () => {
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    await ada.get('/admin/import');
    const good = uniqueName('IMPAGE');
    const bad = uniqueName('IMPAGE');
    const answer = await ada.upload('check', csv([row(good), row(bad, { tier: 'HIGH', last_visit: ukDaysAgo(-30) })]));
    expect(answer.status, answer.body.slice(0, 2000)).toBe(200);
    expect(answer.body).toMatch(/<strong>open-cases\.csv<\/strong>: 2 rows, 1 good, 1 bad\./);
    expect(answer.body).toContain('2 bad cells in 1 row: nothing was started');
    const table = /<table class="data compact" id="import-problems">([\s\S]*?)<\/table>/.exec(answer.body)?.[1] ?? '';
    const cells = [...table.matchAll(/<tr><td class="num">(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3]]);
    // Each bad cell as typed (quoted), by line and column.
    expect(cells).toEqual([
      ['3', 'tier', '&quot;HIGH&quot; must be one of: HIGH_IMMEDIATE, PRIORITY, VULNERABLE'],
      ['3', 'last_visit', `&quot;${ukDaysAgo(-30)}&quot; is in the future`],
    ]);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(good))).toBe(false);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(bad))).toBe(false);

    // A larger file (far above the console's 64 KB form limit) is taken whole.
    const many = Array.from({ length: 1500 }, (_, i) => row(`${good}-${i}`.slice(-60)));
    const large = csv(many);
    expect(large.length).toBeGreaterThan(300_000);
    const checked = await ada.upload('check', large, { name: 'large.csv' });
    expect(checked.status, checked.body.slice(0, 2000)).toBe(200);
    expect(checked.body).toMatch(/<strong>large\.csv<\/strong>: 1500 rows, 1500 good, 0 bad\./);
    expect(checked.body).toContain('Every row is good. Nothing was started');
    expect(await workflowExists(cliWorker.client, caseWorkflowId(many[0]?.caseId ?? ''))).toBe(false);

    // A good row whose dates imply a history the file does not give: warned of, still good.
    const warned = await ada.upload('check', csv([row(good, { cp_plan_start: ukDaysAgo(200), last_core_group: ukDaysAgo(20) })]));
    expect(warned.status, warned.body.slice(0, 2000)).toBe(200);
    expect(warned.body).toContain('Every row is good. Nothing was started');
    expect(warned.body).toContain('1 warning: these rows import as they are');
    const warnings = /<table class="data compact" id="import-warnings">([\s\S]*?)<\/table>/.exec(warned.body)?.[1] ?? '';
    expect([...warnings.matchAll(/<tr><td class="num">(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]])).toEqual([['2', 'cp_plan_start']]);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(good))).toBe(false);

    const unreadable = await ada.upload('import', 'caseId,child_name\nX1,Someone\n');
    expect(unreadable.status).toBe(400);
    expect(unreadable.body).toContain('This file cannot be imported as it is: nothing was started.');
    expect(unreadable.body).toContain('is not a column of an import file');

    // A spreadsheet saved with semicolons, or as UTF-16: one problem with the fix, never the header
    // cell by cell; a long cell it shows wraps (console.css), so it cannot stretch the page.
    const text = csv([row(uniqueName('IMPAGE'))]);
    const fix = 'save it from the spreadsheet as &quot;CSV UTF-8 (Comma delimited)&quot; and try again';
    for (const [bytes, says] of [
      [new TextEncoder().encode(text.replace(/,/g, ';')), 'the columns are separated by semicolons, not commas'],
      [new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), 'the file is saved as UTF-16 (&quot;Unicode Text&quot;), not as CSV'],
    ] as const) {
      const shaped = await ada.upload('check', bytes);
      expect(shaped.status).toBe(400);
      expect(shaped.body).toContain('This file cannot be imported as it is: nothing was started.');
      const problems = /<table class="data compact" id="import-problems">([\s\S]*?)<\/table>/.exec(shaped.body)?.[1] ?? '';
      expect([...problems.matchAll(/<tr><td class="num">(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3]])).toEqual([['1', '(the whole file)', `${says}: ${fix}`]]);
      expect(shaped.body).not.toContain('is not a column of an import file');
    }
    const css = await (await fetch(`${server.url}/static/console.css`)).text();
    expect(css).toMatch(/#import-problems td,[^{]*\{[^}]*overflow-wrap: anywhere/);
  });

  it('an import runs as a job: its page shows the progress, then the summary; the same file again finds every case already there', async () => {
    const ada = await Session.signIn('ada', PASSWORDS.admin);
    await ada.get('/admin/import');
    const onTime = uniqueName('IMPAGE');
    const overdue = uniqueName('IMPAGE');
    const bad = uniqueName('IMPAGE');
    // The overdue case's fortnightly visit was due 6 days ago: escalations to its manager and head on arrival.
    const file = csv([row(onTime), row(overdue, { last_visit: ukDaysAgo(20), last_kit_call: ukDaysAgo(2) }), row(bad, { last_core_group: ukDaysAgo(3) })]);

    // The summary emails are held at the mail server until the running job's page has been seen.
    const isSummary = (x: { to: string[]; subject: string }) => x.to.includes(MANAGER) && x.subject.startsWith('[CaseClock] Imported cases overdue on arrival');
    cliWorker.mailbox.hold = isSummary;
    const started = await ada.upload('import', file);
    expect(started.status, started.body.slice(0, 2000)).toBe(303);
    const jobPath = started.headers.get('location') ?? '';
    expect(jobPath).toMatch(/^\/admin\/import\/[A-Za-z0-9_-]{22}$/);
    await cliWorker.mailbox.waitFor(() => cliWorker.mailbox.held.some(isSummary));
    const running = await ada.get(jobPath);
    expect(running.body).toContain('<h1>Importing cases</h1>');
    expect(running.body).toContain('<meta http-equiv="refresh" content="2"/>');
    expect(running.body).toContain('<strong id="import-done">2 of 2</strong>');
    expect(running.body).toContain('<p id="import-counts">2 started, 0 already there, 0 refused</p>');
    expect(running.body).toContain('finishing (sending the summary emails)');
    // Another import waits for this one.
    const meanwhile = await ada.upload('import', file);
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.body).toContain(`<a href="${jobPath}">See its progress</a>`);
    delete cliWorker.mailbox.hold;
    cliWorker.mailbox.release();
    const done = await finishedJob(ada, jobPath);
    expect(done.body).toContain('<h1>Import finished</h1>');
    expect(cellText(done.body, 'summary-started')).toBe('2 started');
    expect(cellText(done.body, 'summary-already')).toBe('0 already there');
    expect(cellText(done.body, 'summary-refused')).toBe('1 refused');
    expect(done.body).toContain(`<td class="num">4</td><td>${bad}</td><td>last_core_group: &quot;${ukDaysAgo(3)}&quot; needs cp_plan_start (core groups follow a child protection plan)</td>`);
    // One summary email each to the manager and the head of service, sent through the real SMTP server.
    expect(done.body).toMatch(new RegExp(`<td>${MANAGER.replace(/\./g, '\\.')}</td><td class="num">1</td><td>sent \\(250`));
    expect(done.body).toMatch(new RegExp(`<td>${HEAD.replace(/\./g, '\\.')}</td><td class="num">1</td><td>sent \\(250`));
    const mail = await cliWorker.mailbox.waitFor((m) => m.some((x) => x.to.includes(MANAGER) && x.subject.startsWith('[CaseClock] Imported cases overdue on arrival')));
    const summary = mail.find((x) => x.to.includes(MANAGER) && x.subject.startsWith('[CaseClock] Imported cases overdue on arrival'));
    expect(summary?.text).toContain(overdue);
    expect(summary?.text).toContain(`${server.url}/cases/${overdue}`);

    expect(await workflowExists(cliWorker.client, caseWorkflowId(onTime))).toBe(true);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(bad))).toBe(false);
    const state = await caseState(cliWorker.client, overdue);
    expect(state.details.team).toBe(TEAM);
    expect(state.overdueCount).toBeGreaterThan(0);

    // The job is listed on the import page.
    const list = await ada.get('/admin/import');
    expect(list.body).toContain(`href="${jobPath}"`);

    // The same file again (as after an interrupted import): nothing started twice.
    await ada.get('/admin/import');
    const again = await ada.upload('import', file);
    expect(again.status, again.body.slice(0, 2000)).toBe(303);
    const second = await finishedJob(ada, again.headers.get('location') ?? '');
    expect(cellText(second.body, 'summary-started')).toBe('0 started');
    expect(cellText(second.body, 'summary-already')).toBe('2 already there');
    expect(cellText(second.body, 'summary-refused')).toBe('1 refused');
    expect(second.body).not.toContain(`<td>${MANAGER}</td>`);

    // A job page that does not exist (or a console restarted since) says how to carry on.
    const missing = await ada.get('/admin/import/AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('Upload the same file again');
  });
});
