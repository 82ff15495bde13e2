/**
 * `caseclock import` end to end: the real bin in a child process against the run's dev server,
 * with a worker (real workflows, real email activities into an in-process SMTP server) in this
 * test process, as tests/client/cli-cases.test.ts runs the case commands.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, caseTimeline } from '../../common/cases';
import { IMPORT_COLUMNS } from '../../client/import/rows';
import { DATE_FORMS } from '../../domain/as-typed';
import { localDateOf } from '../../domain/durations';
import { caseWorkflowId } from '../../workflows/messages';
import { startCliWorker, throwawayEncryptionEnv, type CliWorker } from '../support/cli-worker';
import { storeUrl } from '../support/case-record';
import { devServerAddress, uniqueName, workflowExists } from '../support/temporal-env';
import { runCaseclock, type CliRun } from '../support/caseclock-bin';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'client/cli/caseclock.js');
const ENCRYPTION_ENV = throwawayEncryptionEnv();
const DIR = mkdtempSync(path.join(os.tmpdir(), 'caseclock-import-'));

type Run = CliRun;

let client: Client;
let cliWorker: CliWorker;

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...ENCRYPTION_ENV,
    TEMPORAL_ADDRESS: devServerAddress(),
    TEMPORAL_NAMESPACE: cliWorker.namespace,
    CASECLOCK_STORE_URL: storeUrl(),
    CASECLOCK_USER: 'admin1',
    CASECLOCK_POLICY: '',
    SMTP_URL: cliWorker.mailbox.url,
    ...extra,
  };
}

function caseclock(...args: string[]): Promise<Run> {
  return caseclockWith({}, ...args);
}

function caseclockWith(extraEnv: Record<string, string>, ...args: string[]): Promise<Run> {
  return runCaseclock(args, cliEnv(extraEnv), { timeoutMs: 120_000 });
}

/** A date `days` ago (negative: ahead) in UK local time, as staff type it: dd/mm/yyyy hh:mm. */
function ukDaysAgo(days: number, time = '10:00'): string {
  return DateTime.now().setZone('Europe/London').minus({ days }).toFormat('dd/MM/yyyy') + ` ${time}`;
}

type Row = Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>;

function row(caseId: string, team: string, extra: Row = {}): Row {
  return {
    caseId,
    reference: caseId.slice(0, 40),
    team,
    worker: 'Sam Worker <worker@council.test>',
    manager: 'Tess Manager <manager@council.test>',
    head: 'Hal Head <head@council.test>',
    tier: 'PRIORITY',
    tier_reason: 'rated at the last review',
    tier_rated_at: ukDaysAgo(40),
    last_visit: ukDaysAgo(5),
    last_kit_call: ukDaysAgo(3),
    ...extra,
  };
}

function csvFile(rows: readonly Row[], columns: readonly string[] = IMPORT_COLUMNS): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const text = [columns.join(','), ...rows.map((r) => columns.map((c) => quote(r[c as keyof Row] ?? '')).join(','))].join('\n');
  const file = path.join(DIR, `${uniqueName('import')}.csv`);
  writeFileSync(file, `${text}\n`);
  return file;
}

async function importJson(file: string): Promise<{ run: Run; summary: Record<string, any> }> {
  const run = await caseclock('import', file, '--json');
  return { run, summary: JSON.parse(run.stdout) as Record<string, any> };
}

/** A case's whole history once its worker has nothing more to do for now (its first store write done). */
async function settledHistory(caseId: string): Promise<number> {
  const handle = client.workflow.getHandle(caseWorkflowId(caseId));
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const length = (await handle.fetchHistory()).events?.length ?? 0;
    if (length === last) return length;
    last = length;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}

beforeAll(async () => {
  cliWorker = await startCliWorker(ENCRYPTION_ENV);
  ({ client } = cliWorker);
});

afterAll(async () => {
  await cliWorker?.close();
});

describe('caseclock import --dry-run', () => {
  it('names every bad cell by line and column, exits non-zero and starts nothing', async () => {
    const team = uniqueName('T').slice(0, 30);
    const good = uniqueName('IMP');
    const badId = uniqueName('IMP');
    const file = csvFile([
      row(good, team),
      row(badId, team, { worker: 'Sam Worker', tier: 'HIGH', tier_rated_at: '31/02/2026', last_visit: ukDaysAgo(-30) }),
      row(`${badId} 2`, team, { head: '', placement_start: ukDaysAgo(10), next_conference: ukDaysAgo(3) }),
      row(good, team),
    ]);
    const run = await caseclock('import', file, '--dry-run');
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    // Each bad cell as typed, by line and column, with what is expected.
    expect(lines).toEqual([
      'line 3, worker: "Sam Worker" is not a name and email: write "Name <email>", e.g. Sam Worker <sam@council.example>',
      'line 3, tier: "HIGH" must be one of: HIGH_IMMEDIATE, PRIORITY, VULNERABLE',
      `line 3, tier_rated_at: "31/02/2026" is not a real date: ${DATE_FORMS}`,
      `line 3, last_visit: "${ukDaysAgo(-30)}" is in the future`,
      `line 4, caseId: "${badId} 2" may contain only letters, digits, dot, dash and underscore`,
      'line 4, head: is required',
      `line 4, next_conference: "${ukDaysAgo(3)}" must be in the future (a conference still to come)`,
      `line 4, placement_start: "${ukDaysAgo(10)}" needs looked_after_since (a placement of a child in care)`,
      `line 5, caseId: "${good}" is already on line 2`,
      `${file}: 4 rows, 1 good, 3 bad; nothing started (dry run)`,
    ]);
    expect(run.stderr).toBe('caseclock: 9 bad cells in 3 rows\n');
    expect(await workflowExists(client, caseWorkflowId(good))).toBe(false);
    expect(await workflowExists(client, caseWorkflowId(badId))).toBe(false);
  });

  it('prints the warnings of rows whose dates imply a history the file does not give, and they do not stop the rows', async () => {
    const team = uniqueName('T').slice(0, 30);
    const looked = uniqueName('IMP');
    const file = csvFile([row(looked, team, { looked_after_since: ukDaysAgo(300), last_review: ukDaysAgo(100), placement_start: ukDaysAgo(290), placement_type: 'general', last_visit: ukDaysAgo(5) })]);
    const warning =
      'line 2, last_review: warning: is more than 20 working days and 3 months after looked_after_since, so more than one review has been held, but without reviews_held or first_review it counts as the first (the next then due within 3 months of it): give reviews_held or first_review';
    const dry = await caseclock('import', file, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.trimEnd().split('\n')).toEqual([warning, `${file}: 1 rows, 1 good, 0 bad, 1 warning; nothing started (dry run)`]);
    expect(await workflowExists(client, caseWorkflowId(looked))).toBe(false);

    const real = await importJson(file);
    expect(real.run.code, real.run.stderr).toBe(0);
    expect(real.summary).toMatchObject({ rows: 1, started: 1, refused: 0, warnings: [{ line: 2, column: 'last_review' }] });
    // Run again (the case is already there): the plain summary shows the warning too.
    const again = await caseclock('import', file);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 already there');
    expect(again.stdout).toContain(`  ${warning}`);
  });

  it('refuses a file whose columns are not the import columns', async () => {
    const file = csvFile([{ caseId: 'X1' }], ['caseId', 'reference', 'team', 'worker', 'manager', 'child_name']);
    const run = await caseclock('import', file);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^caseclock: line 1, child_name: is not a column of an import file .*line 1, head: is a required column and is missing\n$/);
  });

  it.each([
    ['separated by semicolons (Excel where the list separator is ;)', (text: string) => Buffer.from(text.replace(/,/g, ';')), 'the columns are separated by semicolons, not commas'],
    ['saved as UTF-16 ("Unicode Text")', (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'the file is saved as UTF-16 ("Unicode Text"), not as CSV'],
  ])('a file %s is named in one line, with the fix, in the dry run and the import', async (_, save, says) => {
    const id = uniqueName('IMP');
    const file = csvFile([row(id, 'TEAM-SHAPE')]);
    writeFileSync(file, save(readFileSync(file, 'utf8')));
    const line = `line 1: ${says}: save it from the spreadsheet as "CSV UTF-8 (Comma delimited)" and try again`;
    const dry = await caseclock('import', file, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout.trimEnd().split('\n')).toEqual([line, `${file}: cannot be imported as it is; nothing started (dry run)`]);
    expect(dry.stderr).toBe(`caseclock: ${file} cannot be imported as it is (see above)\n`);
    const run = await caseclock('import', file);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe(`caseclock: ${line}\n`);
    expect(await workflowExists(client, caseWorkflowId(id))).toBe(false);
  });
});

describe('caseclock import', () => {
  it('imported twice: the second run finds every case already there and changes nothing', async () => {
    const team = uniqueName('T').slice(0, 30);
    const ids = [uniqueName('IMP'), uniqueName('IMP'), uniqueName('IMP')];
    const file = csvFile(ids.map((id) => row(id, team)));

    const first = await importJson(file);
    expect(first.run.code, first.run.stderr).toBe(0);
    expect(first.summary).toMatchObject({ rows: 3, started: 3, alreadyThere: 0, refused: 0 });
    // Not a terminal: plain progress lines.
    expect(first.run.stderr).toContain('importing: 3/3 (100%)');

    const before = await Promise.all(ids.map(async (id) => ({ history: await settledHistory(id), timeline: await caseTimeline(client, id) })));
    const second = await importJson(file);
    expect(second.run.code, second.run.stderr).toBe(0);
    expect(second.summary).toMatchObject({ rows: 3, started: 0, alreadyThere: 3, refused: 0 });
    const after = await Promise.all(ids.map(async (id) => ({ history: await settledHistory(id), timeline: await caseTimeline(client, id) })));
    expect(after).toEqual(before);
    // The recorded facts are on the case at their own dates, recorded by the importer.
    const summaries = before[0]?.timeline.map((t) => t.summary);
    expect(summaries).toEqual(expect.arrayContaining(['Risk tier set to PRIORITY']));
    expect(before[0]?.timeline.filter((t) => t.event?.type === 'contact')).toHaveLength(2);

    // The file changed since: another team on one row, another tier on the next. The dry run and the
    // import read which cases are there from their summaries, and name what the file says otherwise.
    const changed = csvFile([row(ids[0]!, `${team}-MOVED`.slice(0, 40)), row(ids[1]!, team, { tier: 'VULNERABLE' }), row(ids[2]!, team)]);
    const dry = await caseclock('import', changed, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.trimEnd().split('\n')).toEqual([
      `line 2 (${ids[0]}): already there, and the file differs: team`,
      `line 3 (${ids[1]}): already there, and the file differs: tier`,
      `line 4 (${ids[2]}): already there`,
      `${changed}: 3 rows, 3 good (3 already there), 0 bad; nothing started (dry run)`,
    ]);
    const third = await caseclock('import', changed);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('0 started, 3 already there, 0 refused');
    expect(third.stdout).toContain(`  line 2 (${ids[0]}): already there, and the file differs: team\n  line 3 (${ids[1]}): already there, and the file differs: tier`);
    expect(third.stdout).not.toContain(`line 4 (${ids[2]})`);
    expect(await Promise.all(ids.map(async (id) => ({ history: await settledHistory(id), timeline: await caseTimeline(client, id) })))).toEqual(before);
  });

  it('an interrupted import carries on: the first half, then the whole file', async () => {
    const team = uniqueName('T').slice(0, 30);
    const rows = [0, 1, 2, 3].map(() => row(uniqueName('IMP'), team));
    const half = await importJson(csvFile(rows.slice(0, 2)));
    expect(half.summary).toMatchObject({ rows: 2, started: 2, alreadyThere: 0 });
    const whole = await importJson(csvFile(rows));
    expect(whole.run.code, whole.run.stderr).toBe(0);
    expect(whole.summary).toMatchObject({ rows: 4, started: 2, alreadyThere: 2, refused: 0 });
    for (const r of rows) expect(await workflowExists(client, caseWorkflowId(r.caseId ?? ''))).toBe(true);
  });

  it('runs the clocks from the recorded dates: a visit 13 days ago on a fortnightly cadence is due tomorrow; one 20 days ago is overdue at once', async () => {
    const team = uniqueName('T').slice(0, 30);
    const dueTomorrow = uniqueName('IMP');
    const overdue = uniqueName('IMP');
    const bad = uniqueName('IMP');
    const file = csvFile([
      row(dueTomorrow, team, { last_visit: ukDaysAgo(13), last_kit_call: ukDaysAgo(2) }),
      row(overdue, team, { last_visit: ukDaysAgo(20), last_kit_call: ukDaysAgo(2) }),
      row(bad, team, { last_core_group: ukDaysAgo(3) }),
    ]);
    const { run, summary } = await importJson(file);
    expect(run.code).toBe(1);
    expect(summary).toMatchObject({ rows: 3, started: 2, alreadyThere: 0, refused: 1 });
    expect(summary['refusals']).toEqual([{ line: 4, caseId: bad, outcome: 'refused', reason: `last_core_group: "${ukDaysAgo(3)}" needs cp_plan_start (core groups follow a child protection plan)` }]);

    const tomorrow = DateTime.now().setZone('Europe/London').plus({ days: 1 }).toISODate();
    const state = await caseState(client, dueTomorrow);
    const visit = state.open.find((o) => o.kind === 'visit-priority');
    expect(visit && localDateOf(visit.dueAt)).toBe(tomorrow);
    expect(state.overdueCount).toBe(0);
    // The case counts as opened at its earliest recorded date, not at the import.
    expect(Date.parse(state.openedAt)).toBeLessThan(Date.now() - 39 * 86_400_000);

    const late = await caseState(client, overdue);
    expect(late.overdueCount).toBeGreaterThan(0);
    expect(late.open.find((o) => o.kind === 'visit-priority')?.dueAt).toBeDefined();
    expect(await workflowExists(client, caseWorkflowId(bad))).toBe(false);

    // The escalations already due on arrival (6 days overdue: level 1 and level 2) go in one summary
    // to each recipient, the team manager and the head of service, not one email each.
    expect(summary['summaries']).toEqual([
      { to: 'manager@council.test', escalations: 1, smtpResponse: expect.stringMatching(/^250/) },
      { to: 'head@council.test', escalations: 1, smtpResponse: expect.stringMatching(/^250/) },
    ]);
    const mail = await cliWorker.mailbox.waitFor((m) => m.some((x) => x.text.includes(overdue) && x.subject.startsWith('[CaseClock] Imported cases overdue on arrival')));
    const digest = mail.find((x) => x.text.includes(overdue) && x.subject.startsWith('[CaseClock] Imported cases overdue on arrival'));
    expect(digest?.to).toEqual(['manager@council.test']);
    expect(digest?.text).toContain('Fortnightly visit (Priority), was due by');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(cliWorker.mailbox.messages.filter((x) => x.caseReference === overdue.slice(0, 40) && /OVERDUE/.test(x.subject))).toEqual([]);
    const timeline = await caseTimeline(client, overdue);
    expect(timeline.map((t) => t.summary).join('\n')).toMatch(/Escalation level 1[\s\S]*Escalation level 2/);
  });

  it('a summary the mail server did not take is kept, and the next run of the file sends it', async () => {
    const team = uniqueName('T').slice(0, 30);
    const overdue = uniqueName('IMP');
    const file = csvFile([row(overdue, team, { last_visit: ukDaysAgo(20), last_kit_call: ukDaysAgo(2) })]);
    // Nothing listens on port 1: every summary fails to send.
    const down = await caseclockWith({ SMTP_URL: 'smtp://127.0.0.1:1' }, 'import', file, '--json');
    expect(down.code).toBe(1);
    const first = JSON.parse(down.stdout) as Record<string, any>;
    expect(first).toMatchObject({ rows: 1, started: 1 });
    expect(first['summaries']).toEqual([
      { to: 'manager@council.test', escalations: 1, error: expect.any(String) },
      { to: 'head@council.test', escalations: 1, error: expect.any(String) },
    ]);
    expect(down.stderr).toContain('2 summary emails not sent (see above): they are kept, and running the import again (the same file) sends them');

    const again = await importJson(file);
    expect(again.run.code, again.run.stderr).toBe(0);
    expect(again.summary).toMatchObject({ rows: 1, started: 0, alreadyThere: 1 });
    expect(again.summary['summaries']).toEqual([
      { to: 'manager@council.test', escalations: 1, smtpResponse: expect.stringMatching(/^250/) },
      { to: 'head@council.test', escalations: 1, smtpResponse: expect.stringMatching(/^250/) },
    ]);
    await cliWorker.mailbox.waitFor((m) => m.some((x) => x.to.includes('manager@council.test') && x.text.includes(overdue) && x.subject.startsWith('[CaseClock] Imported cases overdue on arrival')));
    // Sent once: a third run has nothing held to send, and the case itself sent no escalation of its own.
    const third = await importJson(file);
    expect(third.summary['summaries']).toEqual([]);
    expect(cliWorker.mailbox.messages.filter((x) => x.caseReference === overdue.slice(0, 40) && /OVERDUE/.test(x.subject))).toEqual([]);
  });

  it('an import killed part-way loses no escalation: the next run sends the summary for the cases the first run opened too', async () => {
    const team = uniqueName('T').slice(0, 30);
    const ids = Array.from({ length: 30 }, () => uniqueName('IMP'));
    const file = csvFile(ids.map((id) => row(id, team, { last_visit: ukDaysAgo(20), last_kit_call: ukDaysAgo(2) })));
    // One case at a time; killed outright at the first progress line (a tenth of the file done).
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'import', file, '--concurrency', '1'], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (chunk.includes('importing: ')) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', () => resolve());
    });
    const openedFirst = (await Promise.all(ids.map((id) => workflowExists(client, caseWorkflowId(id))))).filter(Boolean).length;
    expect(openedFirst).toBeGreaterThanOrEqual(1);
    expect(openedFirst).toBeLessThan(30);

    const resumed = await importJson(file);
    expect(resumed.run.code, resumed.run.stderr).toBe(0);
    expect(resumed.summary).toMatchObject({ rows: 30, started: 30 - openedFirst, alreadyThere: openedFirst, refused: 0 });
    expect(resumed.summary['summaries']).toEqual([
      { to: 'manager@council.test', escalations: 30, smtpResponse: expect.stringMatching(/^250/) },
      { to: 'head@council.test', escalations: 30, smtpResponse: expect.stringMatching(/^250/) },
    ]);
    const mail = await cliWorker.mailbox.waitFor((m) => m.some((x) => x.to.includes('manager@council.test') && x.text.includes(ids[0] ?? '?') && x.subject.includes('30 escalations')));
    const summary = mail.find((x) => x.to.includes('manager@council.test') && x.subject.includes('30 escalations'));
    for (const id of ids) expect(summary?.text).toContain(id);
  });
});
