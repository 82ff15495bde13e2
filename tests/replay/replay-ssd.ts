/**
 * The recorder's own small case system: CSV extracts in a temporary folder, the SSD sync's store,
 * team directory and staff directory in the recorder's embedded store, and the sync's real
 * activities (activities/ssd-sync.ts) for its worker. Every row is made up: person ids RP*, staff
 * "Fictitious ...", addresses at example.test.
 *
 * The activities read the time from the activity's own schedule, the test server's skipped clock,
 * so a visit dated "now" in the extract is not in the future to them.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { createSsdSyncActivities, type SsdSyncDependencies } from '../../activities/ssd-sync';
import type { PolicySnapshot } from '../../domain/policy';
import { LEGAL_ZONE } from '../../domain/time-zone';
import { openSsdSyncStore, type SsdSyncStore } from '../../store/ssd-sync-store';
import { openStaffDirectory, type StaffDirectory } from '../../store/staff-directory';
import { openTeamDirectory, type TeamDirectory } from '../../store/team-directory';
import { SSD_TABLE_NAMES, type SsdTables } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';

/** The case system's department and the CaseClock team that has it as its source. */
export const SSD_DEPARTMENT = 'RD1';
export const SSD_TEAM = 'TEAM-REPLAY-SSD';
/** Cases the sync opens are named by this prefix and the child's person id. */
export const SSD_CASE_PREFIX = 'REPLAY-SSD-';

type Row = Record<string, string | null>;

/** An SSD timestamp (UK wall-clock time, no offset) for an instant. */
export const ssdTime = (ms: number): string => DateTime.fromMillis(ms, { zone: LEGAL_ZONE }).toFormat('yyyy-MM-dd HH:mm:ss');

/** The test server's time where an activity runs (when it was scheduled); the machine's elsewhere. */
function serverTime(): Date {
  try {
    return new Date(Context.current().info.currentAttemptScheduledTimestampMs);
  } catch {
    return new Date();
  }
}

export class ReplaySsd {
  readonly tables: Record<string, Row[]> = Object.fromEntries(SSD_TABLE_NAMES.map((t) => [t, []]));

  private constructor(
    private readonly dir: string,
    readonly store: SsdSyncStore,
    private readonly teams: TeamDirectory,
    private readonly staff: StaffDirectory,
  ) {
    this.tables.ssd_department!.push({ dept_team_id: SSD_DEPARTMENT, dept_team_name: 'Fictitious Replay Team', dept_team_parent_id: null, dept_team_parent_name: null });
    this.tables.ssd_professionals!.push({ prof_professional_id: 'RPROF1', prof_staff_id: 'RSTAFF1' });
  }

  /** Opens the sync's tables in the (already migrated) store at `url` and fills the directories. */
  static async open(url: string): Promise<ReplaySsd> {
    const ssd = new ReplaySsd(mkdtempSync(path.join(os.tmpdir(), 'caseclock-replay-ssd-')), openSsdSyncStore(url), openTeamDirectory(url), openStaffDirectory(url));
    await ssd.staff.set({ staffId: 'RSTAFF1', name: 'Fictitious Allocated Worker', email: 'allocated.worker@example.test', changedBy: 'admin-test' });
    await ssd.staff.set({ staffId: 'tm-test', name: 'Fictitious Team Manager', email: 'team.manager@example.test', userId: 'tm-test', changedBy: 'admin-test' });
    await ssd.staff.set({ staffId: 'hos-test', name: 'Fictitious Head Of Service', email: 'head.of.service@example.test', userId: 'hos-test', changedBy: 'admin-test' });
    await ssd.teams.upsert({ code: SSD_TEAM, name: 'Fictitious Replay Team', serviceArea: 'Children', manager: 'tm-test', head: 'hos-test', sourceId: SSD_DEPARTMENT, changedBy: 'admin-test' });
    await ssd.write();
    return ssd;
  }

  get csvDir(): string {
    return path.join(this.dir, 'ssd');
  }

  /** The sync's activities (the check before an escalation and the sync's run) for the recorder's worker. */
  activities(client: Client, policy: PolicySnapshot, taskQueue: string) {
    const deps: SsdSyncDependencies = {
      client,
      store: this.store,
      teams: this.teams,
      staff: this.staff,
      settings: { source: { kind: 'csv', dir: this.csvDir }, cases: { caseIdPrefix: SSD_CASE_PREFIX, reference: 'person-id', allocatedWorkerRoles: ['Allocated Case Worker'] } },
      policy,
      taskQueue,
      concurrency: 1,
      now: serverTime,
    };
    return createSsdSyncActivities(deps);
  }

  /** Writes the extracts as the tables hold them now. */
  write(): Promise<void> {
    return writeSsdCsv(this.tables as unknown as SsdTables, this.csvDir);
  }

  /** A visit in which the child was seen, as the case system records it. */
  addVisit(personId: string, visitId: string, at: number): void {
    this.tables.ssd_cin_visits!.push({ cinv_cin_visit_id: visitId, cinv_person_id: personId, cinv_cin_visit_date: ssdTime(at), cinv_cin_visit_seen: 'Y', cinv_cin_visit_seen_alone: 'Y' });
  }

  /** A child in need referred at `at`, allocated to the fictitious worker in the replay team. */
  addChildInNeed(personId: string, at: number): void {
    this.tables.ssd_person!.push({ pers_person_id: personId, pers_legacy_id: null });
    this.tables.ssd_involvements!.push({
      invo_involvements_id: `I${personId}`,
      invo_professional_id: 'RPROF1',
      invo_professional_role_id: 'Allocated Case Worker',
      invo_professional_team: SSD_DEPARTMENT,
      invo_involvement_start_date: ssdTime(at),
      invo_involvement_end_date: null,
      invo_person_id: personId,
    });
    this.tables.ssd_cin_episodes!.push({
      cine_referral_id: `R${personId}`,
      cine_person_id: personId,
      cine_referral_date: ssdTime(at),
      cine_close_reason: null,
      cine_close_date: null,
      cine_referral_team: SSD_DEPARTMENT,
      cine_referral_worker_id: 'RPROF1',
    });
  }

  /** The extracts out of reach (the source cannot be read) until `restore`. */
  hide(): void {
    renameSync(this.csvDir, `${this.csvDir}-away`);
  }

  restore(): void {
    renameSync(`${this.csvDir}-away`, this.csvDir);
  }

  async close(): Promise<void> {
    await Promise.all([this.store.close(), this.teams.close(), this.staff.close()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
