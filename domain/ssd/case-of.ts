/**
 * A child's case as the SSD describes it: the case id (from the person id, under a configured prefix),
 * the reference staff see (the person id or the case system's legacy id), and the team and allocated
 * worker from the involvements, professionals and department rows. What the rows cannot settle (no
 * allocation, two at once, a team CaseClock does not know, a worker with no staff id) is a typed
 * failure: CaseClock never invents a team or a worker, since both decide who is told of a deadline.
 */
import { z } from 'zod';
import { SafeId } from '../facts';
import { instantOfSsdDate } from './dates';
import type { DepartmentRow, InvolvementRow, PersonRow, ProfessionalRow } from './rows';

export const SsdCaseConfig = z.object({
  /** Put before the person id to make the case id (e.g. `ssd-`), so SSD cases never meet typed-in ones. */
  caseIdPrefix: z
    .string()
    .max(16)
    .regex(/^[A-Za-z0-9._-]*$/, 'may contain only letters, digits, dot, dash and underscore'),
  /** Which id staff know the child by: the SSD's person id, or the case system's legacy id. */
  reference: z.enum(['person-id', 'legacy-id']),
  /** The involvement roles (invo_professional_role_id, e.g. Allocated Case Worker) that mean the allocated worker; matched without regard to case. */
  allocatedWorkerRoles: z.array(z.string().trim().min(1).max(64)).min(1),
  /** SSD team ids (dept_team_id) to CaseClock's team codes: the known list, never free text. */
  teams: z.record(z.string().min(1).max(48), SafeId),
});
export type SsdCaseConfig = z.infer<typeof SsdCaseConfig>;

export interface SsdCase {
  caseId: string;
  personId: string;
  reference: string;
  /** CaseClock's team code. */
  team: string;
  ssdTeamId: string;
  /** The allocated worker by the council's staff identifier (prof_staff_id); the sync finds their contact. */
  worker: { professionalId: string; staffId: string };
  involvementId: string;
}

export type SsdCaseFailure =
  | { failure: 'invalid-case-id'; personId: string; caseId: string }
  | { failure: 'no-legacy-id'; personId: string }
  | { failure: 'no-allocation'; personId: string }
  | { failure: 'several-allocations'; personId: string; involvementIds: string[] }
  | { failure: 'no-team'; personId: string; involvementId: string }
  /** The team is not in ssd_department. */
  | { failure: 'unknown-team'; personId: string; teamId: string }
  /** The team is in the SSD but not in CaseClock's list of teams. */
  | { failure: 'team-not-in-caseclock'; personId: string; teamId: string }
  | { failure: 'no-worker'; personId: string; involvementId: string }
  /** The worker is not in ssd_professionals, or has no staff identifier there. */
  | { failure: 'unknown-worker'; personId: string; professionalId: string };

export interface SsdCaseRows {
  person?: PersonRow;
  involvements: readonly InvolvementRow[];
  professionals: readonly ProfessionalRow[];
  departments: readonly DepartmentRow[];
}

export type SsdCaseResult = { ok: true; case: SsdCase } | { ok: false; failures: SsdCaseFailure[] };

/** The case id of a person: the configured prefix and the person id, when that is a valid id. */
export function caseIdOf(personId: string, config: Pick<SsdCaseConfig, 'caseIdPrefix'>): { caseId: string } | SsdCaseFailure {
  const caseId = `${config.caseIdPrefix}${personId}`;
  return SafeId.safeParse(caseId).success ? { caseId } : { failure: 'invalid-case-id', personId, caseId };
}

/** Whether an involvement is in force at `at` (an instant): started by then and not ended. */
function inForce(row: InvolvementRow, at: string): boolean {
  const read = (v: string | null) => {
    if (v === null) return undefined;
    const r = instantOfSsdDate(v);
    return 'instant' in r ? r.instant : undefined;
  };
  const start = read(row.invo_involvement_start_date);
  // An end date given but unreadable is taken as ended: a finished allocation must not pass for current.
  if (row.invo_involvement_end_date !== null && read(row.invo_involvement_end_date) === undefined) return false;
  const end = read(row.invo_involvement_end_date);
  return start !== undefined && start <= at && (end === undefined || end > at);
}

/**
 * The allocations in force at `at` (an instant): involvements in one of the allocated worker's roles,
 * started by then and not ended. What the sync takes a child's team and worker from, and what the
 * team directory counts a team's children by (./unmapped-teams.ts).
 */
export function allocationsInForce(involvements: readonly InvolvementRow[], allocatedWorkerRoles: readonly string[], at: string): InvolvementRow[] {
  const roles = new Set(allocatedWorkerRoles.map((r) => r.replace(/\s+/g, ' ').toUpperCase()));
  return involvements.filter((i) => i.invo_professional_role_id !== null && roles.has(i.invo_professional_role_id) && inForce(i, at));
}

/** The child's case at `at` (an instant): every failure found, not only the first, so one report says it all. */
export function caseOf(personId: string, rows: SsdCaseRows, config: SsdCaseConfig, at: string): SsdCaseResult {
  const failures: SsdCaseFailure[] = [];
  const id = caseIdOf(personId, config);
  if ('failure' in id) failures.push(id);

  let reference: string | undefined = personId;
  if (config.reference === 'legacy-id') {
    // Only this child's own row may give the reference.
    reference = rows.person?.pers_person_id === personId ? (rows.person.pers_legacy_id ?? undefined) : undefined;
    if (reference === undefined) failures.push({ failure: 'no-legacy-id', personId });
  }

  const allocations = allocationsInForce(
    rows.involvements.filter((i) => i.invo_person_id === personId),
    config.allocatedWorkerRoles,
    at,
  );
  const [allocation, ...others] = allocations;
  if (allocation === undefined) failures.push({ failure: 'no-allocation', personId });
  else if (others.length > 0) failures.push({ failure: 'several-allocations', personId, involvementIds: allocations.map((i) => i.invo_involvements_id).sort() });
  if (allocation === undefined || others.length > 0) return { ok: false, failures };

  const involvementId = allocation.invo_involvements_id;
  const ssdTeamId = allocation.invo_professional_team;
  let team: string | undefined;
  if (ssdTeamId === null) failures.push({ failure: 'no-team', personId, involvementId });
  else if (!rows.departments.some((d) => d.dept_team_id === ssdTeamId)) failures.push({ failure: 'unknown-team', personId, teamId: ssdTeamId });
  else if (!Object.prototype.hasOwnProperty.call(config.teams, ssdTeamId)) failures.push({ failure: 'team-not-in-caseclock', personId, teamId: ssdTeamId });
  else team = config.teams[ssdTeamId];

  const professionalId = allocation.invo_professional_id;
  let staffId: string | undefined;
  if (professionalId === null) failures.push({ failure: 'no-worker', personId, involvementId });
  else {
    staffId = rows.professionals.find((p) => p.prof_professional_id === professionalId)?.prof_staff_id ?? undefined;
    if (staffId === undefined) failures.push({ failure: 'unknown-worker', personId, professionalId });
  }

  if (failures.length > 0 || !('caseId' in id) || reference === undefined || team === undefined || ssdTeamId === null || professionalId === null || staffId === undefined) {
    return { ok: false, failures };
  }
  return { ok: true, case: { caseId: id.caseId, personId, reference, team, ssdTeamId, worker: { professionalId, staffId }, involvementId } };
}
