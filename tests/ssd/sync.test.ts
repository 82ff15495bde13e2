/**
 * The sync from the SSD, end to end: a synthetic council written as CSV extracts, a private
 * embedded store for the ledger and directories, the run's real dev server with a worker running the
 * case workflows, a real SMTP server for whatever the cases send. The first read opens a case for
 * each child with an open episode in a team CaseClock knows, with what the source records; a team
 * CaseClock does not know is reported and opens nothing; the same rows read again record nothing;
 * a new visit, a corrected visit date and a removed row each reach the case once; a run started by
 * the schedule's workflow records itself.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsdSync, SSD_SYNC_USER } from '../../activities/ssd-sync';
import { caseTimeline } from '../../common/cases';
import { caseKindAt, readSsd } from '../../domain/ssd/events';
import { openImportSummaryStore, type ImportSummaryStore } from '../../store/import-summary-store';
import { ssdRowsOf, type SsdSourceRows } from '../../store/ssd-source';
import type { SsdSyncStore } from '../../store/ssd-sync-store';
import type { TeamDirectory } from '../../store/team-directory';
import { SSD_SYNC_WORKFLOW } from '../../workflows/ssd-sync';
import { generateCouncil, type SsdTables } from '../../tools/ssd/council';
import { SSD_COLUMNS } from '../../tools/ssd/schemas';
import { writeSsdCsv } from '../../tools/ssd/io';
import type { Mailbox } from '../support/mailbox';
import { seedCouncilDirectories, startSsdHarness, type SsdHarness } from '../support/ssd-harness';
import { uniqueName } from '../support/temporal-env';

let h: SsdHarness;
let mailbox: Mailbox;
let client: Client;
let store: SsdSyncStore;
let teams: TeamDirectory;
let arrivals: ImportSummaryStore;
const prefix = `s${uniqueName('').slice(-6)}-`;

const today = new Date().toISOString().slice(0, 10);
const council = generateCouncil({ seed: 'sync-test', children: 40, years: 1, asOf: today });
const csvDir = () => h.csvDir;

/** Every team in the council's extract but the last is in CaseClock's directory: that one's children are reported. */
const teamRows = council.tables.ssd_department.filter((d) => council.tables.ssd_involvements.some((i) => i.invo_professional_team === d.dept_team_id));
const unknownTeam = teamRows[teamRows.length - 1]!.dept_team_id;

const deps = () => h.deps({ arrival: { store: arrivals, transport: mailbox.transport(), from: 'caseclock@council.test', consoleUrl: 'https://caseclock.council.test' } });

/** The children the extract has an open episode for now, by the domain's own reading. */
function openChildren(tables: SsdTables): string[] {
  const reading = readSsd(ssdRowsOf(tables as unknown as SsdSourceRows), { by: SSD_SYNC_USER });
  const people = new Set(reading.episodes.map((e) => e.personId));
  const now = new Date().toISOString();
  return [...people].filter((p) => caseKindAt(reading.episodes, p, now) !== undefined).sort();
}

/** The allocated worker's team in force for a child (the latest allocation). */
const teamOf = (tables: SsdTables, personId: string): string | null =>
  tables.ssd_involvements
    .filter((i) => i.invo_person_id === personId && i.invo_involvement_end_date === null)
    .map((i) => i.invo_professional_team)
    .pop() ?? null;

beforeAll(async () => {
  h = await startSsdHarness({ name: 'ssd-sync', prefix });
  ({ mailbox, client, store, teams } = h);
  arrivals = h.open(openImportSummaryStore);
  await seedCouncilDirectories(h, council.tables, (d) => teamRows.includes(d) && d.dept_team_id !== unknownTeam);
  await writeSsdCsv(council.tables, csvDir());
  await h.startWorker(deps());
}, 120_000);

afterAll(() => h?.stop());

const caseIdOf = (personId: string) => `${prefix}${personId}`;

/** What the sync wrote on a case's timeline (events and notes), as text: messages the case sent itself are left out. */
const fromSync = async (personId: string): Promise<string[]> => (await caseTimeline(client, caseIdOf(personId))).filter((t) => t.by === SSD_SYNC_USER).map((t) => `${t.at} ${t.entry} ${t.event?.type ?? ''} ${t.summary}`);

describe('the sync from the SSD', () => {
  const open = openChildren(council.tables);
  const inKnownTeam = open.filter((p) => teamOf(council.tables, p) !== unknownTeam);
  const inUnknownTeam = open.filter((p) => teamOf(council.tables, p) === unknownTeam);

  it('opens a case for each child with an open episode in a known team, with what the source records, and reports the rest', async () => {
    expect(inKnownTeam.length).toBeGreaterThan(3);
    expect(inUnknownTeam.length).toBeGreaterThan(0);
    const result = await runSsdSync(deps());
    expect(result.counts.opened).toBe(inKnownTeam.length);
    // What was already overdue in the case system reaches the manager in one summary, not an email per case and level.
    expect(result.counts.summaries).toBeGreaterThan(0);
    const toTess = () => mailbox.messages.filter((m) => m.to.includes('tess@council.test'));
    await mailbox.waitFor(() => toTess().length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(toTess().map((m) => m.subject)).toEqual([expect.stringMatching(/^\[CaseClock\] Cases from the case system overdue on arrival: \d+ escalations? for Tess Manager$/)]);
    expect(toTess()[0]!.text).toContain("opened in CaseClock from the council's case system");
    const known = await store.knownCases();
    expect([...known.keys()].sort()).toEqual(inKnownTeam);
    const [run] = await store.recentRuns(1);
    expect(run).toMatchObject({ outcome: 'succeeded', sourceKind: 'csv' });
    for (const personId of inUnknownTeam) expect(run!.report).toContainEqual({ problem: 'team-not-in-caseclock', personId, detail: unknownTeam });
    // Each case holds its child's events from the source, recorded by the sync, at their own dates.
    const sample = inKnownTeam[0]!;
    const timeline = await caseTimeline(client, caseIdOf(sample));
    const fromSource = timeline.filter((t) => t.entry === 'event' && t.by === SSD_SYNC_USER);
    expect(fromSource.length).toBeGreaterThan(0);
    // The child's latest visit in which they were seen is on the case, as a visit, on its own date.
    const withVisits = inKnownTeam.filter((p) => council.tables.ssd_cin_visits.some((v) => v.cinv_person_id === p && v.cinv_cin_visit_seen === 'Y' && v.cinv_cin_visit_date !== null));
    expect(withVisits.length).toBeGreaterThan(0);
    for (const personId of withVisits.slice(0, 3)) {
      const latest = council.tables.ssd_cin_visits
        .filter((v) => v.cinv_person_id === personId && v.cinv_cin_visit_seen === 'Y' && v.cinv_cin_visit_date !== null)
        .map((v) => v.cinv_cin_visit_date!)
        .sort()
        .pop()!;
      const events = (await caseTimeline(client, caseIdOf(personId))).filter((t) => t.entry === 'event' && t.by === SSD_SYNC_USER);
      expect(events.some((t) => t.event?.type === 'contact' && t.event.contactType === 'visit' && t.at.startsWith(latest.slice(0, 10)))).toBe(true);
    }
  }, 240_000);

  it('records nothing twice when the same rows are read again', async () => {
    const before = await Promise.all(inKnownTeam.map(fromSync));
    const again = await runSsdSync(deps());
    expect(again.counts).toMatchObject({ opened: 0, recorded: 0, noted: 0, closed: 0 });
    const after = await Promise.all(inKnownTeam.map(fromSync));
    expect(after).toEqual(before);
  }, 120_000);

  it('records a new visit once, notes a corrected date and a removed row, and opens a case once its team is known', async () => {
    const child = inKnownTeam.find((p) => council.tables.ssd_cin_visits.filter((v) => v.cinv_person_id === p && v.cinv_cin_visit_date !== null).length >= 2)!;
    expect(child).toBeDefined();
    const visits = council.tables.ssd_cin_visits.filter((v) => v.cinv_person_id === child && v.cinv_cin_visit_date !== null);
    const [corrected, removed] = visits.slice(-2) as [(typeof visits)[number], (typeof visits)[number]];
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    const newVisit = { ...corrected, cinv_cin_visit_id: `NEWV${prefix}`, cinv_cin_visit_date: yesterday, cinv_cin_visit_seen: 'Y' as const, cinv_cin_visit_seen_alone: 'Y' as const };
    const movedTo = new Date(Date.parse(`${corrected.cinv_cin_visit_date!.slice(0, 10)}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const changed: SsdTables = {
      ...council.tables,
      ssd_cin_visits: [...council.tables.ssd_cin_visits.filter((v) => v !== removed).map((v) => (v === corrected ? { ...v, cinv_cin_visit_date: `${movedTo} 10:00:00` } : v)), newVisit],
    };
    await writeSsdCsv(changed, csvDir());
    // The team nobody knew is added: its children's cases open on this read.
    const d = teamRows.find((t) => t.dept_team_id === unknownTeam)!;
    await teams.upsert({ code: `T${prefix}${d.dept_team_id}`, name: `Team ${d.dept_team_id}`, serviceArea: 'Children', manager: 'tess', head: 'hal', sourceId: d.dept_team_id, changedBy: 'admin' });

    const before = await fromSync(child);
    const result = await runSsdSync(deps());
    expect(result.counts.opened).toBe(inUnknownTeam.length);
    const after = await fromSync(child);
    const added = after.filter((line) => !before.includes(line));
    expect(added.filter((line) => line.startsWith(yesterday.slice(0, 10)) && line.includes(' event contact '))).toHaveLength(1);
    expect(added.some((line) => line.includes(`ssd_cin_visits:${corrected.cinv_cin_visit_id}`) && line.includes(`moved from ${corrected.cinv_cin_visit_date!.slice(0, 10)} to ${movedTo}`))).toBe(true);
    expect(added.some((line) => line.includes(`Removed from the case system (ssd_cin_visits:${removed.cinv_cin_visit_id})`))).toBe(true);
    // The corrected visit's new date is on the case too: the clocks follow the source.
    expect(added.some((line) => line.startsWith(movedTo) && line.includes(' event contact '))).toBe(true);

    // And once only: the same extract again changes nothing.
    const again = await runSsdSync(deps());
    expect(again.counts).toMatchObject({ opened: 0, recorded: 0, noted: 0 });
    expect(await fromSync(child)).toEqual(after);
  }, 240_000);

  it("follows a child's reallocation in the case system: another worker, then another team", async () => {
    const child = inKnownTeam[1]!;
    const current = council.tables.ssd_involvements.filter((i) => i.invo_person_id === child && i.invo_involvement_end_date === null).pop()!;
    const sameTeamOther = council.tables.ssd_involvements.find((i) => i.invo_professional_team === current.invo_professional_team && i.invo_professional_id !== current.invo_professional_id)!;
    const otherTeam = teamRows.find((d) => d.dept_team_id !== current.invo_professional_team)!;
    const otherTeamWorker = council.tables.ssd_involvements.find((i) => i.invo_professional_team === otherTeam.dept_team_id)!.invo_professional_id!;
    const ended = { ...current, invo_involvement_end_date: new Date(Date.now() - 7_200_000).toISOString().slice(0, 19).replace('T', ' ') };
    const since = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const reallocated = (to: { id: string; team: string }, rest: SsdTables['ssd_involvements']): SsdTables => ({
      ...council.tables,
      ssd_involvements: [...rest, { ...current, invo_involvements_id: `RE${to.id}${prefix}`, invo_professional_id: to.id, invo_professional_team: to.team, invo_involvement_start_date: since }],
    });
    const others = council.tables.ssd_involvements.filter((i) => i !== current);
    await writeSsdCsv(reallocated({ id: sameTeamOther.invo_professional_id!, team: current.invo_professional_team! }, [...others, ended]), csvDir());
    expect((await runSsdSync(deps())).counts.reallocated).toBe(1);
    expect((await fromSync(child)).filter((line) => line.includes('allocated-worker reassigned'))).toHaveLength(1);

    await writeSsdCsv(reallocated({ id: otherTeamWorker, team: otherTeam.dept_team_id }, [...others, ended]), csvDir());
    expect((await runSsdSync(deps())).counts.reallocated).toBe(1);
    expect((await fromSync(child)).filter((line) => line.includes(`to team T${prefix}${otherTeam.dept_team_id}`))).toHaveLength(1);
    // Read again: nothing moves twice.
    expect((await runSsdSync(deps())).counts.reallocated).toBe(0);
  }, 120_000);

  it("opens a child's case with the rest of its history when one row does not fit (two missing episodes overlapping), and reports that row", async () => {
    const personId = '2999001';
    const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const blank = <T extends keyof SsdTables>(table: T): SsdTables[T][number] => Object.fromEntries(SSD_COLUMNS[table].map((c) => [c, null])) as SsdTables[T][number];
    const allocation = council.tables.ssd_involvements.find((i) => i.invo_professional_team !== unknownTeam && i.invo_involvement_end_date === null)!;
    const withChild: SsdTables = {
      ...council.tables,
      ssd_person: [...council.tables.ssd_person, { ...blank('ssd_person'), pers_person_id: personId }],
      ssd_cin_episodes: [...council.tables.ssd_cin_episodes, { ...blank('ssd_cin_episodes'), cine_referral_id: `REF${personId}`, cine_person_id: personId, cine_referral_date: ago(24 * 10) }],
      ssd_involvements: [...council.tables.ssd_involvements, { ...allocation, invo_involvements_id: `INV${personId}`, invo_person_id: personId, invo_involvement_start_date: ago(24 * 10) }],
      ssd_missing: [
        ...council.tables.ssd_missing,
        // Missing from 72 hours ago to 20 hours ago, and (the case system says) again from 60 to 40 hours ago: one return too many.
        { ...blank('ssd_missing'), miss_table_id: `MA${personId}`, miss_person_id: personId, miss_missing_episode_start_date: ago(72), miss_missing_episode_end_date: ago(20) },
        { ...blank('ssd_missing'), miss_table_id: `MB${personId}`, miss_person_id: personId, miss_missing_episode_start_date: ago(60), miss_missing_episode_end_date: ago(40) },
      ],
    };
    await writeSsdCsv(withChild, csvDir());
    const result = await runSsdSync(deps());
    expect(result.counts.opened).toBe(1);
    const [run] = await store.recentRuns(1);
    expect(run!.report.filter((i) => i.problem === 'event-refused' && i.personId === personId).length).toBeGreaterThan(0);
    expect((await fromSync(personId)).filter((line) => line.includes(' event referral-received '))).toHaveLength(1);
    expect((await runSsdSync(deps())).counts).toMatchObject({ opened: 0, recorded: 0 });
  }, 120_000);

  it('runs as a workflow, as the schedule starts it, and records the run', async () => {
    const handle = await client.workflow.start(SSD_SYNC_WORKFLOW, { workflowId: uniqueName('ssd-sync-run'), taskQueue: h.taskQueue, args: [] });
    const result = (await handle.result()) as { runId: number; counts: { opened: number } };
    expect(result.counts.opened).toBe(0);
    const [run] = await store.recentRuns(1);
    expect(run).toMatchObject({ id: result.runId, outcome: 'succeeded' });
  }, 120_000);
});
