/**
 * The case system's teams the team directory does not list yet, as the console's Teams page and
 * `caseclock teams unmapped` read them: ssd_department and ssd_involvements read from the source
 * when asked (as the reconciliation reads its planned dates, client/reconciliation.ts), the
 * directory's teams read now, compared by domain/ssd/unmapped-teams.ts. Nothing is written: an
 * administrator adds a team with the directory's own form or `caseclock teams set` (docs/teams.md).
 */
import { ssdSettingsOf } from '../activities/ssd-sync';
import type { Config } from '../common/config';
import { unmappedTeams, type UnmappedTeam } from '../domain/ssd/unmapped-teams';
import { openSsdSource, type SsdSource } from '../store/ssd-source';
import type { TeamDirectory } from '../store/team-directory';
import { readTable } from './reconciliation';

/** Where the case system's teams are read from, while the SSD sync is configured. */
export interface TeamFeed {
  /** Opens the council's source; each reading opens and closes it. */
  openSource: () => SsdSource;
  /** CASECLOCK_SSD_WORKER_ROLES: the involvements that allocate a child, as the sync reads them. */
  allocatedWorkerRoles: readonly string[];
}

export interface UnmappedTeams {
  teams: UnmappedTeam[];
  /** How many departments the case system lists. */
  departments: number;
  /** When it was read. */
  readAt: string;
}

/** The feed from the validated environment; undefined when no SSD source is configured. */
export function teamFeedOf(config: Pick<Config, 'CASECLOCK_SSD_SOURCE' | 'CASECLOCK_SSD_CASE_PREFIX' | 'CASECLOCK_SSD_REFERENCE' | 'CASECLOCK_SSD_WORKER_ROLES'>): TeamFeed | undefined {
  const settings = ssdSettingsOf(config);
  if (!settings) return undefined;
  return { openSource: () => openSsdSource(settings.source), allocatedWorkerRoles: settings.cases.allocatedWorkerRoles };
}

/**
 * Reads the two tables (a source error rejects as SsdSourceError) and the directory (its own
 * errors), and lists the departments no team has as its source id.
 */
export async function readUnmappedTeams(feed: TeamFeed, directory: Pick<TeamDirectory, 'list'>, now: Date = new Date()): Promise<UnmappedTeams> {
  const source = feed.openSource();
  let departments, involvements;
  try {
    departments = await readTable(source, 'ssd_department');
    involvements = await readTable(source, 'ssd_involvements');
  } finally {
    await source.close();
  }
  const teams = await directory.list();
  return {
    teams: unmappedTeams({ departments, involvements, teams, allocatedWorkerRoles: feed.allocatedWorkerRoles, at: now.toISOString() }),
    departments: new Set(departments.map((d) => d.dept_team_id)).size,
    readAt: now.toISOString(),
  };
}
