/**
 * Schemas for durations in policy files and on the command line. Kept apart from
 * domain/durations.ts, which workflows load and which stays free of zod.
 */
import { z } from 'zod';
import { approximateMs, DURATION_MESSAGE, isZeroDuration, MAX_APPROX_MS, parseIsoDuration } from './durations';

/** Any ISO-8601 duration CaseClock accepts, zero included (e.g. escalation level 1 'PT0S'). */
export const IsoDurationSchema = z
  .string({ error: DURATION_MESSAGE })
  .max(40, DURATION_MESSAGE)
  .refine((s) => parseIsoDuration(s) !== undefined, { error: DURATION_MESSAGE })
  .refine((s) => parseIsoDuration(s) === undefined || approximateMs(s) <= MAX_APPROX_MS, {
    error: 'must be at most ten years',
  });

/** A duration that must be longer than zero (deadlines, reminder offsets, repeat intervals). */
export const PositiveIsoDurationSchema = IsoDurationSchema.refine((s) => parseIsoDuration(s) === undefined || !isZeroDuration(s), { error: 'must be longer than zero' });
