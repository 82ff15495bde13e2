/**
 * The value of one SSD column, by its type in the spec, as CaseClock holds it: text as strings,
 * datetimes as the council's local wall-clock time in PostgreSQL's text form (no zone, as SQL
 * Server's datetime has none), flags 'Y'/'N', numbers as numbers. A missing value is null, never
 * an empty string. tools/ssd/schemas.ts builds every row's schema from these.
 */
import { z } from 'zod';

/** 2026-03-14 10:30:00, with SQL Server's milliseconds or PostgreSQL's microseconds where a council has them. */
export const SSD_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

/** A row's key: the spec requires it, and it is never empty. */
export const ssdKey = z.string().min(1);
export const ssdText = z.string().nullable();
export const ssdTimestamp = z.string().regex(SSD_TIMESTAMP, 'a timestamp as YYYY-MM-DD HH:MM:SS').nullable();
export const ssdFlag = z.enum(['Y', 'N']).nullable();
export const ssdFloat = z.number().finite().nullable();
export const ssdInt = z.number().int().nullable();
