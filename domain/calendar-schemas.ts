/**
 * The calendar's input schemas (policy files, the command line, the console). Kept apart from
 * domain/calendar.ts, which workflows load and which stays free of zod.
 */
import { z } from 'zod';

/** A real calendar date written 'YYYY-MM-DD' (refuses 2026-02-30). */
export const IsoDateSchema = z.iso.date({ error: 'must be a calendar date written YYYY-MM-DD, e.g. 2026-12-25' });

/** One bank holiday, as configured or frozen into a case. */
export const BankHolidaySchema = z.object({
  date: IsoDateSchema,
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});
