/**
 * The reconciliation with the case system (/admin/reconciliation and its CSV) over HTTP: a synthetic
 * council written as CSV extracts, a private embedded store, the real sync run once with a worker
 * running the case workflows, then one visit recorded in CaseClock by a person and one planned review
 * moved in the source. The page lists that visit, the moved review beside CaseClock's deadline, and
 * the children of the team CaseClock does not know; the CSV and `caseclock ssd reconcile` have the
 * same rows; administrators only.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsdSync } from '../../activities/ssd-sync';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { RECONCILIATION_CSV_HEADER } from '../../client/reconciliation';
import { caseState, recordEvent } from '../../common/cases';
import { localDateOf } from '../../domain/durations';
import { PLANNED_REVIEWS, plannedReviewsOf, type PlannedReview } from '../../domain/ssd/reconcile';
import type { CaseRecordStore } from '../../store/case-record-store';
import { openReconciliationStore, type ReconciliationStore } from '../../store/reconciliation-store';
import { openSsdSource } from '../../store/ssd-source';
import type { SsdSyncStore } from '../../store/ssd-sync-store';
import { generateCouncil, type SsdTables } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import { runCaseclock } from '../support/caseclock-bin';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { seedCouncilDirectories, startSsdHarness, type SsdHarness } from '../support/ssd-harness';
import { uniqueName } from '../support/temporal-env';

const PASSWORDS = { admin: 'ada reconciles the two records', manager: 'tess keeps her team on time' };

let h: SsdHarness;
let client: Client;
let records: CaseRecordStore;
let store: SsdSyncStore;
let reconciliationStore: ReconciliationStore;
let server: TestConsole;
const prefix = `r${uniqueName('').slice(-6)}-`;

const today = new Date().toISOString().slice(0, 10);
const council = generateCouncil({ seed: 'reconciliation-test', children: 40, years: 1, asOf: today });
const csvDir = () => h.csvDir;

/** Every team in the extract but the last is in CaseClock's directory: that one's children are reported. */
const teamRows = council.tables.ssd_department.filter((d) => council.tables.ssd_involvements.some((i) => i.invo_professional_team === d.dept_team_id));
const unknownTeam = teamRows[teamRows.length - 1]!.dept_team_id;

const DAY_MS = 86_400_000;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Waits until `probe` gives a value (the case writes its record after each change, a moment later). */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`not in the case record after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The earliest open deadline of a planned review's kinds on a case, from the case record. */
async function openDeadline(caseId: string, review: PlannedReview['review']): Promise<string | undefined> {
  const outcomes = await records.obligationOutcomes({ kinds: [...PLANNED_REVIEWS[review].kinds], dueBetween: ['2000-01-01T00:00:00.000Z', '2099-12-31T00:00:00.000Z'] });
  return outcomes
    .filter((o) => o.caseId === caseId && o.obligation.status === 'open')
    .map((o) => o.obligation.dueAt)
    .sort()[0];
}

beforeAll(async () => {
  // The case workflows write their record to this file's own store, where the page reads it.
  h = await startSsdHarness({ name: 'reconciliation', prefix, caseRecord: true });
  ({ client, records, store } = h);
  reconciliationStore = h.open(openReconciliationStore);
  await seedCouncilDirectories(h, council.tables, (d) => teamRows.includes(d) && d.dept_team_id !== unknownTeam);
  await writeSsdCsv(council.tables, csvDir());
  await h.startWorker();
  await runSsdSync(h.deps());

  const usersFile = path.join(h.dir, 'users.json');
  writeUsersFile(usersFile, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.admin) },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: 'ANY', passwordHash: await hashPassword(PASSWORDS.manager) },
    ],
  });
  server = await startTestConsole({
    client,
    usersFile,
    taskQueue: h.taskQueue,
    reconciliation: { records, store: reconciliationStore, runs: store, openSource: () => openSsdSource({ kind: 'csv', dir: csvDir() }) },
  });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await h?.stop();
});

/** The rows of one section's table on the page, as text cells. */
function sectionRows(body: string, section: string): string[][] {
  const table = new RegExp(`<table class="data" id="reconciliation-${section}">([\\s\\S]*?)</table>`).exec(body)?.[1] ?? '';
  const tbody = /<tbody>([\s\S]*)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()));
}

describe('the reconciliation page', () => {
  it('lists a visit recorded in CaseClock only, a review the source moved, and the children of a team CaseClock does not know; the CSV and the command line have the same rows', async () => {
    const known = await store.knownCases();
    // Every case's record in the store first: the page reads the store, and a deadline still on its way there would come and go between reads.
    await eventually(
      async () => ((await Promise.all([...known.values()].filter((k) => k.status === 'open').map(async (k) => (await caseState(client, k.caseId)).waitingForStore ?? 0))).every((n) => n === 0) ? true : undefined),
      'every case recorded in the store',
    );
    const source = openSsdSource({ kind: 'csv', dir: csvDir() });
    const { rows } = await source.readAll().finally(() => source.close());

    // A visit recorded by a person in CaseClock, on a day the source has no visit of the child: yesterday at noon.
    const visitDay = plusDays(today, -1);
    const visitedThen = (personId: string) =>
      [
        ...rows.ssd_cin_visits.map((v) => [v.cinv_person_id, v.cinv_cin_visit_date]),
        ...rows.ssd_cp_visits.map((v) => [v.cppv_person_id, v.cppv_cp_visit_date]),
        ...rows.ssd_cla_visits.map((v) => [v.clav_person_id, v.clav_cla_visit_date]),
      ].some(([p, d]) => p === personId && d?.startsWith(visitDay));
    const [visited] = [...known.entries()].filter(([personId, k]) => k.status === 'open' && !visitedThen(personId)).map(([personId, k]) => ({ personId, ...k }));
    expect(visited).toBeDefined();
    await recordEvent(client, visited!.caseId, { type: 'contact', at: `${visitDay}T11:00:00.000Z`, by: 'ada', contactType: 'visit' });
    await eventually(async () => ((await reconciliationStore.recordedByPeople('ssd-sync')).some((e) => e.caseId === visited!.caseId) ? true : undefined), 'the visit by ada');

    // A review the source planned, moved in the extract to ten days after CaseClock's deadline for it.
    const planned = plannedReviewsOf({ claReviews: rows.ssd_cla_reviews, claEpisodes: rows.ssd_cla_episodes, cpReviews: rows.ssd_cp_reviews });
    const candidates = planned.filter((p) => known.get(p.personId)?.status === 'open');
    expect(candidates.length).toBeGreaterThan(0);
    const moved = await eventually(async () => {
      for (const plan of candidates) {
        const caseId = known.get(plan.personId)!.caseId;
        const dueAt = await openDeadline(caseId, plan.review);
        if (dueAt !== undefined) return { plan, caseId, caseclockDate: localDateOf(dueAt) };
      }
      return undefined;
    }, 'a synced child with a planned review and its deadline open in CaseClock');
    const sourceDate = plusDays(moved.caseclockDate, 10);
    const rowId = moved.plan.sourceKey.split(':')[1];
    const changed: SsdTables = {
      ...council.tables,
      ssd_cla_reviews: council.tables.ssd_cla_reviews.map((r) => (moved.plan.review === 'cic-review' && r.clar_cla_review_id === rowId ? { ...r, clar_cla_review_due_date: `${sourceDate} 00:00:00` } : r)),
      ssd_cp_reviews: council.tables.ssd_cp_reviews.map((r) => (moved.plan.review === 'cp-review' && r.cppr_cp_review_id === rowId ? { ...r, cppr_cp_review_due: `${sourceDate} 00:00:00` } : r)),
    };
    await writeSsdCsv(changed, csvDir());

    const ada = await ConsoleSession.signedIn(server.url, 'ada', PASSWORDS.admin);
    const page = await ada.request('/admin/reconciliation');
    expect(page.status, page.body.slice(0, 1000)).toBe(200);
    expect(page.body).toContain('<a href="/admin/reconciliation" aria-current="page">Reconciliation</a>');
    expect(page.body).toContain('href="/admin/reconciliation.csv"');

    const dates = sectionRows(page.body, 'dates-disagree');
    const label = PLANNED_REVIEWS[moved.plan.review].label;
    expect(dates).toContainEqual([
      moved.caseId,
      moved.plan.personId,
      known.get(moved.plan.personId)!.team,
      `${label}: the case system plans it 10 days after CaseClock's deadline (${moved.plan.sourceKey})`,
      sourceDate,
      moved.caseclockDate,
    ]);

    const only = sectionRows(page.body, 'caseclock-only');
    expect(only).toEqual([[visited!.caseId, visited!.personId, visited!.team, 'a visit recorded in CaseClock by ada, not in the case system', '', visitDay]]);

    const unknown = sectionRows(page.body, 'not-known-in-caseclock');
    const reported = (await store.lastSuccess())!.report.filter((i) => i.problem === 'team-not-in-caseclock');
    expect(reported.length).toBeGreaterThan(0);
    for (const item of reported) {
      expect(unknown).toContainEqual(['none', item.personId!, '', `the case system's team ${unknownTeam} is not in CaseClock's team directory`, '', '']);
    }
    // Never a name: only ids, codes and dates reach the page.
    expect(page.body).not.toMatch(/Worker PROF|Tess Manager<\/td>/);

    const csv = await ada.request('/admin/reconciliation.csv');
    expect(csv.status).toBe(200);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(RECONCILIATION_CSV_HEADER.join(','));
    expect(lines).toContain(`caseclock-only,visit,${visited!.caseId},${visited!.personId},${visited!.team},"a visit recorded in CaseClock by ada, not in the case system",,${visitDay},`);
    expect(lines).toContain(
      `dates-disagree,${moved.plan.review},${moved.caseId},${moved.plan.personId},${known.get(moved.plan.personId)!.team},${label}: the case system plans it 10 days after CaseClock's deadline (${moved.plan.sourceKey}),${sourceDate},${moved.caseclockDate},10`,
    );
    expect(lines.length - 1).toBe(dates.length + only.length + unknown.length);

    // The command line reads the same rows, with the console's settings for the source.
    const env = { CASECLOCK_ENV_FILE: path.join(h.dir, 'no.env'), CASECLOCK_STORE_URL: h.storeUrl, CASECLOCK_SSD_SOURCE: `csv:${csvDir()}`, CASECLOCK_SSD_CASE_PREFIX: prefix };
    // Compared with the page as it is read at the same time: a case's record may still be reaching
    // the store (a deadline opening), and both read the store as it is.
    let fromCli = await runCaseclock(['ssd', 'reconcile', '--csv'], env);
    for (let attempt = 0; attempt < 3 && fromCli.stdout !== (await ada.request('/admin/reconciliation.csv')).body; attempt++) {
      fromCli = await runCaseclock(['ssd', 'reconcile', '--csv'], env);
    }
    expect(fromCli.stderr).toBe('');
    expect(fromCli).toMatchObject({ code: 0, stdout: (await ada.request('/admin/reconciliation.csv')).body });
    const json = await runCaseclock(['ssd', 'reconcile', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ counts: { 'dates-disagree': dates.length, 'caseclock-only': 1, 'not-known-in-caseclock': unknown.length } });
    const asText = await runCaseclock(['ssd', 'reconcile'], env);
    expect(asText.stdout).toContain(`Recorded in CaseClock, not in the case system (1)\n  ${visited!.caseId}  ${visited!.team}  a visit recorded in CaseClock by ada, not in the case system  [CaseClock ${visitDay}]`);
    const unset = await runCaseclock(['ssd', 'reconcile'], { ...env, CASECLOCK_SSD_SOURCE: '' });
    expect(unset).toMatchObject({ code: 78, stdout: '' });
    expect(unset.stderr).toBe('caseclock: CASECLOCK_SSD_SOURCE is not set: there is no case system to reconcile with\n');
  }, 180_000);

  it('is for administrators only: a manager gets 403 for the page and the CSV, and no menu item', async () => {
    const tess = await ConsoleSession.signedIn(server.url, 'tess', PASSWORDS.manager);
    expect((await tess.request('/')).body).not.toContain('href="/admin/reconciliation"');
    expect((await tess.request('/admin/reconciliation')).status).toBe(403);
    expect((await tess.request('/admin/reconciliation.csv')).status).toBe(403);
  });
});
