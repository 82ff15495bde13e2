/**
 * The case system's teams the team directory does not list yet: each ssd_department row whose id is
 * no team's source id, with its name, the service area above it (its parent) and how many children
 * are allocated to it now, most first, so an administrator adds first the teams whose children
 * wait (the sync reports them as team-not-in-caseclock). Each comes with what the directory's form
 * is filled in with: a team code made from its name, its name, its parent's name as the service
 * area and its id as the source id. The manager and head of service are never guessed: the
 * administrator chooses them (docs/teams.md).
 */
import { allocationsInForce } from './case-of';
import type { DepartmentRow, InvolvementRow } from './rows';

/** A team code, as the directory's codes (SafeId): at most 64 characters. */
const CODE_LENGTH = 64;
/** The part made from a name, leaving room for `-<dept_team_id>` when that code is taken. */
const NAME_PART_LENGTH = 48;

/** A team code from a team's name: "Child Protection Team 2" is CHILD-PROTECTION-TEAM-2 ('' for a name of no letters or digits). */
export function teamCodeOfName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .slice(0, NAME_PART_LENGTH)
    .replace(/^-+|-+$/g, '');
}

/**
 * The code suggested for the case system's team `teamId` named `name`: from its name (TEAM-<id>
 * without one), and where that is a code already `taken` (upper case), with its id after it, so
 * adding it never changes a team already listed.
 */
export function suggestedTeamCode(name: string | null, teamId: string, taken: ReadonlySet<string>): string {
  const base = teamCodeOfName(name ?? '') || `TEAM-${teamId}`;
  const free = (code: string): boolean => !taken.has(code.toUpperCase());
  if (free(base)) return base;
  const withId = `${base.slice(0, CODE_LENGTH - teamId.length - 1)}-${teamId}`;
  if (free(withId)) return withId;
  for (let n = 2; ; n += 1) {
    const numbered = `${withId.slice(0, CODE_LENGTH - String(n).length - 1)}-${n}`;
    if (free(numbered)) return numbered;
  }
}

export interface UnmappedTeam {
  /** ssd_department.dept_team_id. */
  teamId: string;
  name: string | null;
  /** The department above it (its service area), where the case system names one. */
  parentId: string | null;
  /** The parent's own name, from its row; null where it has none or is not in ssd_department. */
  parentName: string | null;
  /** Children with an allocation in force to it now (distinct person ids). */
  children: number;
  /** The directory's add-team form, filled in as far as the case system can say. */
  suggestion: { code: string; name: string; serviceArea: string; sourceId: string };
}

export interface UnmappedTeamsInput {
  departments: readonly DepartmentRow[];
  involvements: readonly InvolvementRow[];
  /** The directory's teams: their codes and source ids. */
  teams: readonly { code: string; sourceId?: string | undefined }[];
  /** The roles that mean the allocated worker (CASECLOCK_SSD_WORKER_ROLES), as the sync reads allocations. */
  allocatedWorkerRoles: readonly string[];
  /** When "now" is (an instant). */
  at: string;
}

/** By name, a department without one last. */
const byName = (a: string | null, b: string | null): number => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : a.localeCompare(b, 'en-GB'));

export function unmappedTeams(input: UnmappedTeamsInput): UnmappedTeam[] {
  const mapped = new Set(input.teams.flatMap((t) => (t.sourceId === undefined ? [] : [t.sourceId])));
  const nameOf = new Map(input.departments.map((d) => [d.dept_team_id, d.dept_team_name]));
  const childrenOf = new Map<string, Set<string>>();
  for (const i of allocationsInForce(input.involvements, input.allocatedWorkerRoles, input.at)) {
    if (i.invo_professional_team === null) continue;
    const children = childrenOf.get(i.invo_professional_team) ?? new Set<string>();
    children.add(i.invo_person_id);
    childrenOf.set(i.invo_professional_team, children);
  }
  // Once each: a department listed twice in an extract is one team.
  const unmapped = new Map<string, DepartmentRow>();
  for (const d of input.departments) if (!mapped.has(d.dept_team_id) && !unmapped.has(d.dept_team_id)) unmapped.set(d.dept_team_id, d);
  const rows = [...unmapped.values()]
    .map((d) => ({
      teamId: d.dept_team_id,
      name: d.dept_team_name,
      parentId: d.dept_team_parent_id,
      parentName: d.dept_team_parent_id === null ? null : (nameOf.get(d.dept_team_parent_id) ?? null),
      children: childrenOf.get(d.dept_team_id)?.size ?? 0,
    }))
    .sort((a, b) => b.children - a.children || byName(a.name, b.name) || (a.teamId < b.teamId ? -1 : a.teamId > b.teamId ? 1 : 0));
  // In that order, so the team with most children waiting gets the plainest code.
  const taken = new Set(input.teams.map((t) => t.code.toUpperCase()));
  return rows.map((row) => {
    const code = suggestedTeamCode(row.name, row.teamId, taken);
    taken.add(code.toUpperCase());
    return { ...row, suggestion: { code, name: row.name ?? '', serviceArea: row.parentName ?? '', sourceId: row.teamId } };
  });
}
