/**
 * Nobody escalated for what the case system already knows: cases opened by the SSD sync look at the
 * source before each escalation. On the run's real dev server with a real SMTP server, three
 * looked-after children whose placements start now, under a first-visit deadline counted in seconds:
 * - a visit written to the SSD's table before the deadline, with no sync run and nobody touching
 *   CaseClock, is found at the deadline, recorded on the case, and no escalation goes;
 * - a child with no visit anywhere is escalated, and the email says the case system was checked;
 * - with the source unreadable at the deadline, the escalation goes all the same and says the case
 *   system could not be checked.
 */
import { renameSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsdSync, SSD_SYNC_USER } from '../../activities/ssd-sync';
import { caseTimeline } from '../../common/cases';
import { SSD_TABLE_NAMES, type SsdTables } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import type { Mailbox } from '../support/mailbox';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { startSsdHarness, type SsdHarness } from '../support/ssd-harness';
import { uniqueName } from '../support/temporal-env';

/** The first visit falls due this long after the placement starts. */
const DEADLINE_S = 25;

let h: SsdHarness;
let mailbox: Mailbox;
let client: Client;
const run = uniqueName('').slice(-6);
const prefix = `c${run}-`;
const manager = `tess.${run}@council.test`;
const csvDir = () => h.csvDir;

/** An SSD timestamp (UK wall-clock; UTC in winter, as CI runs) `seconds` from now. */
const ssdTime = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

type Row = Record<string, string | null>;
const tables: Record<string, Row[]> = Object.fromEntries(SSD_TABLE_NAMES.map((t) => [t, []]));

/** A looked-after child allocated to the test's worker, whose placement starts now. */
function child(personId: string): void {
  const monthAgo = ssdTime(-30 * 86_400);
  tables.ssd_person!.push({ pers_person_id: personId, pers_legacy_id: null });
  tables.ssd_involvements!.push({
    invo_involvements_id: `I${personId}`,
    invo_professional_id: 'P1',
    invo_professional_role_id: 'Allocated Case Worker',
    invo_professional_team: 'D1',
    invo_involvement_start_date: monthAgo,
    invo_involvement_end_date: null,
    invo_person_id: personId,
  });
  tables.ssd_cla_episodes!.push({
    clae_cla_episode_id: `E${personId}`,
    clae_person_id: personId,
    clae_cla_id: `CLA${personId}`,
    clae_cla_episode_start_date: ssdTime(-2),
    clae_cla_episode_start_reason: 'S',
    clae_cla_episode_ceased_date: null,
    clae_cla_episode_ceased_reason: null,
    clae_entered_care_date: ssdTime(-2),
  });
  tables.ssd_cla_placement!.push({
    clap_cla_placement_id: `PL${personId}`,
    clap_cla_id: `CLA${personId}`,
    clap_person_id: personId,
    clap_cla_placement_start_date: ssdTime(-1),
    clap_cla_placement_type: 'U1',
    clap_cla_placement_end_date: null,
  });
}

const writeExtract = () => writeSsdCsv(tables as unknown as SsdTables, csvDir());

const deps = () => h.deps({ policy: secondsPolicy({ 'cic-visit-first': `PT${DEADLINE_S}S` }, LEVEL_1_ONLY) });

beforeAll(async () => {
  h = await startSsdHarness({ name: 'ssd-check', prefix });
  ({ mailbox, client } = h);
  const { staff, teams } = h;
  await staff.set({ staffId: 'S1', name: 'Sam Worker', email: `sam.${run}@council.test`, changedBy: 'admin' });
  await staff.set({ staffId: 'tess', name: 'Tess Manager', email: manager, userId: 'tess', changedBy: 'admin' });
  await staff.set({ staffId: 'hal', name: 'Hal Head', email: `hal.${run}@council.test`, userId: 'hal', changedBy: 'admin' });
  await teams.upsert({ code: `CIC-${run}`, name: 'Children in Care', serviceArea: 'Children in Care', manager: 'tess', head: 'hal', sourceId: 'D1', changedBy: 'admin' });
  tables.ssd_department!.push({ dept_team_id: 'D1', dept_team_name: 'Children in Care', dept_team_parent_id: null, dept_team_parent_name: null });
  tables.ssd_professionals!.push({ prof_professional_id: 'P1', prof_staff_id: 'S1' });
  await h.startWorker(deps());
}, 120_000);

afterAll(() => h?.stop());

const escalationsFor = (personId: string) => mailbox.messages.filter((m) => m.caseReference === personId && m.to.includes(manager) && m.subject.includes('OVERDUE'));

describe('the look at the case system before an escalation', () => {
  it('finds a visit the sync has not read yet and escalates nobody; escalates a child not visited, saying the case system was checked', async () => {
    const [visited, notVisited] = [`3${run.replace(/\D/g, '1').slice(0, 5)}1`, `3${run.replace(/\D/g, '1').slice(0, 5)}2`];
    child(visited);
    child(notVisited);
    await writeExtract();
    const first = await runSsdSync(deps());
    expect(first.counts.opened).toBe(2);
    // The visit is recorded in the case system after the sync has read it, before the deadline: nobody runs the sync.
    tables.ssd_cla_visits!.push({ clav_cla_visit_id: `V${visited}`, clav_cla_id: `CLA${visited}`, clav_person_id: visited, clav_cla_visit_date: ssdTime(0), clav_cla_visit_seen: 'Y', clav_cla_visit_seen_alone: 'Y' });
    await writeExtract();

    await mailbox.waitFor(() => escalationsFor(notVisited).length > 0, (DEADLINE_S + 40) * 1000);
    const [escalation] = escalationsFor(notVisited);
    expect(escalation!.text).toContain("The council's case system was checked at");
    expect(escalation!.text).toContain('does not record it either');
    // Give the visited child's deadline time to pass too: its check found the visit and nothing went.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(escalationsFor(visited)).toEqual([]);
    const timeline = await caseTimeline(client, `${prefix}${visited}`);
    expect(timeline.some((t) => t.entry === 'event' && t.by === SSD_SYNC_USER && t.event?.type === 'contact' && t.event.contactType === 'visit')).toBe(true);
    // The sync reads it next and records nothing twice.
    const again = await runSsdSync(deps());
    expect(again.counts).toMatchObject({ opened: 0, recorded: 0 });

    // The escalated child's visit turns up in the case system, dated before the deadline: the
    // manager it was escalated to is told once that it was met after all.
    const placed = tables.ssd_cla_placement!.find((p) => p.clap_person_id === notVisited)!.clap_cla_placement_start_date!;
    const visitedAt = new Date(Date.parse(`${placed.replace(' ', 'T')}Z`) + 5_000).toISOString().slice(0, 19).replace('T', ' ');
    tables.ssd_cla_visits!.push({
      clav_cla_visit_id: `V${notVisited}`,
      clav_cla_id: `CLA${notVisited}`,
      clav_person_id: notVisited,
      clav_cla_visit_date: visitedAt,
      clav_cla_visit_seen: 'Y',
      clav_cla_visit_seen_alone: 'N',
    });
    await writeExtract();
    expect((await runSsdSync(deps())).counts.recorded).toBe(1);
    const metAfterAll = () => mailbox.messages.filter((m) => m.caseReference === notVisited && m.to.includes(manager) && m.subject.startsWith('[CaseClock] Met after all'));
    await mailbox.waitFor(() => metAfterAll().length > 0, 30_000);
    expect(metAfterAll()[0]!.text).toContain('was met on time after all');
    await runSsdSync(deps());
    await new Promise((r) => setTimeout(r, 3_000));
    expect(metAfterAll()).toHaveLength(1);
    expect(escalationsFor(notVisited)).toHaveLength(1);
  }, 150_000);

  it('escalates all the same when the case system cannot be read, and says so', async () => {
    const unread = `4${run.replace(/\D/g, '1').slice(0, 5)}1`;
    child(unread);
    await writeExtract();
    const opened = await runSsdSync(deps());
    expect(opened.counts.opened).toBe(1);
    renameSync(csvDir(), `${csvDir()}-away`);
    try {
      await mailbox.waitFor(() => escalationsFor(unread).length > 0, (DEADLINE_S + 40) * 1000);
      const [escalation] = escalationsFor(unread);
      expect(escalation!.text).toContain("The council's case system could not be checked");
      expect(escalation!.text).toContain('CaseClock last read it');
    } finally {
      renameSync(`${csvDir()}-away`, csvDir());
    }
  }, 120_000);
});
