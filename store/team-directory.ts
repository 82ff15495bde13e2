/**
 * The team directory, in the case-record store's database: the council's teams as CaseClock knows
 * them, keyed by the team code cases carry (LOCALITY-NORTH), each with its display name, service
 * area, team manager and head of service (console user ids) and, once the directory is fed from
 * the council's case system, its `ssd_department.dept_team_id`. Administrators keep it; once it
 * lists any team, a case or incident is refused a team not in it (docs/teams.md).
 */
import { z } from 'zod';
import { SafeId, UserId } from '../domain/facts';
import { pooledTransactions } from './case-record-store';
import { DirectoryInvalid, parseOrRefuse } from './directory';

/** A team code, as cases carry it. */
export const TeamCode = SafeId;

const Text = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

export const TeamInput = z.strictObject({
  code: TeamCode,
  /** How the team is shown, e.g. "Locality North". */
  name: Text,
  serviceArea: Text,
  /** The team manager's console user id. */
  manager: UserId,
  /** The head of service's console user id. */
  head: UserId,
  /** `ssd_department.dept_team_id` in the council's case system. */
  sourceId: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional(),
  /** Who is making the change (a console user id). */
  changedBy: UserId,
});
export type TeamInput = z.input<typeof TeamInput>;

export interface Team {
  code: string;
  name: string;
  serviceArea: string;
  manager: string;
  head: string;
  sourceId?: string;
  changedBy: string;
  changedAt: string;
}

/** A refusal of bad input to the team directory, naming the field; nothing was written. */
export class TeamDirectoryInvalid extends DirectoryInvalid {}

const parse = <T>(schema: z.ZodType<T>, input: unknown): T => parseOrRefuse(schema, input, 'team', TeamDirectoryInvalid);

export interface TeamDirectory {
  /** Every team, by code. */
  list(): Promise<Team[]>;
  get(code: string): Promise<Team | undefined>;
  /** Adds a team or replaces what is recorded for it; returns it as stored. */
  upsert(input: TeamInput): Promise<Team>;
  /** Takes a team out of the directory; false when it was not there. Cases keep their team code. */
  remove(code: string): Promise<boolean>;
  close(): Promise<void>;
}

const Row = z.object({
  code: z.string(),
  name: z.string(),
  service_area: z.string(),
  manager: z.string(),
  head: z.string(),
  source_id: z.string().nullable(),
  changed_by: z.string(),
  changed_at: z.date(),
});

function fromRow(raw: unknown): Team {
  const r = Row.parse(raw);
  return {
    code: r.code,
    name: r.name,
    serviceArea: r.service_area,
    manager: r.manager,
    head: r.head,
    ...(r.source_id !== null ? { sourceId: r.source_id } : {}),
    changedBy: r.changed_by,
    changedAt: r.changed_at.toISOString(),
  };
}

const COLUMNS = 'code, name, service_area, manager, head, source_id, changed_by, changed_at';

export function openTeamDirectory(url: string): TeamDirectory {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 2, applicationName: 'caseclock-teams', missingTable: 'team_directory' });
  return {
    async list() {
      const result = await inTransaction(true, (c) => c.query(`SELECT ${COLUMNS} FROM team_directory ORDER BY code COLLATE "C"`));
      return result.rows.map(fromRow);
    },
    async get(code) {
      const key = parse(TeamCode, code);
      const result = await inTransaction(true, (c) => c.query(`SELECT ${COLUMNS} FROM team_directory WHERE code = $1`, [key]));
      return result.rows[0] === undefined ? undefined : fromRow(result.rows[0]);
    },
    async upsert(input) {
      const t = parse(TeamInput, input);
      try {
        const result = await inTransaction(false, (c) =>
          c.query(
            `INSERT INTO team_directory (code, name, service_area, manager, head, source_id, changed_by, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, now())
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, service_area = EXCLUDED.service_area, manager = EXCLUDED.manager,
               head = EXCLUDED.head, source_id = EXCLUDED.source_id, changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at
             RETURNING ${COLUMNS}`,
            [t.code, t.name, t.serviceArea, t.manager, t.head, t.sourceId ?? null, t.changedBy],
          ),
        );
        return fromRow(result.rows[0]);
      } catch (error) {
        // One case-system team is one CaseClock team: a source id already given to another team is refused.
        if ((error as { code?: string }).code === '23505') throw new TeamDirectoryInvalid('sourceId', `${t.sourceId ?? ''} is already the source id of another team`);
        throw error;
      }
    },
    async remove(code) {
      const key = parse(TeamCode, code);
      const result = await inTransaction(false, (c) => c.query('DELETE FROM team_directory WHERE code = $1', [key]));
      return (result.rowCount ?? 0) > 0;
    },
    close,
  };
}
