/**
 * The staff directory, in the case-record store's database: the council's staff as CaseClock knows
 * them, keyed by the case system's staff id (`ssd_professionals.prof_staff_id`, the only way the
 * Standard Safeguarding Dataset names a child's allocated worker), each with the name and work
 * email reminders and escalations go to and, optionally, the console user id they sign in as.
 * CaseClock never reads names from the SSD: the sync finds a worker's contact here by staff id.
 * Administrators keep it (docs/staff.md).
 */
import { z } from 'zod';
import { SafeId, UserId } from '../domain/facts';
import { StaffContact } from '../workflows/inputs';
import { pooledTransactions } from './case-record-store';
import { DirectoryInvalid, parseOrRefuse } from './directory';

/** A staff id as the case system has it; surrounding spaces (common in CSV extracts) are dropped. */
export const StaffId = z.string().trim().pipe(SafeId);

export const StaffInput = z.strictObject({
  staffId: StaffId,
  /** How they are named in emails, e.g. "Sam Worker". The same rule as a case's contacts. */
  name: StaffContact.shape.name,
  /** Their work email: the same rule as a case's contacts, as it becomes one. */
  email: StaffContact.shape.email,
  /** The console user id they sign in as, when they do. */
  userId: UserId.optional(),
  /** Who is making the change (a console user id). */
  changedBy: UserId,
});
export type StaffInput = z.input<typeof StaffInput>;

export interface StaffMember {
  staffId: string;
  name: string;
  email: string;
  userId?: string;
  changedBy: string;
  changedAt: string;
}

/** A refusal of bad input to the staff directory, naming the field; nothing was written. */
export class StaffDirectoryInvalid extends DirectoryInvalid {}

const parse = <T>(schema: z.ZodType<T>, input: unknown, field = 'staff'): T => parseOrRefuse(schema, input, field, StaffDirectoryInvalid);

/** The contact a case carries for this member of staff: their name and email, nothing else. */
export function contactOf<M extends Pick<StaffMember, 'name' | 'email'>>(member: M): StaffContact {
  return { name: member.name, email: member.email };
}

export interface StaffDirectory {
  /** Every member of staff, by staff id. */
  list(): Promise<StaffMember[]>;
  find(staffId: string): Promise<StaffMember | undefined>;
  /** Adds a member of staff or replaces what is recorded for them; returns them as stored. */
  set(input: StaffInput): Promise<StaffMember>;
  /**
   * Takes a member of staff out of the directory; false when they were not there. `by` (a console
   * user id) is checked like `changedBy`; the directory keeps no history, so callers log it.
   * Cases keep the contacts they were given.
   */
  remove(staffId: string, by: string): Promise<boolean>;
  close(): Promise<void>;
}

const Row = z.object({
  staff_id: z.string(),
  name: z.string(),
  email: z.string(),
  user_id: z.string().nullable(),
  changed_by: z.string(),
  changed_at: z.date(),
});

function fromRow(raw: unknown): StaffMember {
  const r = Row.parse(raw);
  return {
    staffId: r.staff_id,
    name: r.name,
    email: r.email,
    ...(r.user_id !== null ? { userId: r.user_id } : {}),
    changedBy: r.changed_by,
    changedAt: r.changed_at.toISOString(),
  };
}

const COLUMNS = 'staff_id, name, email, user_id, changed_by, changed_at';

export function openStaffDirectory(url: string): StaffDirectory {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 2, applicationName: 'caseclock-staff', missingTable: 'staff_directory' });
  return {
    async list() {
      const result = await inTransaction(true, (c) => c.query(`SELECT ${COLUMNS} FROM staff_directory ORDER BY staff_id COLLATE "C"`));
      return result.rows.map(fromRow);
    },
    async find(staffId) {
      const key = parse(StaffId, staffId, 'staffId');
      const result = await inTransaction(true, (c) => c.query(`SELECT ${COLUMNS} FROM staff_directory WHERE staff_id = $1`, [key]));
      return result.rows[0] === undefined ? undefined : fromRow(result.rows[0]);
    },
    async set(input) {
      const s = parse(StaffInput, input);
      try {
        const result = await inTransaction(false, (c) =>
          c.query(
            `INSERT INTO staff_directory (staff_id, name, email, user_id, changed_by, changed_at)
             VALUES ($1, $2, $3, $4, $5, now())
             ON CONFLICT (staff_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, user_id = EXCLUDED.user_id,
               changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at
             RETURNING ${COLUMNS}`,
            [s.staffId, s.name, s.email, s.userId ?? null, s.changedBy],
          ),
        );
        return fromRow(result.rows[0]);
      } catch (error) {
        // A console user is one member of staff: escalations found by user id must reach one person.
        if ((error as { code?: string }).code === '23505') throw new StaffDirectoryInvalid('userId', `${s.userId ?? ''} is already the user id of another member of staff`);
        throw error;
      }
    },
    async remove(staffId, by) {
      const key = parse(StaffId, staffId, 'staffId');
      parse(UserId, by, 'by');
      const result = await inTransaction(false, (c) => c.query('DELETE FROM staff_directory WHERE staff_id = $1', [key]));
      return (result.rowCount ?? 0) > 0;
    },
    close,
  };
}
