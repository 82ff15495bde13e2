/**
 * Who may see and do what in the console: need to know, by role and team.
 *
 * - administrator: every case; changes anything, applies policies, sees the record of views.
 * - head of service: reads and acknowledges escalations across the teams of their service area
 *   (they receive the level-2 escalations); changes nothing else, administers nothing.
 * - manager: reads, changes and acknowledges their own team's cases.
 * - viewer: reads their own team's cases.
 *
 * A signed-in person is a `Person` whether they signed in with a password (the users file) or
 * through the council's identity provider (roles and team from its claims).
 */
import type { Role } from './auth';

export interface Person {
  id: string;
  name: string;
  role: Role;
  /** A manager's or viewer's team. */
  team?: string;
  /** A head of service's teams. */
  teams?: readonly string[];
  /** How they signed in. */
  via: 'password' | 'sso';
}

/**
 * What someone wants to do:
 * - `read`: see a case (its page, timeline, listing, dashboard and KPI rows);
 * - `steer`: change a case (record events, tier, meetings, waive, hold, reassign, close) or open one;
 * - `acknowledge`: acknowledge an escalation on a case;
 * - `administer`: apply a policy to a case, see who viewed which case.
 */
export type Permission = 'read' | 'steer' | 'acknowledge' | 'administer';

export interface Decision {
  allowed: boolean;
  /** Why not, in words for the 403 page. */
  reason?: string;
}

export const ROLE_LABEL: Record<Role, string> = {
  administrator: 'Administrator',
  'head-of-service': 'Head of service',
  manager: 'Team manager',
  viewer: 'Viewer (read only)',
};

/** The teams whose cases a person may read: every team, or a list (perhaps empty). */
export function readableTeams(person: Pick<Person, 'role' | 'team' | 'teams'>): 'all' | readonly string[] {
  switch (person.role) {
    case 'administrator':
      return 'all';
    case 'head-of-service':
      return person.teams ?? [];
    default:
      return person.team ? [person.team] : [];
  }
}

export function mayRead(person: Pick<Person, 'role' | 'team' | 'teams'>, team: string | undefined): boolean {
  const teams = readableTeams(person);
  return teams === 'all' || (team !== undefined && teams.includes(team));
}

/** `team` is the case's team (for opening a case, the team it is opened in). */
export function decide(person: Pick<Person, 'role' | 'team' | 'teams' | 'id'>, permission: Permission, team?: string): Decision {
  if (person.role === 'administrator') return { allowed: true };
  const teams = readableTeams(person);
  const where = teams === 'all' ? '' : teams.length === 0 ? 'no team' : teams.length === 1 ? `team ${teams[0]}` : `teams ${teams.join(', ')}`;
  const outside = `${person.id} works with ${where}${team ? `, and this case belongs to team ${team}` : ''}`;
  if (!mayRead(person, team)) return { allowed: false, reason: `${outside}: it is not shown to you` };
  switch (permission) {
    case 'read':
      return { allowed: true };
    case 'administer':
      return { allowed: false, reason: 'only an administrator may do this: nothing was changed' };
    case 'acknowledge':
      return person.role === 'viewer' ? { allowed: false, reason: `${person.id} has read-only access: nothing was changed` } : { allowed: true };
    case 'steer':
      if (person.role === 'manager') return { allowed: true };
      return {
        allowed: false,
        reason:
          person.role === 'head-of-service'
            ? `a head of service reads and acknowledges escalations; changes to a case are made by its team's manager: nothing was changed`
            : `${person.id} has read-only access: nothing was changed`,
      };
  }
}

/** Whether the person may open cases or report incidents at all (which menu items a page shows). */
export const mayOpenCases = (person: Pick<Person, 'role'>): boolean => person.role === 'administrator' || person.role === 'manager';

/** Whether the person may keep the team directory (add, change and remove teams): administrators only. */
export const mayManageTeams = (person: Pick<Person, 'role'>): boolean => person.role === 'administrator';

/** Whether the person may keep the staff directory (names and emails by staff id): administrators only, as the teams. */
export const mayManageStaff = (person: Pick<Person, 'role'>): boolean => person.role === 'administrator';
